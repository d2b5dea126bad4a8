"""The overview's monthly money graph: billed (invoices issued) and paid (payments) per month over the
last 12 months, in the API and on the page (a chart with a table alternative), paid only with the
payment status, in a fixed number of queries."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from integration.importing import run_import
from tenants.models import Organisation
from tests.support.billing_data import billing_customer, invoice_row
from tests.support.configuration import set_preferences
from tests.support.residents import resident_client
from tests.support.web import logged_in, make_resident, text


def _today() -> date:
    return timezone.localdate(timezone=Organisation.objects.get(schema_name="org_noord").zone)


def _month(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _payments(ext: str, today: date) -> list[dict]:
    return [
        {
            "external_id": f"{ext}-recent-{n}",
            "customer_external_id": ext,
            "kind": kind,
            "date": (today - timedelta(days=days)).isoformat(),
            "description": "Recent",
            "amount": amount,
            "method": "bank_transfer",
        }
        for n, (kind, days, amount) in enumerate(
            [
                ("payment", 0, "60.00"),
                ("payment", 40, "25.50"),
                ("refund", 1, "9.99"),
                ("payment", 400, "1.00"),
            ]
        )
    ]


def _expected(payload: dict, today: date) -> dict[str, dict[str, Decimal]]:
    """Per month of the last 12, the invoices issued and the payments made, from what was imported."""
    first = _month(today, 11)
    months: dict[str, dict[str, Decimal]] = defaultdict(lambda: {"billed": Decimal(0), "paid": Decimal(0)})
    for invoice in payload["invoices"]:
        day = date.fromisoformat(invoice["issue_date"])
        if first <= day <= today:
            months[f"{day:%Y-%m}"]["billed"] += Decimal(invoice["amount_incl_tax"])
    for row in payload["transactions"]:
        day = date.fromisoformat(row["date"])
        if row["kind"] == "payment" and first <= day <= today:
            months[f"{day:%Y-%m}"]["paid"] += Decimal(row["amount"])
    return months


@pytest.fixture
def customer(db):
    data = billing_customer(invoices=3)
    with schema_context("org_noord"):
        today = _today()
        payments = _payments(data["ext"], today)
        result = run_import(payload={"transactions": payments})
    assert result["error_count"] == 0, result
    data["payload"]["transactions"] = [*data["payload"]["transactions"], *payments]
    data["today"] = today
    return data


def test_the_overview_api_gives_billed_and_paid_per_month_for_twelve_months(customer, client_for):
    body = resident_client(client_for, customer).get("/api/portal/overview/").json()
    today = customer["today"]
    expected = _expected(customer["payload"], today)
    months = body["monthly_money"]
    assert [row["period"] for row in months] == [f"{_month(today, back):%Y-%m}" for back in range(11, -1, -1)]
    for row in months:
        assert Decimal(row["billed"]) == expected[row["period"]]["billed"], row
        assert Decimal(row["paid"]) == expected[row["period"]]["paid"], row
    # The recent payments count, the refund paid out and the payment of 400 days ago do not.
    assert Decimal(months[-1]["paid"]) >= Decimal("60.00")
    assert sum(Decimal(row["paid"]) for row in months) == sum(v["paid"] for v in expected.values())


def test_without_payment_status_only_billed_and_without_invoices_nothing(customer, client_for):
    client = resident_client(client_for, customer)
    with schema_context("org_noord"):
        set_preferences(payment_status_visible=False)
    body = client.get("/api/portal/overview/").json()
    assert body["monthly_money"]
    assert all(set(row) == {"period", "billed"} for row in body["monthly_money"])
    with schema_context("org_noord"):
        set_preferences(invoices_visible=False)
    assert "monthly_money" not in client.get("/api/portal/overview/").json()


def test_the_number_of_queries_does_not_grow_with_invoices_and_payments(customer, client_for):
    client = resident_client(client_for, customer)
    client.get("/api/portal/overview/")
    with CaptureQueriesContext(connection) as before:
        assert client.get("/api/portal/overview/").status_code == 200
    ext, today = customer["ext"], customer["today"]
    more = {
        "invoices": [
            invoice_row(ext, f"{ext}-K1", 500 + n, issue=_month(today, n) + timedelta(days=1))
            for n in range(1, 8)
        ],
        "transactions": [
            {**row, "external_id": f"{row['external_id']}-more"} for row in _payments(ext, today)
        ],
    }
    with schema_context("org_noord"):
        result = run_import(payload=more)
    assert result["error_count"] == 0, result
    with CaptureQueriesContext(connection) as after:
        assert client.get("/api/portal/overview/").status_code == 200
    assert len(after) == len(before)


def test_the_overview_page_draws_the_graph_with_a_table_alternative(customer):
    make_resident(customer)
    body = text(logged_in(customer).get("/overview/"))
    section = body.split('aria-labelledby="money-title"', 1)[1].split("</section>", 1)[0]
    assert "Billed and paid per month" in section
    assert '<svg class="chart"' in section
    assert 'class="bar current' in section
    assert 'class="bar other' in section
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", section, re.S)
    assert len(rows) == 12
    # One contact block, in the footer.
    assert body.count("Contact us") == 0


def test_the_overview_page_shows_only_billed_without_payment_status(customer):
    make_resident(customer)
    with schema_context("org_noord"):
        set_preferences(payment_status_visible=False)
    body = text(logged_in(customer).get("/overview/"))
    section = body.split('aria-labelledby="money-title"', 1)[1].split("</section>", 1)[0]
    assert "Billed per month" in section
    assert 'class="bar other' not in section
    assert "Paid" not in section


@pytest.mark.parametrize(
    ("language", "title"), [("nl", "Gefactureerd en betaald per maand"), ("fr", "Facturé et payé par mois")]
)
def test_the_graph_is_translated(customer, language, title):
    make_resident(customer)
    client = logged_in(customer)
    assert client.post("/language/", {"language": language, "next": "/overview/"}).status_code == 302
    assert title in text(client.get("/overview/"))
