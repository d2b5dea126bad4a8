"""The resident side of billing: overview, invoices, PDFs, statements, charges, transactions, documents."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from configuration.models import PortalPreferences
from customers.models import Customer
from documents.models import DocumentView
from invoicing.models import Invoice
from memberships.services.registration import confirm_registration, register_resident
from tenants.models import Organisation
from tests.billing_data import billing_customer
from tests.factories import last_link
from tests.support import data_queries

PASSWORD = "a-fine-portal-password"


def resident_client(client_for, data: dict, schema="org_noord", host="portal.noord.test", language="en"):
    organisation = Organisation.objects.get(schema_name=schema)
    with schema_context(schema):
        register_resident(
            organisation=organisation, customer_number=data["number"], email=data["email"], password=PASSWORD
        )
        confirm_registration(
            raw_token=last_link(schema, data["email"], "registration_confirmation", "/confirm/")
        )
    client = client_for(host, language=language)
    key = client.post(
        "/api/auth/login/", {"email": data["email"], "password": PASSWORD}, format="json"
    ).json()["key"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def set_preferences(**values):
    with schema_context("org_noord"):
        PortalPreferences.objects.current()
        PortalPreferences.objects.update(**values)


def all_keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in all_keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in all_keys(item)}
    return set()


@pytest.fixture
def resident(db, client_for):
    data = billing_customer()
    return data, resident_client(client_for, data)


def test_overview(resident):
    data, client = resident
    body = client.get("/api/portal/overview/").json()
    assert body["customer"]["customer_number"] == data["number"]
    assert [i["number"] for i in body["outstanding_invoices"]] == [
        f"{data['ext']}-F9003",
        f"{data['ext']}-F9000",
        f"{data['ext']}-F9001",
        f"{data['ext']}-F9002",
    ]  # by due date
    assert Decimal(body["outstanding_total"]) == Decimal("254.80")
    assert Decimal(body["current_balance"]) == Decimal("254.80")
    assert body["latest_invoice"]["number"] == f"{data['ext']}-F9001"
    assert body["services"] == {"count": 4, "by_connection_status": {"connected": 2, "pending": 2}}
    assert set(body["contact"]) == {"support_email", "website", "support_phone"}
    assert body["messages"] == []


def test_invoice_lists_by_status_and_contract(resident):
    data, client = resident
    everything = client.get("/api/portal/invoices/").json()
    assert everything["count"] == 9
    outstanding = client.get("/api/portal/invoices/?status=outstanding").json()["results"]
    assert {row["payment_status"] for row in outstanding} == {"open", "awaiting_confirmation"}
    paid = client.get("/api/portal/invoices/?status=paid").json()["results"]
    assert len(paid) == 5
    assert all(row["payment_status"] == "paid" for row in paid)
    k2 = client.get("/api/portal/contracts/").json()
    second = next(c for c in k2 if c["number"].endswith("-2"))
    only_k2 = client.get(f"/api/portal/invoices/?contract={second['id']}").json()["results"]
    assert [row["number"] for row in only_k2] == [f"{data['ext']}-F9002"]
    assert client.get("/api/portal/invoices/?contract=abc").json()["count"] == 0


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "We will refund this amount to your bank account on 07/03/2031"),
        ("nl", "07/03/2031"),
        ("fr", "07/03/2031"),
    ],
)
def test_refund_notice_in_the_residents_language(db, client_for, language, text):
    data = billing_customer()
    client = resident_client(client_for, data)
    client.patch("/api/portal/me/", {"language": language}, format="json")
    rows = client.get("/api/portal/invoices/?status=outstanding").json()["results"]
    notices = [row["refund_notice"] for row in rows if row["refund_notice"]]
    assert len(notices) == 1
    assert text in notices[0]
    if language != "en":
        assert "We will refund" not in notices[0]


def test_invoice_detail_has_lines(resident):
    _data, client = resident
    invoice_id = client.get("/api/portal/invoices/").json()["results"][0]["id"]
    body = client.get(f"/api/portal/invoices/{invoice_id}/").json()
    assert body["lines"][0]["meter_number"] == "M-1"
    assert body["lines"][0]["unit"] == "kWh"


def test_pdf_is_branded_generated_once_and_logged(resident):
    data, client = resident
    invoice_id = client.get("/api/portal/invoices/").json()["results"][0]["id"]
    response = client.get(f"/api/portal/invoices/{invoice_id}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="invoice-{data["ext"]}-F9001.pdf"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF-")
    with schema_context("org_noord"):
        stored = Invoice.objects.get(pk=invoice_id).pdf.name
    client.get(f"/api/portal/invoices/{invoice_id}/pdf/")
    with schema_context("org_noord"):
        assert Invoice.objects.get(pk=invoice_id).pdf.name == stored  # served from storage, not regenerated
        customer = Customer.objects.get(customer_number=data["number"])
        assert ActivityEvent.objects.filter(customer=customer, kind="document_viewed").count() == 2


def test_pdf_contains_the_organisation_the_lines_and_the_due_date(resident):
    import io

    from pypdf import PdfReader

    data, client = resident
    invoice_id = client.get("/api/portal/invoices/").json()["results"][0]["id"]
    content = b"".join(client.get(f"/api/portal/invoices/{invoice_id}/pdf/").streaming_content)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Warmtenet Noord" in text
    assert f"{data['ext']}-F9001" in text
    assert "Heat" in text
    assert "Due date" in text
    set_preferences(payment_status_visible=False)
    content = b"".join(client.get(f"/api/portal/invoices/{invoice_id}/pdf/").streaming_content)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Due date" not in text  # a new variant, without the payment status


def test_statements_add_up(resident):
    _data, client = resident
    rows = client.get("/api/portal/statements/").json()
    assert len(rows) == 9
    oldest = rows[-1]
    assert Decimal(oldest["previous_balance"]) == 0
    assert Decimal(oldest["current_balance"]) == Decimal(oldest["current_charges"])
    for newer, older in itertools.pairwise(rows):
        assert Decimal(newer["previous_balance"]) == Decimal(older["current_balance"])
        assert Decimal(newer["carried_forward"]) == (
            Decimal(newer["previous_balance"]) + Decimal(newer["payments"]) + Decimal(newer["adjustments"])
        )
        assert Decimal(newer["current_balance"]) == Decimal(newer["carried_forward"]) + Decimal(
            newer["current_charges"]
        )
    assert sum(Decimal(row["payments"]) for row in rows) == Decimal("-100.00")
    assert sum(Decimal(row["adjustments"]) for row in rows) == Decimal(
        "-5.00"
    )  # only the one linked to an invoice


def test_charges_list(resident):
    _data, client = resident
    body = client.get("/api/portal/charges/").json()
    assert body["count"] == 9
    row = body["results"][0]
    assert {
        "statement_number",
        "meter_number",
        "rollup_description",
        "description",
        "period_start",
        "period_end",
        "units",
        "amount",
    } <= set(row)


def test_transactions_hide_collection_fees_and_unlinked_adjustments(resident):
    _data, client = resident
    rows = client.get("/api/portal/transactions/").json()["results"]
    assert {row["description"] for row in rows} == {"Direct debit", "Goodwill on invoice"}


def test_documents_and_their_opening_is_logged(resident):
    _data, client = resident
    [document] = client.get("/api/portal/documents/").json()["results"]
    assert document["title"] == "Your contract"
    response = client.get(document["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    with schema_context("org_noord"):
        assert DocumentView.objects.filter(document_id=document["id"]).count() == 1


def test_another_customers_ids_are_404(db, client_for):
    mine, other = billing_customer(), billing_customer()
    client = resident_client(client_for, mine)
    with schema_context("org_noord"):
        foreign_invoice = Invoice.objects.filter(customer__customer_number=other["number"]).first().pk
        from contracts.models import Contract
        from documents.models import Document

        foreign_document = Document.objects.get(customer__customer_number=other["number"]).pk
        foreign_contract = Contract.objects.filter(customer__customer_number=other["number"]).first().pk
    for path in (
        f"/api/portal/invoices/{foreign_invoice}/",
        f"/api/portal/invoices/{foreign_invoice}/pdf/",
        f"/api/portal/documents/{foreign_document}/download/",
        f"/api/portal/contracts/{foreign_contract}/advance/",
    ):
        assert client.get(path).status_code == 404, path
    assert (
        client.put(
            f"/api/portal/contracts/{foreign_contract}/advance/", {"amount": "100"}, format="json"
        ).status_code
        == 404
    )
    numbers = {row["number"] for row in client.get("/api/portal/invoices/").json()["results"]}
    assert not any(number.startswith(other["ext"]) for number in numbers)
    assert client.get(f"/api/portal/invoices/?contract={foreign_contract}").json()["count"] == 0
    assert client.get(f"/api/portal/statements/?contract={foreign_contract}").json() == []


def test_nothing_of_a_on_b(resident, client_for):
    _data, client = resident
    key = client._credentials["HTTP_AUTHORIZATION"]
    zuid = client_for("portal.zuid.test")
    zuid.credentials(HTTP_AUTHORIZATION=key)
    for path in (
        "/api/portal/overview/",
        "/api/portal/invoices/",
        "/api/portal/documents/",
        "/api/portal/statements/",
    ):
        assert zuid.get(path).status_code == 401


def test_hidden_payment_status_removes_due_dates_and_outstanding_amounts_everywhere(resident):
    _data, client = resident
    set_preferences(payment_status_visible=False)
    forbidden = {
        "due_date",
        "amount_open",
        "payment_status",
        "payment_status_label",
        "refund_notice",
        "outstanding_invoices",
        "outstanding_total",
        "current_balance",
        "previous_balance",
        "carried_forward",
    }
    invoice_id = client.get("/api/portal/invoices/").json()["results"][0]["id"]
    for path in (
        "/api/portal/overview/",
        "/api/portal/invoices/",
        "/api/portal/invoices/?status=outstanding",
        f"/api/portal/invoices/{invoice_id}/",
        "/api/portal/statements/",
        "/api/portal/charges/",
        "/api/portal/transactions/",
        "/api/portal/contracts/",
        "/api/portal/documents/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not (all_keys(response.json()) & forbidden), (path, all_keys(response.json()) & forbidden)
    assert client.get("/api/portal/overview/").json()["payment_status_visible"] is False


def test_hidden_invoices(resident):
    _data, client = resident
    set_preferences(invoices_visible=False)
    for path in (
        "/api/portal/invoices/",
        "/api/portal/statements/",
        "/api/portal/charges/",
        "/api/portal/transactions/",
    ):
        response = client.get(path)
        assert response.status_code == 403
        assert response.json()["code"] == "invoices_hidden"
    overview = client.get("/api/portal/overview/").json()
    assert "latest_invoice" not in overview
    assert "outstanding_invoices" not in overview
    assert overview["invoices_visible"] is False


def _count(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(data_queries(queries))


@pytest.mark.parametrize(
    "path",
    [
        "/api/portal/overview/",
        "/api/portal/invoices/",
        "/api/portal/statements/",
        "/api/portal/charges/",
        "/api/portal/transactions/",
        "/api/portal/contracts/",
    ],
)
def test_query_count_does_not_grow_with_the_data(db, client_for, path):
    small = billing_customer(invoices=5)
    large = billing_customer(invoices=500)
    assert _count(resident_client(client_for, small), path) == _count(
        resident_client(client_for, large), path
    )
