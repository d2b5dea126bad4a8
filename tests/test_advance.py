"""Residents changing their advance payment within the organisation's range."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from configuration.models import BillingSettings, PortalPreferences
from contracts.models import AdvancePaymentPlan, Contract
from invoicing.models import Invoice
from tests.billing_data import billing_customer
from tests.factories import outbox
from tests.test_billing_resident import resident_client
from tests.test_portal_card import as_staff_client


def prefs(**values):
    with schema_context("org_noord"):
        PortalPreferences.objects.current()
        PortalPreferences.objects.update(**values)


@pytest.fixture
def setup(db, client_for):
    prefs(
        advance_changes_allowed=True,
        advance_range="percentage",
        advance_min_percentage=Decimal("80"),
        advance_max_percentage=Decimal("150"),
    )
    data = billing_customer()
    client = resident_client(client_for, data)
    contract = next(c for c in client.get("/api/portal/contracts/").json() if c["advance"])
    return data, client, contract["id"]


def test_range_is_returned_with_the_current_amount(setup):
    _data, client, contract_id = setup
    body = client.get(f"/api/portal/contracts/{contract_id}/advance/").json()
    assert body == {
        "contract_id": contract_id,
        "allowed": True,
        "reason": "",
        "current_amount": "100.00",
        "base_amount": "100.00",
        "minimum": "80.00",
        "maximum": "150.00",
        "currency": "EUR",
    }


def test_minimum_threshold_and_settlement_base(setup):
    _data, client, contract_id = setup
    with schema_context("org_noord"):
        BillingSettings.objects.current()
        BillingSettings.objects.update(minimum_advance_amount=Decimal("95.00"))
        AdvancePaymentPlan.objects.filter(contract_id=contract_id).update(settlement_amount=Decimal("120.00"))
    body = client.get(f"/api/portal/contracts/{contract_id}/advance/").json()
    assert (body["base_amount"], body["minimum"], body["maximum"]) == ("120.00", "96.00", "180.00")
    with schema_context("org_noord"):
        BillingSettings.objects.update(minimum_advance_amount=Decimal("100.00"))
    assert client.get(f"/api/portal/contracts/{contract_id}/advance/").json()["minimum"] == "100.00"


def test_fixed_range(setup):
    _data, client, contract_id = setup
    prefs(advance_range="fixed", advance_fixed_amount=Decimal("15.00"))
    body = client.get(f"/api/portal/contracts/{contract_id}/advance/").json()
    assert (body["minimum"], body["maximum"]) == ("85.00", "115.00")


def test_change_inside_the_range_updates_contract_and_future_pro_formas(setup):
    data, client, contract_id = setup
    today = date.today()
    response = client.put(
        f"/api/portal/contracts/{contract_id}/advance/", {"amount": "123.45"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["current_amount"] == "123.45"
    with schema_context("org_noord"):
        assert AdvancePaymentPlan.objects.get(contract_id=contract_id).current_amount == Decimal("123.45")
        invoices = Invoice.objects.filter(contract_id=contract_id, kind="advance").prefetch_related("lines")
        future = [i for i in invoices if i.due_date > today and i.payment_status == "open"]
        past = [i for i in invoices if i.due_date <= today]
        assert future
        for invoice in future:
            assert invoice.amount_incl_tax == Decimal("123.45") == invoice.amount_open
            assert invoice.amount_excl_tax + invoice.tax_amount == invoice.amount_incl_tax
            assert sum(line.amount for line in invoice.lines.all()) == invoice.amount_excl_tax
        assert all(invoice.amount_incl_tax == Decimal("100.00") for invoice in past)
        event = ActivityEvent.objects.get(customer__customer_number=data["number"], kind="advance_changed")
        assert event.data["from"] == "100.00"
        assert event.data["to"] == "123.45"
    [email] = outbox("org_noord", data["email"], "advance_changed")
    assert "123.45" in email.body_text


@pytest.mark.parametrize("amount", ["79.99", "150.01", "0", "5000"])
def test_change_outside_the_range_is_refused_with_the_range(setup, amount):
    _data, client, contract_id = setup
    response = client.put(f"/api/portal/contracts/{contract_id}/advance/", {"amount": amount}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "out_of_range"
    assert body["amount"] == ["Choose an amount between 80.00 and 150.00 EUR."]
    with schema_context("org_noord"):
        assert AdvancePaymentPlan.objects.get(contract_id=contract_id).current_amount == Decimal("100.00")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Kies een bedrag tussen 80,00 en 1.500,00 EUR."),
        ("fr", "Choisissez un montant compris entre 80,00 et 1\u00a0500,00 EUR."),
        ("en", "Choose an amount between 80.00 and 1,500.00 EUR."),
    ],
)
def test_out_of_range_message_writes_amounts_in_the_residents_language(setup, language, message):
    _data, client, contract_id = setup
    prefs(advance_max_percentage=Decimal("1500"))
    assert client.patch("/api/portal/me/", {"language": language}, format="json").status_code == 200
    response = client.put(f"/api/portal/contracts/{contract_id}/advance/", {"amount": "5000"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": "out_of_range", "amount": [message]}
    assert client.get(f"/api/portal/contracts/{contract_id}/advance/").json()["maximum"] == "1500.00"


@pytest.mark.parametrize("amount", ["abc", "-5", "12.345", None])
def test_bad_amounts(setup, amount):
    _data, client, contract_id = setup
    response = client.put(f"/api/portal/contracts/{contract_id}/advance/", {"amount": amount}, format="json")
    assert response.status_code == 400
    assert "amount" in response.json()


def test_blocked_by_configuration(setup):
    _data, client, contract_id = setup
    prefs(advance_changes_allowed=False)
    body = client.get(f"/api/portal/contracts/{contract_id}/advance/").json()
    assert (body["allowed"], body["reason"], body["minimum"]) == (False, "changes_blocked", None)
    response = client.put(
        f"/api/portal/contracts/{contract_id}/advance/", {"amount": "100.00"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "changes_blocked"


def test_blocked_during_impersonation(setup, client_for):
    data, _client, contract_id = setup
    staff = as_staff_client(client_for("portal.noord.test"))
    with schema_context("org_noord"):
        from customers.models import Customer

        customer_id = Customer.objects.get(customer_number=data["number"]).pk
    key = staff.post(f"/api/admin/customers/{customer_id}/portal/impersonate/", {}, format="json").json()[
        "key"
    ]
    impersonating = client_for("portal.noord.test")
    impersonating.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert impersonating.get(f"/api/portal/contracts/{contract_id}/advance/").status_code == 200
    response = impersonating.put(
        f"/api/portal/contracts/{contract_id}/advance/", {"amount": "120.00"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed_during_impersonation"


def test_ended_contract_cannot_change(setup):
    _data, client, contract_id = setup
    with schema_context("org_noord"):
        Contract.objects.filter(pk=contract_id).update(
            status="ended", end_date=date.today() - timedelta(days=1)
        )
    assert client.get(f"/api/portal/contracts/{contract_id}/advance/").json()["reason"] == "contract_ended"
