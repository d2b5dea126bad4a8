"""The resident side of billing: overview, invoices, PDFs, statements, charges, transactions, documents."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from configuration.services import save_page_message
from customers.models import Customer
from integration.importing import run_import
from invoicing.models import Invoice
from tests.support.billing_data import billing_customer, invoice_row
from tests.support.common import all_keys, data_queries
from tests.support.configuration import set_preferences
from tests.support.residents import resident_client


@pytest.fixture
def resident(db, client_for):
    data = billing_customer()
    return data, resident_client(client_for, data)


def test_overview(resident):
    data, client = resident
    with schema_context("org_noord"):
        save_page_message(
            message=None,
            values={"page": "overview", "kind": "warning", "bodies": {"en": "<p>Works on <b>Monday</b></p>"}},
        )
    body = client.get("/api/portal/overview/").json()
    assert body["customer"]["customer_number"] == data["number"]
    assert [i["number"] for i in body["outstanding_invoices"]] == [
        f"{data['ext']}-F9003",
        f"{data['ext']}-F9000",
        f"{data['ext']}-F9001",
    ]  # what the resident owes, by due date
    assert [i["number"] for i in body["refund_invoices"]] == [f"{data['ext']}-F9002"]
    assert body["refund_invoices"][0]["refund_notice"].startswith("We will refund this amount")
    assert (body["outstanding_total"], body["refund_total"], body["current_balance"]) == (
        "300.00",
        "45.20",
        "254.80",
    )
    assert body["currency"] == "EUR"
    assert body["upcoming_invoices"] == []
    assert body["latest_invoice"]["number"] == f"{data['ext']}-F9001"
    assert body["services"] == {"count": 4, "by_connection_status": {"connected": 2, "pending": 2}}
    assert set(body["contact"]) == {"support_email", "website", "support_phone", "terms_url", "privacy_url"}
    [message] = body["messages"]
    assert message["kind"] == "warning"
    assert message["html"] == "<p>Works on <b>Monday</b></p>"


def test_overview_keeps_what_is_owed_refunds_and_future_invoices_apart(db, client_for):
    """380.00 owed and 215.85 to be refunded is not "164.15 outstanding"; next month's advance is not due."""
    data = billing_customer(invoices=2)
    ext, mine, today = data["ext"], f"{data['ext']}x", date.today()
    with schema_context("org_noord"):
        _import_owed_refund_and_future(ext, mine, today)
        _settle_the_rest(ext, mine, today)
    client = resident_client(client_for, data)
    body = client.get("/api/portal/overview/").json()
    assert [i["number"] for i in body["outstanding_invoices"]] == [f"{mine}-F0001"]
    assert body["outstanding_total"] == "380.00"
    assert [i["number"] for i in body["refund_invoices"]] == [f"{mine}-F0002"]
    assert body["refund_total"] == "215.85"
    assert body["current_balance"] == "164.15"
    assert [i["number"] for i in body["upcoming_invoices"]] == [f"{mine}-F0003", f"{mine}-F0004"]
    assert body["latest_invoice"]["number"] != f"{mine}-F0004"  # issued in 70 days: not the latest
    assert date.fromisoformat(body["latest_invoice"]["issue_date"]) <= today
    upcoming = client.get("/api/portal/invoices/?status=upcoming").json()["results"]
    assert [row["number"] for row in upcoming] == [f"{mine}-F0004", f"{mine}-F0003"]
    outstanding = client.get("/api/portal/invoices/?status=outstanding").json()["results"]
    assert [row["number"] for row in outstanding] == [f"{mine}-F0001"]
    assert all(row["issue_date"] <= today.isoformat() for row in client.get("/api/portal/statements/").json())


