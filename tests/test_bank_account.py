"""Residents change the bank account their advances are collected from, and give or withdraw a
SEPA direct-debit mandate: checked, logged, sent to the billing system, confirmed by email."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from configuration.models import PortalPreferences
from customers.models import BankAccount, Customer
from integration.models import PortalChange
from memberships.models import PortalAccount
from tenants.models import Organisation
from tests.support.billing_data import billing_customer
from tests.support.factories import outbox
from tests.support.residents import PASSWORD, resident_client
from tests.support.staff import as_staff_client

URL = "/api/portal/details/bank-account/"
MANDATE = "/api/portal/details/bank-account/mandate/"
IBAN = "BE71 0961 2345 6769"
SUPPORT = "support-bank@noord.test"


@pytest.fixture
def setup(db, client_for):
    with schema_context("org_noord"):
        PortalPreferences.objects.current()
        PortalPreferences.objects.update(support_email=SUPPORT)
    data = billing_customer()
    return data, resident_client(client_for, data)


def _set_account(client, iban=IBAN, password=PASSWORD):
    return client.put(
        URL, {"iban": iban, "account_holder": "Bill Payer", "password": password}, format="json"
    )


def test_nothing_on_file_at_first(setup):
    _data, client = setup
    assert client.get(URL).json() == {
        "iban": "",
        "account_holder": "",
        "mandate_status": "none",
        "mandate_reference": "",
        "mandate_signed_on": None,
        "mandate_withdrawn_on": None,
    }


def test_change_account_is_stored_logged_sent_and_emailed(setup):
    data, client = setup
    response = _set_account(client)
    assert response.status_code == 200, response.content
    assert response.json()["iban"] == "BE71 •••• 6769"
    assert response.json()["account_holder"] == "Bill Payer"
    with schema_context("org_noord"):
        bank = BankAccount.objects.get(customer__customer_number=data["number"])
        assert bank.iban == "BE71096123456769"
        event = ActivityEvent.objects.filter(customer=bank.customer, kind="details_changed").latest("id")
        assert event.data["bank_account"]["change"] == "account_changed"
        change = PortalChange.objects.filter(customer_number=data["number"]).latest("id")
        assert change.kind == "customer_details"
        assert change.data["bank_account"]["iban"] == "BE71096123456769"
    [mail] = outbox("org_noord", data["email"], "bank_account_changed")
    assert "BE71 •••• 6769" in mail.body_text
    assert "BE71096123456769" not in mail.body_text
    [staff_mail] = outbox("org_noord", SUPPORT, "bank_account_changed_staff")
    assert data["number"] in staff_mail.subject


@pytest.mark.parametrize(
    ("iban", "code"),
    [
        ("BE71 0961 2345 6768", "invalid_iban"),
        ("nonsense", "invalid_iban"),
        ("BR1800360305000010009795493C1", "iban_outside_sepa"),
    ],
)
def test_invalid_or_non_sepa_iban_is_refused(setup, iban, code):
    _data, client = setup
    response = _set_account(client, iban=iban)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert "iban" in response.json()


def test_wrong_password_is_refused_and_nothing_changes(setup):
    data, client = setup
    response = _set_account(client, password="not-it")
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_password"
    with schema_context("org_noord"):
        assert not BankAccount.objects.filter(customer__customer_number=data["number"]).exists()


def test_mandate_needs_an_account_consent_and_password(setup):
    _data, client = setup
    assert client.post(MANDATE, {"consent": True, "password": PASSWORD}, format="json").json()["code"] == (
        "no_bank_account"
    )
    _set_account(client)
    refused = client.post(MANDATE, {"consent": False, "password": PASSWORD}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "consent_required")
    wrong = client.post(MANDATE, {"consent": True, "password": "nope"}, format="json")
    assert wrong.json()["code"] == "wrong_password"


def test_give_and_withdraw_mandate(setup):
    data, client = setup
    _set_account(client)
    response = client.post(MANDATE, {"consent": True, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    organisation = Organisation.objects.get(schema_name="org_noord")
    today = datetime.now(organisation.zone).date().isoformat()
    assert body["mandate_status"] == "active"
    assert body["mandate_signed_on"] == today
    assert re.fullmatch(r"EP\d+-[0-9A-F]{12}", body["mandate_reference"])
    again = client.post(MANDATE, {"consent": True, "password": PASSWORD}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "mandate_active")
    # A new account keeps the mandate (an amendment), with the same reference.
    moved = _set_account(client, iban="NL91 ABNA 0417 1643 00").json()
    assert (moved["mandate_status"], moved["mandate_reference"]) == ("active", body["mandate_reference"])
    withdrawn = client.delete(MANDATE)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["mandate_status"] == "withdrawn"
    assert withdrawn.json()["mandate_withdrawn_on"] == today
    assert client.delete(MANDATE).json()["code"] == "no_mandate"
    renewed = client.post(MANDATE, {"consent": True, "password": PASSWORD}, format="json").json()
    assert renewed["mandate_reference"] != body["mandate_reference"]
    with schema_context("org_noord"):
        changes = [
            c.data["bank_account"]["change"]
            for c in PortalChange.objects.filter(customer_number=data["number"]).order_by("id")
            if "bank_account" in c.data
        ]
    assert changes == [
        "account_changed",
        "mandate_given",
        "account_changed",
        "mandate_withdrawn",
        "mandate_given",
    ]
    subjects = [m.subject for m in outbox("org_noord", data["email"], "bank_account_changed")]
    assert "Your direct debit was switched on" in subjects
    assert "Your direct debit was stopped" in subjects


def test_dutch_email(setup, client_for):
    data, client = setup
    client.patch("/api/portal/details/", {"language": "nl"}, format="json")
    _set_account(client)
    [mail] = outbox("org_noord", data["email"], "bank_account_changed")
    assert "rekening" in mail.subject.lower()


def test_changes_refused_during_impersonation(setup, client_for):
    data, _client = setup
    staff = as_staff_client(client_for("portal.noord.test"))
    with schema_context("org_noord"):
        customer_id = Customer.objects.get(customer_number=data["number"]).pk
    key = staff.post(f"/api/admin/customers/{customer_id}/portal/impersonate/", {}, format="json").json()[
        "key"
    ]
    impersonating = client_for("portal.noord.test")
    impersonating.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert impersonating.get(URL).status_code == 200
    for response in (
        _set_account(impersonating),
        impersonating.post(MANDATE, {"consent": True, "password": PASSWORD}, format="json"),
        impersonating.delete(MANDATE),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "not_allowed_during_impersonation"


def test_only_ones_own_account(setup, client_for):
    data, client = setup
    _set_account(client)
    other = billing_customer()
    other_client = resident_client(client_for, other)
    assert other_client.get(URL).json()["iban"] == ""
    assert other_client.delete(MANDATE).json()["code"] == "no_mandate"
    with schema_context("org_noord"):
        assert BankAccount.objects.get(customer__customer_number=data["number"]).iban == "BE71096123456769"


# -- the page --------------------------------------------------------------------------------------


def test_page_changes_account_gives_and_withdraws_mandate(db):
    from tests.support.web import logged_in, make_resident, text

    data = billing_customer()
    make_resident(data)
    client = logged_in(data)
    assert "/my-details/bank-account/" in text(client.get("/my-details/"))
    page = text(client.get("/my-details/bank-account/"))
    assert "No bank account yet" in page
    assert "Switch on direct debit" not in page
    refused = client.post(
        "/my-details/bank-account/",
        {"form": "account", "iban": "BE71 0961 2345 6768", "account_holder": "Bill", "password": PASSWORD},
    )
    assert refused.status_code == 200
    assert "This IBAN is not valid: check the number." in text(refused)
    saved = client.post(
        "/my-details/bank-account/",
        {"form": "account", "iban": IBAN, "account_holder": "Bill Payer", "password": PASSWORD},
    )
    assert saved.status_code == 302
    page = text(client.get("/my-details/bank-account/"))
    assert "Your bank account was changed." in page
    assert "BE71 •••• 6769" in page
    no_consent = client.post("/my-details/bank-account/", {"form": "mandate", "password": PASSWORD})
    assert "Agree to the direct debit mandate to switch it on." in text(no_consent)
    given = client.post(
        "/my-details/bank-account/", {"form": "mandate", "consent": "on", "password": PASSWORD}
    )
    assert given.status_code == 302
    with schema_context("org_noord"):
        bank = BankAccount.objects.get(customer__customer_number=data["number"])
    assert bank.mandate_status == "active"
    page = text(client.get("/my-details/bank-account/"))
    assert bank.mandate_reference in page
    assert "Stop direct debit" in page
    assert client.post("/my-details/bank-account/", {"form": "withdraw"}).status_code == 302
    with schema_context("org_noord"):
        bank.refresh_from_db()
    assert bank.mandate_status == "withdrawn"


def test_page_in_dutch_and_french(db):
    from tests.support.web import logged_in, make_resident, text

    data = billing_customer()
    make_resident(data)
    for language, title in (
        ("nl", "Bankrekening en domiciliëring"),
        ("fr", "Compte bancaire et domiciliation"),
    ):
        with schema_context("org_noord"):
            PortalAccount.objects.filter(login_email=data["email"]).update(language=language)
        client = logged_in(data)
        assert title in text(client.get("/my-details/bank-account/"))
