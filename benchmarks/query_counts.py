"""Database queries per request for every resident endpoint, with little and with much data.

Run: .venv/bin/python benchmarks/query_counts.py

The endpoints come from the OpenAPI document (every GET under /api/portal/), so a new resident
endpoint is measured without editing this file. Two residents of one organisation: a small one
(3 invoices, 5 days of readings, 1 ticket) and a large one (150 invoices, 60 days of readings, 40
tickets). The figure is the count for the large resident; the baseline the small one. Equal counts
mean the query count does not grow with the data; fewer for the large resident are a branch its
data takes (its first invoice is paid: no payment offer to build). Each counted request follows a bump of the
organisation's data version, as after a write: the answer is built from the database, not taken
from the resident read cache (a cached answer runs at most the token's query).
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal

from harness import Result, print_table, setup_django, write_results

SLUG = "qcount"
QUERY_PARAMETERS = {
    "/api/portal/consumption/year/": {"service": "heating", "year": "{year}"},
    "/api/portal/consumption/month/": {"service": "heating", "year": "{year}", "month": "{month}"},
    "/api/portal/consumption/compare/": {
        "service": "heating",
        "mode": "year",
        "year": "{year}",
        "other_year": "{last_year}",
    },
    "/api/portal/consumption/register/": {"service": "heating", "year": "{year}", "month": "{month}"},
}


def _organisation():
    from django.conf import settings

    from operators.onboarding import onboard_organisation
    from tenants.models import Organisation

    settings.TENANT_SPARE_SCHEMAS = 0
    # A fresh organisation every run: the residents' customer numbers start again at 1.
    for earlier in Organisation.objects.filter(slug=SLUG):
        earlier.delete(force_drop=True)
    return onboard_organisation(
        name="Query counts", slug=SLUG, domain=f"{SLUG}.bench.test", admin_email=f"admin@{SLUG}.test"
    ).organisation


def _resident(organisation, *, invoices: int, days: int, tickets: int) -> dict:
    """A resident with data, its token and the ids its detail endpoints need."""
    from django_tenants.utils import schema_context

    from credentials.services import issue_access_token
    from customers.models import Customer
    from documents.models import Document
    from invoicing.models import Invoice
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident
    from support.models import Ticket
    from tests.support.billing_data import billing_customer
    from tests.support.consumption_data import add_meters, day_rows, ingest_rows
    from tests.support.factories import last_link

    data = billing_customer(organisation.schema_name, invoices=invoices)
    meters = add_meters(data, organisation.schema_name)
    first = date.today().replace(day=1) - timedelta(days=days)
    ingest_rows(
        [row for offset in range(days) for row in day_rows(meters["heat1"], first + timedelta(days=offset))],
        organisation.schema_name,
    )
    with schema_context(organisation.schema_name):
        register_resident(
            organisation=organisation,
            customer_number=data["number"],
            email=data["email"],
            password="bench-password-123",
        )
        confirm_registration(
            raw_token=last_link(
                organisation.schema_name, data["email"], "registration_confirmation", "/confirm/"
            )
        )
        customer = Customer.objects.get(customer_number=data["number"])
        for n in range(tickets):
            Ticket.objects.create(
                reference=f"T-{data['ext']}-{n}",
                customer=customer,
                name="x",
                email=data["email"],
                kind="question",
                subject=f"Question {n}",
            )
        account = PortalAccount.objects.get(customer=customer)
        # heat2 sends no data, so the resident reads it: a reading with a photo, for the photo's GET.
        reading = _reading_with_photo(organisation, account, meters["heat2"])
        return {
            "token": issue_access_token(user=account.user).raw,
            "ids": {
                "meter-readings": reading.pk,
                "invoices": Invoice.objects.filter(customer=customer).values_list("pk", flat=True).first(),
                "documents": Document.objects.filter(customer=customer).values_list("pk", flat=True).first(),
                "tickets": Ticket.objects.filter(customer=customer).values_list("pk", flat=True).first(),
                "contracts": customer.contracts.values_list("pk", flat=True).first(),
            },
        }


def _reading_with_photo(organisation, account, meter_external_id: str):
    """A reading with a photo, submitted through the portal's service (in the resident's schema)."""
    from django.utils import timezone

    from consumption.models import Meter
    from consumption.submitted_readings import Entry
    from self_service.meter_readings import submit_reading
    from tests.support.moves import jpeg

    return submit_reading(
        customer=account.customer,
        user=account.user,
        organisation=organisation,
        entry=Entry(
            meter_id=Meter.objects.get(external_id=meter_external_id).pk,
            value=Decimal("1000"),
            read_on=timezone.localdate(timezone=organisation.zone),
            photo=jpeg(),
            confirmed=True,
        ),
    )


def _paths(client) -> list[str]:
    document = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    return sorted(
        path for path, item in document["paths"].items() if path.startswith("/api/portal/") and "get" in item
    )


def _url(path: str, ids: dict) -> str | None:
    def fill(match: re.Match) -> str:
        collection = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        value = ids.get(collection)
        if value is None:
            raise KeyError(collection)
        return str(value)

    try:
        return re.sub(r"\{[^}]+\}", fill, path)
    except KeyError:
        return None


def run() -> list[Result]:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tenants import data_versions

    organisation = _organisation()
    host = f"{SLUG}.bench.test"
    small = _resident(organisation, invoices=3, days=5, tickets=1)
    large = _resident(organisation, invoices=150, days=60, tickets=40)
    connection.set_schema_to_public()
    today = date.today()
    values = {"year": str(today.year), "last_year": str(today.year - 1), "month": str(today.month)}

    def count(resident: dict, path: str) -> tuple[int, int]:
        client = Client(
            HTTP_HOST=host, HTTP_AUTHORIZATION=f"Token {resident['token']}", HTTP_X_FORWARDED_PROTO="https"
        )
        url = _url(path, resident["ids"])
        params = {key: value.format(**values) for key, value in QUERY_PARAMETERS.get(path, {}).items()}
        client.get(url, params)  # warm caches (site settings, routing) as in a running process
        data_versions.bump({organisation.schema_name})  # as after a write: the answer is built again
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        queries = [q for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]
        return response.status_code, len(queries)

    results = []
    for path in _paths(Client(HTTP_HOST=host)):
        if _url(path, small["ids"]) is None:
            results.append(
                Result(
                    benchmark="query counts",
                    measure=f"GET {path}",
                    value=float("nan"),
                    unit="queries",
                    notes="no object for its path parameter in this benchmark",
                )
            )
            continue
        small_status, small_count = count(small, path)
        large_status, large_count = count(large, path)
        results.append(
            Result(
                benchmark="query counts",
                measure=f"GET {path}",
                value=large_count,
                unit="queries",
                baseline="small resident",
                baseline_value=small_count,
                ratio=small_count / large_count if large_count else None,
                target="no more with more data",
                met=large_count <= small_count,
                notes=_notes(small_status, large_status, small_count, large_count),
            )
        )
    connection.set_schema_to_public()
    return results


def _notes(small_status: int, large_status: int, small_count: int, large_count: int) -> str:
    if large_status != 200 or small_status != 200:
        return f"status {small_status}/{large_status}"
    if large_count < small_count:
        # The first object of each resident differs: the small one's invoice is open, so its
        # answer also reads the payment settings for the payment offer; the large one's is paid.
        return "fewer: a branch the data takes (no payment offer for a paid invoice)"
    return ""


if __name__ == "__main__":
    results = run()
    print_table(results)
    print(f"\nwritten to {write_results('query_counts', results)}")