def _import_owed_refund_and_future(ext: str, mine: str, today: date) -> None:
    """380.00 open, a 215.85 credit note awaiting confirmation, two advances issued in the future."""
    result = run_import(
        payload={
            "invoices": [
                invoice_row(
                    ext,
                    f"{ext}-K1",
                    1,
                    total="380.00",
                    issue=today - timedelta(days=20),
                    status="open",
                    prefix=mine,
                ),
                invoice_row(
                    ext,
                    f"{ext}-K1",
                    2,
                    total="-215.85",
                    issue=today - timedelta(days=10),
                    status="awaiting_confirmation",
                    kind="credit_note",
                    prefix=mine,
                ),
                invoice_row(
                    ext,
                    f"{ext}-K1",
                    3,
                    total="95.00",
                    issue=today + timedelta(days=40),
                    status="open",
                    prefix=mine,
                ),
                invoice_row(
                    ext,
                    f"{ext}-K1",
                    4,
                    total="95.00",
                    issue=today + timedelta(days=70),
                    status="open",
                    prefix=mine,
                ),
            ]
        }
    )
    assert result["error_count"] == 0, result


def _settle_the_rest(ext: str, mine: str, today: date) -> None:
    """Everything billing_customer made is settled: only this test's invoices are open."""
    Invoice.objects.filter(customer__external_id=ext).exclude(number__startswith=mine).update(
        payment_status="paid", amount_open=0
    )
    settled = run_import(
        payload={
            "transactions": [
                {
                    "external_id": f"{mine}-settled-{n}",
                    "customer_external_id": ext,
                    "invoice_external_id": f"{ext}-inv-{n}",
                    "kind": "refund" if n == 9002 else "payment",
                    "date": (today - timedelta(days=1)).isoformat(),
                    "description": "Settled",
                    "amount": "45.20" if n == 9002 else "100.00",
                }
                for n in (9000, 9001, 9002, 9003)
            ]
        }
    )
    assert settled["error_count"] == 0, settled


def test_invoice_lists_by_status_and_contract(resident):
    data, client = resident
    everything = client.get("/api/portal/invoices/").json()
    assert everything["count"] == 9
    outstanding = client.get("/api/portal/invoices/?status=outstanding").json()["results"]
    assert {row["number"] for row in outstanding} == {f"{data['ext']}-F{n}" for n in (9000, 9001, 9003)}
    assert {row["payment_status"] for row in outstanding} == {"open"}
    refunds = client.get("/api/portal/invoices/?status=refund").json()["results"]
    assert [(row["number"], row["amount_open"]) for row in refunds] == [(f"{data['ext']}-F9002", "-45.20")]
    paid = client.get("/api/portal/invoices/?status=paid").json()["results"]
    assert len(paid) == 5
    assert all(row["payment_status"] == "paid" for row in paid)
    assert client.get("/api/portal/invoices/?status=upcoming").json()["count"] == 0
    k2 = client.get("/api/portal/contracts/").json()
    second = next(c for c in k2 if c["number"].endswith("-2"))
    only_k2 = client.get(f"/api/portal/invoices/?contract={second['id']}").json()["results"]
    assert [row["number"] for row in only_k2] == [f"{data['ext']}-F9002"]
    assert client.get(f"/api/portal/invoices/?contract={second['id']}&status=paid").json()["count"] == 0


@pytest.mark.parametrize(
    ("path", "field", "message"),
    [
        (
            "/api/portal/invoices/?contract=abc",
            "contract",
            "Incorrect type. Expected pk value, received str.",
        ),
        ("/api/portal/invoices/?contract=999999", "contract", 'Invalid pk "999999" - object does not exist.'),
        ("/api/portal/invoices/?status=bogus", "status", '"bogus" is not a valid choice.'),
        (
            "/api/portal/statements/?contract=abc",
            "contract",
            "Incorrect type. Expected pk value, received str.",
        ),
        ("/api/portal/charges/?contract=1.5", "contract", "Incorrect type. Expected pk value, received str."),
    ],
)
def test_bad_filters_are_field_errors(resident, path, field, message):
    _data, client = resident
    response = client.get(path)
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", field: [message]}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "We will refund this amount to your bank account on 07/03/2031"),
        ("nl", "We storten dit bedrag terug op uw bankrekening op 07/03/2031"),
        ("fr", "Nous rembourserons ce montant sur votre compte bancaire le 07/03/2031"),
    ],
)
def test_refund_notice_in_the_residents_language(db, client_for, language, text):
    data = billing_customer()
    client = resident_client(client_for, data)
    assert client.patch("/api/portal/me/", {"language": language}, format="json").status_code == 200
    response = client.get("/api/portal/invoices/?status=refund")
    assert response["Content-Language"] == language
    [row] = response.json()["results"]
    assert row["refund_notice"] == text
    overview = client.get("/api/portal/overview/").json()
    assert [invoice["refund_notice"] for invoice in overview["refund_invoices"]] == [text]


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
    # Five paid invoices, the second less a goodwill adjustment of 5.00.
    assert sum(Decimal(row["payments"]) for row in rows) == Decimal("-495.00")
    assert sum(Decimal(row["adjustments"]) for row in rows) == Decimal(
        "-5.00"
    )  # only the one linked to an invoice


