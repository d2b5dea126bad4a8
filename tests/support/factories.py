"""Building test data inside an organisation's schema."""

from __future__ import annotations

import itertools
import re
import uuid

from django_tenants.utils import schema_context

_numbers = itertools.count(1)
LINK = re.compile(r"https?://[^\s\"<>]+")


def make_customer(schema: str = "org_noord", **fields):
    from customers.models import Customer

    number = next(_numbers)
    values = {
        "customer_number": f"T-{number:05d}",
        "first_name": "Test",
        "last_name": f"Customer {number}",
        "email": f"customer{number}@example.test",
        "language": "en",
    }
    values.update(fields)
    with schema_context(schema):
        return Customer.objects.create(**values)


def import_address_with_meter(street_prefix: str, meter_number: str) -> str:
    """A vacant location with a heating meter (``<street>-m``), through the real import, in the
    current schema; returns its street, unique per call."""
    from integration.importing import run_import

    street = f"{street_prefix} {uuid.uuid4().hex[:5]}"
    result = run_import(
        payload={
            "locations": [
                {
                    "external_id": street,
                    "street": street,
                    "house_number": "4",
                    "postal_code": "2000",
                    "city": "Antwerpen",
                }
            ],
            "meters": [
                {
                    "external_id": f"{street}-m",
                    "number": meter_number,
                    "location_external_id": street,
                    "service": "heating",
                }
            ],
        }
    )
    assert result["error_count"] == 0, result
    return street


def outbox(schema: str, to: str, template: str | None = None):
    from communications.models import OutboundEmail

    with schema_context(schema):
        queryset = OutboundEmail.objects.filter(to=to).order_by("created_at")
        if template:
            queryset = queryset.filter(template=template)
        return list(queryset)


def last_link(schema: str, to: str, template: str, path: str) -> str:
    """The token from the newest email's link that contains ``path``, e.g. ``/confirm/``."""
    emails = outbox(schema, to, template)
    assert emails, f"no {template} email to {to}"
    for link in LINK.findall(emails[-1].body_text):
        if path in link:
            return link.split(path, 1)[1].strip("/")
    raise AssertionError(f"no {path} link in {template} email to {to}")


def process_account_requests(schema: str) -> list[str]:
    """What the worker does after commit (rollback tests never commit)."""
    from memberships.models import AccountEmailRequest
    from memberships.services.passwords import process_account_request
    from tenants.models import Organisation

    organisation = Organisation.objects.get(schema_name=schema)
    with schema_context(schema):
        ids = list(AccountEmailRequest.objects.filter(processed_at__isnull=True).values_list("pk", flat=True))
        return [process_account_request(request_id=pk, organisation=organisation) for pk in ids]
