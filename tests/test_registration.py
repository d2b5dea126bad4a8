"""Resident registration, confirmation, login before confirming, resend, language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from activity.models import ActivityEvent
from credentials.models import OneTimeToken
from memberships.models import PortalAccount
from tests.support.common import data_queries
from tests.support.factories import last_link, make_customer, outbox, process_account_requests

PASSWORD = "a-fine-portal-password"


def register(client, customer, **extra):
    payload = {"customer_number": customer.customer_number, "email": customer.email, "password": PASSWORD}
    payload.update(extra)
    return client.post("/api/auth/register/", payload, format="json")


def account_of(customer, schema="org_noord") -> PortalAccount | None:
    with schema_context(schema):
        return PortalAccount.objects.filter(customer_id=customer.pk).first()


def test_register_sends_a_confirmation_and_links_nothing_yet(noord_client):
    customer = make_customer(language="nl")
    response = register(noord_client, customer)
    assert response.status_code == 202
    assert response.json()["code"] == "confirmation_sent"
    account = account_of(customer)
    assert account.status == PortalAccount.Status.NOT_CONFIRMED
    assert account.user_id is None
    assert account.login_email == customer.email
    assert not User.objects.filter(email=customer.email).exists()
    [email] = outbox("org_noord", customer.email, "registration_confirmation")
    assert email.language == "nl"  # the customer record's language wins over the browser's English
    assert account.language == "nl"
    assert "http://portal.noord.test:8000/confirm/" in email.body_text
    with schema_context("org_noord"):
        assert ActivityEvent.objects.filter(customer_id=customer.pk, kind="registered").count() == 1


def test_register_in_dutch_gets_a_dutch_email(client_for, db):
    customer = make_customer(language="nl")
    response = register(client_for("portal.noord.test", language="nl"), customer)
    assert response.status_code == 202
    assert "e-mail" in response.json()["detail"].lower()
    [email] = outbox("org_noord", customer.email, "registration_confirmation")
    assert email.language == "nl"
    assert "Bevestig" in email.subject


@pytest.mark.parametrize(
    ("record_language", "sent", "browser", "expected"),
    [
        ("nl", "fr", "en", "fr"),  # an explicit choice wins
        ("nl", None, "fr", "nl"),  # else the customer record's language
        ("", None, "fr", "fr"),  # else the browser's
    ],
)
def test_registration_language(client_for, db, record_language, sent, browser, expected):
    customer = make_customer(language=record_language)
    extra = {"language": sent} if sent else {}
    response = register(client_for("portal.noord.test", language=browser), customer, **extra)
    assert response.status_code == 202
    assert account_of(customer).language == expected
    [email] = outbox("org_noord", customer.email, "registration_confirmation")
    assert email.language == expected


def test_register_with_another_login_address(noord_client):
    customer = make_customer()
    response = register(noord_client, customer, login_email="Other.Address@Example.test")
    assert response.status_code == 202
    assert account_of(customer).login_email == "other.address@example.test"
    assert outbox("org_noord", "other.address@example.test", "registration_confirmation")
    [notice] = outbox("org_noord", customer.email, "registration_notice")
    assert "other.address@example.test" in notice.body_text


@pytest.mark.parametrize("mistake", ["unknown_number", "wrong_email", "no_email_on_record"])
def test_wrong_customer_details_get_one_clear_answer(noord_client, mistake):
    customer = make_customer(email="" if mistake == "no_email_on_record" else "right@example.test")
    number = "NOPE-1" if mistake == "unknown_number" else customer.customer_number
    email = "wrong@example.test" if mistake == "wrong_email" else "right@example.test"
    response = noord_client.post(
        "/api/auth/register/",
        {"customer_number": number, "email": email, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "registration_not_possible",
        "detail": "We cannot register an account with this customer number and email address. "
        "Check both on one of your invoices, or contact us.",
    }
    assert account_of(customer) is None


def test_already_registered_customer_number(noord_client):
    customer = make_customer()
    register(noord_client, customer)
    token = last_link("org_noord", customer.email, "registration_confirmation", "/confirm/")
    assert noord_client.post("/api/auth/confirm/", {"token": token}, format="json").status_code == 200
    response = register(noord_client, customer)
    assert response.status_code == 400
    assert response.json()["code"] == "already_registered"


def test_weak_password_is_a_field_error_and_saves_nothing(noord_client):
    customer = make_customer()
    response = register(noord_client, customer, password="12345")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "password_invalid"
    assert "password" in body
    assert account_of(customer) is None
    assert outbox("org_noord", customer.email) == []


def test_bad_input_is_named_per_field(noord_client):
    response = noord_client.post("/api/auth/register/", {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert {"customer_number", "email", "password"} <= set(response.json())


def test_login_before_confirming(noord_client):
    customer = make_customer()
    register(noord_client, customer)
    response = noord_client.post(
        "/api/auth/login/", {"email": customer.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "email_not_confirmed"
    wrong = noord_client.post(
        "/api/auth/login/", {"email": customer.email, "password": "not-it-at-all"}, format="json"
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_credentials"


def test_confirm_then_log_in(noord_client):
    customer = make_customer()
    register(noord_client, customer)
    token = last_link("org_noord", customer.email, "registration_confirmation", "/confirm/")
    response = noord_client.post("/api/auth/confirm/", {"token": token}, format="json")
    assert response.status_code == 200
    assert response.json()["existing_identity"] is False
    account = account_of(customer)
    assert account.status == PortalAccount.Status.ACTIVE
    assert account.pending_password == ""
    login = noord_client.post(
        "/api/auth/login/", {"email": customer.email, "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200
    assert login.json()["roles"] == ["resident"]
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['key']}")
    me = noord_client.get("/api/portal/me/").json()
    assert me["customer"]["customer_number"] == customer.customer_number
    assert me["impersonation"] is None
    with schema_context("org_noord"):
        kinds = list(ActivityEvent.objects.filter(customer_id=customer.pk).values_list("kind", flat=True))
    assert kinds == ["login", "confirmed", "registered"]


def test_confirmation_token_is_single_use(noord_client):
    customer = make_customer()
    register(noord_client, customer)
    token = last_link("org_noord", customer.email, "registration_confirmation", "/confirm/")
    assert noord_client.post("/api/auth/confirm/", {"token": token}, format="json").status_code == 200
    again = noord_client.post("/api/auth/confirm/", {"token": token}, format="json")
    assert again.status_code == 400
    assert again.json() == {
        "code": "token_used",
        "token": ["This link has already been used. Ask for a new one if you still need it."],
    }


def test_confirmation_token_expires(noord_client):
    customer = make_customer()
    register(noord_client, customer)
    token = last_link("org_noord", customer.email, "registration_confirmation", "/confirm/")
    with schema_context("org_noord"):
        OneTimeToken.objects.filter(purpose="confirmation").update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    response = noord_client.post("/api/auth/confirm/", {"token": token}, format="json")
    assert response.json()["code"] == "token_expired"
    assert account_of(customer).status == PortalAccount.Status.NOT_CONFIRMED


@pytest.mark.parametrize("token", ["", "garbage", "a.b", "x" * 300, "abc.def.ghi"])
def test_malformed_tokens_are_refused(noord_client, token):
    response = noord_client.post("/api/auth/confirm/", {"token": token}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] in {"token_invalid", "invalid"}


def test_a_newer_confirmation_revokes_the_older(noord_client):
    customer = make_customer()
    register(noord_client, customer)
    first = last_link("org_noord", customer.email, "registration_confirmation", "/confirm/")
    noord_client.post("/api/auth/confirmation/resend/", {"email": customer.email}, format="json")
    assert process_account_requests("org_noord") == ["sent"]
    second = last_link("org_noord", customer.email, "registration_confirmation", "/confirm/")
    assert first != second
    assert (
        noord_client.post("/api/auth/confirm/", {"token": first}, format="json").json()["code"]
        == "token_invalid"
    )
    assert noord_client.post("/api/auth/confirm/", {"token": second}, format="json").status_code == 200


def test_resend_answers_the_same_for_known_and_unknown_addresses(noord_client):
    customer = make_customer()
    register(noord_client, customer)
    noord_client.get("/api/portal/site/")  # warm the host routing, which is not what is compared here
    answers, counts = [], []
    for email in (customer.email, "nobody-here@example.test"):
        with CaptureQueriesContext(connection) as queries:
            response = noord_client.post("/api/auth/confirmation/resend/", {"email": email}, format="json")
        answers.append((response.status_code, response.json()))
        counts.append(len(data_queries(queries)))
    assert answers[0] == answers[1]
    assert answers[0][0] == 202
    assert counts[0] == counts[1]
    assert sorted(process_account_requests("org_noord")) == ["nothing_to_send", "sent"]


def test_token_of_one_organisation_does_not_confirm_on_another(noord_client, zuid_client):
    customer = make_customer()
    register(noord_client, customer)
    token = last_link("org_noord", customer.email, "registration_confirmation", "/confirm/")
    response = zuid_client.post("/api/auth/confirm/", {"token": token}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "token_invalid"
    assert account_of(customer).status == PortalAccount.Status.NOT_CONFIRMED


def test_existing_identity_elsewhere_is_never_changed_or_revealed(noord_client, zuid_client):
    """Registering on zuid with an address that has an identity from noord."""
    noord_customer = make_customer("org_noord", email="both@example.test")
    register(noord_client, noord_customer)
    token = last_link("org_noord", "both@example.test", "registration_confirmation", "/confirm/")
    noord_client.post("/api/auth/confirm/", {"token": token}, format="json")
    identity = User.objects.get(email="both@example.test")
    password_hash = identity.password

    zuid_customer = make_customer("org_zuid", email="both@example.test")
    fresh_customer = make_customer("org_zuid", email="fresh@example.test")
    existing = register(zuid_client, zuid_customer, password="another-password-77")
    fresh = register(zuid_client, fresh_customer, password="another-password-77")
    assert (existing.status_code, existing.json()) == (fresh.status_code, fresh.json())

    identity.refresh_from_db()
    assert identity.password == password_hash  # untouched
    assert account_of(zuid_customer, "org_zuid").user_id is None  # no link before confirmation
    assert (
        zuid_client.post(
            "/api/auth/login/", {"email": "both@example.test", "password": PASSWORD}, format="json"
        ).json()["code"]
        == "email_not_confirmed"
    )

    token = last_link("org_zuid", "both@example.test", "registration_confirmation", "/confirm/")
    confirmed = zuid_client.post("/api/auth/confirm/", {"token": token}, format="json").json()
    assert confirmed["existing_identity"] is True
    assert account_of(zuid_customer, "org_zuid").user_id == identity.pk
    identity.refresh_from_db()
    assert identity.password == password_hash
    old = zuid_client.post(
        "/api/auth/login/", {"email": "both@example.test", "password": PASSWORD}, format="json"
    )
    assert old.status_code == 200
    new = zuid_client.post(
        "/api/auth/login/", {"email": "both@example.test", "password": "another-password-77"}, format="json"
    )
    assert new.json()["code"] == "invalid_credentials"


def _login(client, email, password=PASSWORD):
    return client.post("/api/auth/login/", {"email": email, "password": password}, format="json")


def _assert_unchanged(owner, owner_before, identity_before) -> None:
    """Nothing of the existing account or identity changed."""
    owner_after = account_of(owner)
    assert (owner_after.pk, owner_after.login_email, owner_after.user_id, owner_after.pending_password) == (
        owner_before.pk,
        owner_before.login_email,
        owner_before.user_id,
        owner_before.pending_password,
    )
    assert (
        User.objects.filter(email="shared@example.test").values_list("password", flat=True).first()
        == identity_before
    )


def _assert_logins_answer_the_same(noord_client) -> None:
    """Logging in with the chosen password answers the same for a taken and an unused address
    (with the same number of queries), and a wrong one likewise."""
    answers, counts = [], []
    for address in ("shared@example.test", "unused@example.test"):
        with CaptureQueriesContext(connection) as queries:
            right = _login(noord_client, address, "probe-pass-123")
        wrong = _login(noord_client, address, "nope-99999")
        answers.append((right.status_code, right.json(), wrong.status_code, wrong.json()))
        counts.append(len(data_queries(queries)))
    assert answers[0] == answers[1]
    assert (answers[0][0], answers[0][1]["code"]) == (403, "email_not_confirmed")
    assert (answers[0][2], answers[0][3]["code"]) == (400, "invalid_credentials")
    assert counts[0] == counts[1]


@pytest.mark.parametrize("owner_state", ["pending", "active"])
def test_address_already_used_by_another_customer_answers_the_same(noord_client, owner_state):
    """No answer, nor a later login, tells a registrant that an address already has an account."""
    owner = make_customer(email="shared@example.test")
    register(noord_client, owner, password="the-owners-password-1")
    if owner_state == "active":
        token = last_link("org_noord", "shared@example.test", "registration_confirmation", "/confirm/")
        assert noord_client.post("/api/auth/confirm/", {"token": token}, format="json").status_code == 200
    owner_before = account_of(owner)
    identity_before = (
        User.objects.filter(email="shared@example.test").values_list("password", flat=True).first()
    )

    # The same registrant does the same thing with a taken and with an unused address.
    taken_customer = make_customer(email="second@example.test")
    unused_customer = make_customer(email="third@example.test")
    taken = register(
        noord_client, taken_customer, login_email="Shared@Example.test", password="probe-pass-123"
    )
    unused = register(
        noord_client, unused_customer, login_email="unused@example.test", password="probe-pass-123"
    )
    assert (taken.status_code, taken.json()) == (unused.status_code, unused.json())
    assert taken.status_code == 202

    _assert_logins_answer_the_same(noord_client)

    # The record address gets the same notice in both cases; the owner learns of the attempt.
    for customer, login in (
        (taken_customer, "shared@example.test"),
        (unused_customer, "unused@example.test"),
    ):
        [notice] = outbox("org_noord", customer.email, "registration_notice")
        assert login in notice.body_text
    assert outbox("org_noord", "shared@example.test", "registration_address_in_use")

    _assert_unchanged(owner, owner_before, identity_before)
    assert account_of(taken_customer) is None
    if owner_state == "active":
        assert _login(noord_client, "shared@example.test", "the-owners-password-1").status_code == 200
    else:
        # The owner's own pending registration still answers "not confirmed" to the owner's
        # password once the probe is no longer the newest registration of the address.
        with schema_context("org_noord"):
            from memberships.models import AddressInUseRegistration

            AddressInUseRegistration.objects.filter(customer_id=taken_customer.pk).delete()
        assert _login(noord_client, "shared@example.test", "the-owners-password-1").json()["code"] == (
            "email_not_confirmed"
        )


def test_probing_a_taken_address_replaces_the_registrants_own_pending_registration(noord_client):
    """As a new registration would: an earlier pending login of the registrant stops answering."""
    owner = make_customer(email="owner@example.test")
    register(noord_client, owner)
    prober = make_customer(email="prober@example.test")
    register(noord_client, prober, login_email="first-try@example.test", password="first-pass-123")
    assert (
        _login(noord_client, "first-try@example.test", "first-pass-123").json()["code"]
        == "email_not_confirmed"
    )
    first_token = last_link("org_noord", "first-try@example.test", "registration_confirmation", "/confirm/")

    register(noord_client, prober, login_email="owner@example.test", password="second-pass-123")
    assert (
        _login(noord_client, "first-try@example.test", "first-pass-123").json()["code"]
        == "invalid_credentials"
    )
    assert (
        _login(noord_client, "owner@example.test", "second-pass-123").json()["code"] == "email_not_confirmed"
    )
    assert noord_client.post("/api/auth/confirm/", {"token": first_token}, format="json").json()["code"] == (
        "token_invalid"
    )

    # Registering normally afterwards drops the probe's pending password.
    register(noord_client, prober, password="third-pass-1234")
    assert (
        _login(noord_client, "owner@example.test", "second-pass-123").json()["code"] == "invalid_credentials"
    )
    with schema_context("org_noord"):
        from memberships.models import AddressInUseRegistration

        assert not AddressInUseRegistration.objects.filter(customer_id=prober.pk).exists()
    assert account_of(owner).login_email == "owner@example.test"


def test_resident_language_preference_drives_messages_and_emails(noord_client):
    customer = make_customer()
    register(noord_client, customer)
    noord_client.post(
        "/api/auth/confirm/",
        {"token": last_link("org_noord", customer.email, "registration_confirmation", "/confirm/")},
        format="json",
    )
    key = noord_client.post(
        "/api/auth/login/", {"email": customer.email, "password": PASSWORD}, format="json"
    ).json()["key"]
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = noord_client.patch("/api/portal/me/", {"language": "fr"}, format="json")
    assert response.json()["language"] == "fr"
    assert response["Content-Language"] == "fr"
    bad = noord_client.patch("/api/portal/me/", {"language": "xx"}, format="json")
    assert bad.status_code == 400
    assert "valide" in bad.json()["language"][0]  # DRF's own message, in French
    noord_client.post("/api/auth/password/reset/", {"email": customer.email}, format="json")
    process_account_requests("org_noord")
    [email] = outbox("org_noord", customer.email, "password_reset")
    assert email.language == "fr"
    assert "mot de passe" in email.subject.lower()