def test_charges_list(resident):
    data, client = resident
    body = client.get("/api/portal/charges/").json()
    assert body["count"] == 9
    assert body["results"][0] == {
        "statement_number": f"{data['ext']}-F9001",  # the newest invoice first
        "meter_number": "M-1",
        "rollup_description": "Warmte",
        "description": "Heat",
        "period_start": None,
        "period_end": None,
        "units": "120.500",
        "unit": "kWh",
        "unit_price": "0.13200",
        "tax_rate": "6.00",
        "amount": "94.34",
        "tax_amount": "5.66",
        "currency": "EUR",
    }
    credit = next(row for row in body["results"] if row["statement_number"] == f"{data['ext']}-F9002")
    assert credit["amount"] == "-42.64"


def test_transactions_hide_collection_fees_and_unlinked_adjustments(resident):
    _data, client = resident
    rows = client.get("/api/portal/transactions/").json()["results"]
    assert {row["description"] for row in rows} == {"Direct debit", "Goodwill on invoice"}


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
        "refund_invoices",
        "refund_total",
    }
    invoice_id = client.get("/api/portal/invoices/").json()["results"][0]["id"]
    everything = client.get("/api/portal/invoices/").json()["count"]
    for status in ("outstanding", "refund", "paid", "upcoming"):
        # The status filter is ignored, or "paid" (5 of 9) would tell what is paid.
        assert client.get(f"/api/portal/invoices/?status={status}").json()["count"] == everything == 9
    assert client.get("/api/portal/invoices/?status=bogus").status_code == 400
    for path in (
        "/api/portal/overview/",
        "/api/portal/invoices/",
        "/api/portal/invoices/?status=outstanding",
        "/api/portal/invoices/?status=paid",
        "/api/portal/invoices/?status=refund",
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
        "/api/portal/documents/",
        "/api/portal/invoices/?status=outstanding",
    ],
)
def test_query_count_does_not_grow_with_the_data(db, client_for, path):
    small = billing_customer(invoices=5)
    large = billing_customer(invoices=500)
    assert _count(resident_client(client_for, small), path) == _count(
        resident_client(client_for, large), path
    )


def test_pdf_shows_the_portal_logo_and_fetches_nothing_from_outside(resident, noord, monkeypatch):
    """The logo is inlined; WeasyPrint may only read data: URLs (no network, no local files)."""
    import io

    from pypdf import PdfReader

    from configuration.services import update_portal_preferences
    from invoicing.pdf import render_invoice_pdf
    from invoicing.visibility import Visibility
    from tests.support.configuration import png

    _data, client = resident
    with schema_context("org_noord"):
        update_portal_preferences(
            organisation=noord, changes={"use_organisation_logo": False}, uploads={"logo": png(120, 40)}
        )
    invoice_id = client.get("/api/portal/invoices/").json()["results"][0]["id"]
    response = client.get(f"/api/portal/invoices/{invoice_id}/pdf/")
    assert response.status_code == 200
    page = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[0]
    assert len(page.images) == 1  # the logo
    monkeypatch.setattr("invoicing.pdf._logo_data", lambda branding: "file:///etc/passwd")
    with schema_context("org_noord"):
        content = render_invoice_pdf(
            invoice=Invoice.objects.get(pk=invoice_id),
            organisation=noord,
            language="en",
            visibility=Visibility(invoices=True, payment_status=True),
        )
    assert len(PdfReader(io.BytesIO(content)).pages[0].images) == 0  # refused, and the PDF still renders


