"""Data for the isolation sweep: two organisations full of objects, each carrying a unique marker.

Every text a customer's objects carry (name, email, numbers, addresses, titles, messages) contains
that customer's marker, so a response that leaks any of it is found by a plain substring search.
The objects are made through the real import and the real services, inside the test's transaction.
"""

from __future__ import annotations

import base64
import io
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image
from rest_framework.test import APIClient

from tests.support.billing_data import PDF_BYTES, invoice_row
from tests.support.consumption_data import day_rows
from tests.support.factories import last_link
from tests.support.organisations import OPERATOR_EMAIL, ORGANISATIONS
from tests.support.organisations import PASSWORD as STAFF_PASSWORD

RESIDENT_PASSWORD = "a-fine-sweep-password-7"


def new_marker(label: str) -> str:
    """Lower case (email addresses are normalised), unique, and never a substring of another marker."""
    return f"mk{label}{uuid.uuid4().hex[:10]}x"


def jpeg_upload(name: str = "meter.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 120, 150)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@dataclass
class CustomerWorld:
    """One customer and everything that belongs to them."""

    marker: str
    email: str
    customer: object
    contract: object
    location: object
    meters: list[int]
    invoice: object
    transaction: object  # the payment of the first invoice
    document: object
    ticket: object
    ticket_message: object  # the ticket's first message, which carries an attachment
    move_out: object
    move_out_meter: int
    meter_photo: object
    submitted_reading: object = None  # a meter reading submitted outside a move, with a photo
    deletion_request: object = None  # a request to delete the portal account (its reason carries the marker)
    move_in_key: str | None = None  # a draft started by the logged-in resident
    token: str | None = None
    session: str | None = None
    spare_token: str | None = None  # another token of the resident, only there to be revoked


@dataclass
class OrgWorld:
    """One organisation: its customers, its own objects, and credentials issued on its domain."""

    slug: str
    schema: str
    host: str
    marker: str  # carried by the organisation's own texts (FAQ, messages, email wording, staff)
    organisation: object
    first: CustomerWorld
    second: CustomerWorld | None
    values: dict[str, object] = field(default_factory=dict)  # path parameter kind -> value
    credentials: dict[str, dict] = field(default_factory=dict)  # name -> {"token": ...} or {"session": ...}

    @property
    def markers(self) -> list[str]:
        found = [self.marker, self.first.marker]
        if self.second is not None:
            found.append(self.second.marker)
        return found


def _import(schema: str, payload: dict) -> None:
    from integration.importing import run_import

    with schema_context(schema):
        result = run_import(payload=payload)
    assert result["error_count"] == 0, result


def _customer_payload(marker: str) -> dict:
    today = date.today()
    ext = marker
    address = {"street": f"{marker} street", "house_number": "1", "postal_code": "9000", "city": "Gent"}
    return {
        "customers": [
            {
                "external_id": ext,
                "customer_number": f"{marker}-c",
                "first_name": "Sweep",
                "last_name": f"Owner {marker}",
                "email": f"{marker}@example.test",
                "phone": "+32 9 123 45 67",
                "language": "en",
                "addresses": [{"kind": "billing", **address}],
            }
        ],
        "locations": [
            {"external_id": f"{ext}-l1", **address, "building_type": "apartment", "floor_area_m2": 80},
            {"external_id": f"{ext}-l2", **address, "house_number": "2"},
        ],
        "contracts": _sweep_contracts(ext, marker),
        **_sweep_billing(ext, marker, today),
        "meters": _sweep_meters(ext, marker),
    }


def _sweep_contracts(ext: str, marker: str) -> list[dict]:
    """One contract over both addresses, with an advance."""
    return [
        {
            "external_id": f"{ext}-k1",
            "number": f"{marker}-k1",
            "customer_external_id": ext,
            "start_date": "2024-01-01",
            "locations": [
                {"location_external_id": f"{ext}-l1", "services": ["heating", "hot_tap_water"]},
                {"location_external_id": f"{ext}-l2", "services": ["heating"]},
            ],
            "advance": {"original_amount": "100.00", "current_amount": "100.00"},
        }
    ]


def _sweep_billing(ext: str, marker: str, today: date) -> dict:
    """A paid invoice with its payment, an open one, and the contract as a document."""
    return {
        "invoices": [
            invoice_row(ext, f"{ext}-k1", 1, prefix=marker),
            invoice_row(
                ext,
                f"{ext}-k1",
                2,
                issue=today - timedelta(days=3),
                due=today + timedelta(days=20),
                status="open",
                prefix=marker,
            ),
        ],
        "transactions": [
            {
                "external_id": f"{ext}-pay",
                "customer_external_id": ext,
                "invoice_external_id": f"{ext}-inv-1",
                "kind": "payment",
                "date": "2025-02-10",
                "description": f"Payment {marker}",
                "amount": "100.00",
                "method": "direct_debit",
            }
        ],
        "documents": [
            {
                "external_id": f"{ext}-doc",
                "customer_external_id": ext,
                "contract_external_id": f"{ext}-k1",
                "title": f"Contract {marker}",
                "category": "contract",
                "document_date": "2024-01-01",
                "filename": f"{marker}.pdf",
                "content_base64": base64.b64encode(PDF_BYTES).decode(),
            }
        ],
    }


def _sweep_meters(ext: str, marker: str) -> list[dict]:
    """A heating and a hot tap water meter at the first address."""
    return [
        {
            "external_id": f"{ext}-m1",
            "number": f"{marker}-m1",
            "location_external_id": f"{ext}-l1",
            "service": "heating",
        },
        {
            "external_id": f"{ext}-m2",
            "number": f"{marker}-m2",
            "location_external_id": f"{ext}-l1",
            "service": "hot_tap_water",
        },
    ]


def _log_in(host: str, email: str, password: str) -> dict:
    """A token and a session cookie, both issued on ``host`` by two logins: two devices, so that
    logging out with the token (the sweep does) leaves the session, which is bound to its own token."""
    browser = APIClient(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    response = browser.post("/api/auth/login/", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    # An API client (CSRF checked, no browser headers) gets a token and no session.
    client = APIClient(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    token = client.post("/api/auth/login/", {"email": email, "password": password}, format="json")
    assert token.status_code == 200, token.content
    return {"token": token.json()["key"], "session": browser.cookies[settings.SESSION_COOKIE_NAME].value}


def build_customer(org, schema: str, host: str, marker: str, *, resident: bool = True) -> CustomerWorld:
    from consumption.ingestion import ingest
    from consumption.models import Meter
    from contracts.models import Contract, ContractLocation
    from customers.models import Customer
    from documents.models import Document
    from invoicing.models import Invoice, Transaction
    from moves import move_out
    from support.services import open_ticket

    _import(schema, _customer_payload(marker))
    email = f"{marker}@example.test"
    with schema_context(schema):
        customer = Customer.objects.get(external_id=marker)
        contract = Contract.objects.get(external_id=f"{marker}-k1")
        row = ContractLocation.objects.select_related("location").get(
            contract=contract, location__external_id=f"{marker}-l1"
        )
        meters = list(Meter.objects.filter(location=row.location).order_by("pk").values_list("pk", flat=True))
        ingest(rows=day_rows(f"{marker}-m1", date.today() - timedelta(days=40)), organisation=org)
        ticket = open_ticket(
            organisation=org,
            kind="question",
            subject=f"Question {marker}",
            message=f"Message text {marker}",
            language="en",
            customer=customer,
            attachment=jpeg_upload(f"proof-{marker}.jpg"),
        )
        request = _reported_move_out(org, customer, contract, row, meters, marker)
        photo = move_out.add_photo(request=request, meter_id=meters[0], upload=jpeg_upload())
        deletion_request = _personal_records(customer, marker)
        world = CustomerWorld(
            marker=marker,
            email=email,
            customer=customer,
            contract=contract,
            location=row.location,
            meters=meters,
            # The open one: it has a payment QR code (the organisation's payment settings, _org_texts).
            invoice=Invoice.objects.filter(customer=customer, payment_status="open").order_by("pk").first(),
            transaction=Transaction.objects.get(external_id=f"{marker}-pay"),
            document=Document.objects.get(customer=customer),
            ticket=ticket,
            ticket_message=ticket.messages.order_by("pk").first(),
            move_out=request,
            move_out_meter=meters[0],
            meter_photo=photo,
            submitted_reading=_submitted_reading(org, customer, meters[0]),
            deletion_request=deletion_request,
        )
        if resident:
            _register(org, schema, world, customer)
    if resident:
        issued = _log_in(host, email, RESIDENT_PASSWORD)
        world.token, world.session = issued["token"], issued["session"]
        world.spare_token = _log_in(host, email, RESIDENT_PASSWORD)["token"]
    return world


def _personal_records(customer, marker: str):
    """The bank account (its holder carries the marker: it must never show to another customer) and
    a called-off request to delete the portal account (its reason too; staff list it)."""
    from django.utils import timezone

    from customers.models import BankAccount
    from personal_data.models import DeletionRequest

    BankAccount.objects.create(customer=customer, iban="BE71096123456769", account_holder=f"Holder {marker}")
    return DeletionRequest.objects.create(
        customer=customer,
        status=DeletionRequest.Status.CANCELLED,
        reason=f"Reason {marker}",
        expires_at=timezone.now(),
        cancelled_at=timezone.now(),
        cancelled_by="resident",
    )


def _submitted_reading(org, customer, meter: int):
    """A reading of the first meter (its interval data is older than a week: read by the resident)."""
    # Inside, like the other builders here: the module is imported before Django is set up.
    from consumption.submitted_readings import Entry, submit

    entry = Entry(meter_id=meter, value=Decimal(2000), read_on=date.today(), photo=jpeg_upload())
    return submit(customer=customer, user=None, organisation=org, entry=entry)


def _reported_move_out(org, customer, contract, row, meters: list[int], marker: str):
    """A move-out of the first address in ten days, with a final reading per meter."""
    from moves import move_out

    return move_out.submit_move_out(
        customer=customer,
        organisation=org,
        data={
            "contract_id": contract.pk,
            "location_id": row.location_id,
            "move_out_date": (date.today() + timedelta(days=10)).isoformat(),
            "readings": [{"meter_id": meter, "value": "2000"} for meter in meters],
            "forwarding_address": {
                "street": f"{marker} avenue",
                "house_number": "9",
                "postal_code": "2000",
                "city": "Antwerpen",
            },
        },
    )


def _register(org, schema: str, world: CustomerWorld, customer) -> None:
    """The customer registers and confirms, opens their document once, and starts a move-in."""
    from accounts.models import User
    from documents.services import record_document_view
    from memberships.services.registration import confirm_registration, register_resident
    from moves import move_in

    email = world.email
    register_resident(
        organisation=org,
        customer_number=customer.customer_number,
        email=email,
        password=RESIDENT_PASSWORD,
    )
    confirm_registration(raw_token=last_link(schema, email, "registration_confirmation", "/confirm/"))
    # An opening by the resident, so the portal card's "documents viewed" has a row to leak.
    record_document_view(document=world.document, user=User.objects.get(email=email))
    world.move_in_key = move_in.start_draft(language="en", existing_customer=customer).key


def _submitted_move_in(org, schema: str, marker: str, location, meters: list[int]) -> object:
    """A complete move-in request (all seven steps) submitted by a newcomer."""
    from moves import move_in

    today = date.today()
    steps = {
        1: {"location_id": location.pk},
        2: {"move_in_date": (today - timedelta(days=2)).isoformat()},
        3: {"kind": "person", "first_name": "New", "last_name": f"Comer {marker}"},
        4: {"email": f"{marker}-newcomer@example.test", "phone": "+32 470 11 22 33", "language": "en"},
        5: {"readings": [{"meter_id": meter, "value": "1234.5"} for meter in meters]},
        6: {
            "billing_preference": "email",
            "payment_method": "direct_debit",
            "iban": "BE71 0961 2345 6769",
            "account_holder": f"Comer {marker}",
            "direct_debit_consent": True,
        },
        7: {"accept_terms": True, "accept_privacy": True},
    }
    with schema_context(schema):
        draft = move_in.start_draft(language="en")
        for number, data in steps.items():
            move_in.save_step(key=draft.key, number=number, data=data, organisation=org)
        return move_in.submit(key=draft.key, organisation=org).request


def build_organisation(slug: str, *, second_customer: bool) -> OrgWorld:
    """Customers, org-level objects, and every kind of credential of the organisation ``slug``."""
    from accounts.models import User
    from memberships.models import StaffMembership
    from memberships.services.impersonation import start_impersonation
    from tenants.models import Organisation

    spec = ORGANISATIONS[slug]
    schema, host = f"org_{slug}", spec["domain"]
    org = Organisation.objects.get(slug=slug)
    marker = new_marker(f"{slug[0]}o")
    first = build_customer(org, schema, host, new_marker(f"{slug[0]}1"))
    second = build_customer(org, schema, host, new_marker(f"{slug[0]}2")) if second_customer else None
    admin_email = f"admin@{slug}.test"
    world = OrgWorld(
        slug=slug,
        schema=schema,
        host=host,
        marker=marker,
        organisation=org,
        first=first,
        second=second,
    )
    with schema_context(schema):
        admin = StaffMembership.objects.get(email=admin_email)
        StaffMembership.objects.filter(pk=admin.pk).update(can_impersonate=True)
        admin.refresh_from_db()
        values = _org_texts(marker)
        values.update(_org_invitations(org, schema, marker, admin))
        # An ended impersonation (a path parameter) and the live one (a credential).
        target = second or first
        ended = start_impersonation(staff_membership=admin, customer=target.customer, reason=marker)
        live = start_impersonation(staff_membership=admin, customer=first.customer, reason=marker)
        values.update(_org_requests(org, schema, marker, first))
    credential_integration = values.pop("credential_integration")
    world.values = {
        **values,
        "impersonation_session": ended.session.pk,
        "organisation_slug": slug,
        "domain": host,
    }
    staff = _log_in(host, admin_email, STAFF_PASSWORD)
    world.credentials = {
        "resident token": {"token": first.token},
        "resident session": {"session": first.session},
        "staff admin token": {"token": staff["token"]},
        "staff admin session": {"session": staff["session"]},
        "integration token": {"token": credential_integration.raw},
        "impersonation token": {"token": live.raw_token},
    }
    assert User.objects.filter(email=admin_email).exists()
    return world


def _org_texts(marker: str) -> dict:
    """Org-level texts carrying the organisation's marker: a FAQ entry, a page message, an email
    template; their keys for the path parameters."""
    from communications.catalogue import CATALOGUE
    from communications.customisation import save_email_template
    from configuration.services import save_page_message, update_payment_settings
    from support.services import save_faq_category, save_faq_entry

    category = save_faq_category(category=None, names={"en": f"Topic {marker}"})
    entry = save_faq_entry(
        entry=None,
        category=category,
        questions={"en": f"Question {marker}?"},
        answers={"en": f"<p>Answer {marker}</p>"},
    )
    message = save_page_message(
        message=None, values={"page": "home", "bodies": {"en": f"<p>Notice {marker}</p>"}}
    ).instance
    template_key = next(iter(CATALOGUE))
    update_payment_settings(
        changes={
            "creditor_name": f"Payee {marker}",
            "iban": "BE71096123456769",
            "reference_scheme": "rf_creditor",
        }
    )
    save_email_template(
        key=template_key, language="en", subject=f"Subject {marker}", body_text=f"Text {marker}"
    )
    return {
        "email_template_key": template_key,
        "language": "en",
        "page_message": message.pk,
        "faq_category": category.pk,
        "faq_entry": entry.pk,
    }


def _org_invitations(org, schema: str, marker: str, admin) -> dict:
    """A staff invitation, two integration tokens (one a path parameter, one a credential) and a
    customer's portal invitation."""
    from customers.models import Customer
    from integration.services import create_integration_token
    from memberships.services.registration import invite_customer
    from memberships.services.staff import invite_staff_member

    invited_staff = invite_staff_member(
        organisation=org, email=f"{marker}-staff@example.test", full_name=f"Staff {marker}"
    )
    path_integration = create_integration_token(organisation=org, name=f"Billing {marker}")
    credential_integration = create_integration_token(organisation=org, name=f"Sync {marker}")
    invited_customer = Customer.objects.create(
        customer_number=f"{marker}-inv",
        first_name="Invited",
        last_name=f"Person {marker}",
        email=f"{marker}-invited@example.test",
        language="en",
    )
    invite_customer(organisation=org, customer=invited_customer, staff_user=admin.user)
    activation = last_link(schema, invited_customer.email, "portal_invitation", "/activate/")
    return {
        "staff_membership": invited_staff.membership.pk,
        "integration_membership": path_integration.membership.pk,
        "staff_invitation_token": invited_staff.raw_token,
        "activation_token": activation,
        "credential_integration": credential_integration,
    }


def _org_requests(org, schema: str, marker: str, first: CustomerWorld) -> dict:
    """A submitted move-in, an import run that refused a row, and a move-in draft at step 3."""
    from integration.importing import run_import
    from moves import move_in

    submitted = _submitted_move_in(org, schema, marker, first.location, first.meters)
    # An import run that refused a row carrying the marker (the admin's import-run detail).
    refused_import = run_import(payload={"customers": [{"external_id": f"{marker}-refused"}]})
    assert refused_import["error_count"] == 1, refused_import
    draft = move_in.start_draft(language="en")
    move_in.save_step(
        key=draft.key,
        number=3,
        data={"kind": "person", "first_name": "Draft", "last_name": f"Mover {marker}"},
        organisation=org,
    )
    return {
        "move_in_request": submitted.pk,
        "import_run": refused_import["run"],
        "move_in_key": draft.key,
        "move_in_step": 3,
    }


def operator_credentials() -> dict[str, dict]:
    issued = _log_in(settings.PLATFORM_DOMAIN, OPERATOR_EMAIL, STAFF_PASSWORD)
    return {
        "platform operator token": {"token": issued["token"]},
        "platform operator session": {"session": issued["session"]},
    }