def test_overview_and_statements_give_one_balance_with_a_payment_not_linked_to_an_invoice(resident):
    """The import allows a payment without an invoice: the overview summed open invoices and ignored
    it, the statements subtracted it, and the resident saw two balances 25.00 apart."""
    data, client = resident
    ext, today = data["ext"], date.today()
    before = client.get("/api/portal/overview/").json()["current_balance"]
    with schema_context("org_noord"):
        result = run_import(
            payload={
                "transactions": [
                    {
                        "external_id": f"{ext}-on-account",
                        "customer_external_id": ext,
                        "kind": "payment",
                        "date": (today - timedelta(days=1)).isoformat(),
                        "description": "Payment on account",
                        "amount": "25.00",
                        "method": "bank_transfer",
                    }
                ]
            }
        )
    assert result["error_count"] == 0, result
    overview = client.get("/api/portal/overview/").json()
    newest = client.get("/api/portal/statements/").json()[0]  # issued today, after the payment
    assert Decimal(overview["current_balance"]) == Decimal(before) - Decimal("25.00")
    assert overview["current_balance"] == newest["current_balance"]
    # The invoices stay open until the billing system allocates the payment.
    assert overview["outstanding_total"] == "300.00"


def test_the_balance_is_the_newest_statements_plus_what_happened_since(resident):
    """A statement is the account on its invoice's day; the balance is the account today."""
    data, client = resident
    ext, today = data["ext"], date.today()
    cancelled = invoice_row(
        ext, f"{ext}-K1", 9001, issue=today, due=today + timedelta(days=40), status="cancelled"
    )
    with schema_context("org_noord"):
        result = run_import(
            payload={
                "invoices": [cancelled],  # the newest statement is now the credit note's, three days ago
                "transactions": [
                    {
                        "external_id": f"{ext}-refund",
                        "customer_external_id": ext,
                        "kind": "refund",
                        "date": (today - timedelta(days=1)).isoformat(),
                        "description": "Refund of an overpayment",
                        "amount": "12.50",
                    },
                    {
                        "external_id": f"{ext}-later",
                        "customer_external_id": ext,
                        "kind": "payment",
                        "date": (today + timedelta(days=2)).isoformat(),  # not yet: not counted
                        "description": "Direct debit",
                        "amount": "40.00",
                        "method": "direct_debit",
                    },
                ],
            }
        )
    assert result["error_count"] == 0, result
    newest = client.get("/api/portal/statements/").json()[0]
    assert newest["statement_number"] == f"{ext}-F9002"
    overview = client.get("/api/portal/overview/").json()
    # The refund paid out to the resident yesterday raises the balance.
    assert Decimal(overview["current_balance"]) == Decimal(newest["current_balance"]) + Decimal("12.50")


@pytest.mark.parametrize(
    ("language", "direct_debit", "bank_transfer"),
    [
        ("en", "Direct debit", "Bank transfer"),
        ("nl", "Domiciliëring", "Overschrijving"),
        ("fr", "Domiciliation", "Virement bancaire"),
    ],
)
def test_payment_methods_are_named_in_the_residents_language(
    db, client_for, language, direct_debit, bank_transfer
):
    """Shown as raw codes (``direct_debit``) before; a method the portal does not know stays as sent."""
    data = billing_customer()
    ext = data["ext"]
    with schema_context("org_noord"):
        result = run_import(
            payload={
                "transactions": [
                    {
                        "external_id": f"{ext}-{n}",
                        "customer_external_id": ext,
                        "kind": "payment",
                        "date": "2025-03-01",
                        "description": "Payment",
                        "amount": "10.00",
                        "method": method,
                    }
                    for n, method in enumerate(["bank_transfer", "Kiosk 4"])
                ]
            }
        )
    assert result["error_count"] == 0, result
    client = resident_client(client_for, data)
    assert client.patch("/api/portal/me/", {"language": language}, format="json").status_code == 200
    rows = client.get("/api/portal/transactions/").json()["results"]
    assert {row["method"]: row["method_label"] for row in rows if row["method"]} == {
        "direct_debit": direct_debit,
        "bank_transfer": bank_transfer,
        "Kiosk 4": "Kiosk 4",
    }
