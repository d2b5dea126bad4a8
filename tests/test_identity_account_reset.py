"""Resetting a portal account removes the resident side only; the identity and its password stay."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django_tenants.utils import schema_context

from accounts.models import User
from credentials.models import OneTimeToken
from memberships.models import PortalAccount, StaffMembership
from tests.support.factories import last_link, make_customer, outbox, process_account_requests
from tests.support.organisations import PASSWORD as STAFF_PASSWORD
from tests.support.residents import PASSWORD, active_resident, login
from tests.support.staff import add_staff, staff_client


def _sessions_of(user) -> int:
    with schema_context("org_noord"):
        return sum(
            1
            for session in Session.objects.all()
            if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
        )


def _reset(staff, customer):
    response = staff.post(f"/api/admin/customers/{customer.pk}/portal/reset/")
    assert response.status_code == 200
    assert response.json()["code"] == "account_reset"


def test_reset_of_a_resident_who_is_also_staff_keeps_the_staff_side(noord_client, client_for):
    customer = active_resident(email="admin@noord.test")  # the administrator is also a customer here
    person = client_for("portal.noord.test")
    body = login(person, "admin@noord.test", STAFF_PASSWORD).json()
    assert body["roles"] == ["staff:admin", "resident"]
    person.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    assert person.get("/api/portal/me/").status_code == 200
    person.post("/api/auth/password/reset/", {"email": "admin@noord.test"}, format="json")
    assert process_account_requests("org_noord") == ["sent"]
    reset_link = last_link("org_noord", "admin@noord.test", "password_reset", "/reset-password/")
    user = User.objects.get(email="admin@noord.test")
    sessions_before = _sessions_of(user)
    assert sessions_before >= 1

    add_staff("resetter@noord.test", StaffMembership.Role.STAFF)
    _reset(staff_client(client_for("portal.noord.test"), "resetter@noord.test"), customer)

    # The resident side is gone ...
    refused = person.get("/api/portal/me/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_a_resident"
    with schema_context("org_noord"):
        assert not PortalAccount.objects.filter(customer_id=customer.pk).exists()
    # ... the staff token, sessions and reset link are not.
    assert person.get("/api/admin/customers/").status_code == 200
    assert _sessions_of(user) == sessions_before
    done = client_for("portal.noord.test").post(
        "/api/auth/password/reset/confirm/",
        {"token": reset_link, "new_password": "brand-new-secret-42"},
        format="json",
    )
    assert done.status_code == 200
    assert done.json()["code"] == "password_reset"


def test_reset_of_a_resident_ends_tokens_sessions_and_links(noord_client, client_for):
    customer = active_resident()
    user = User.objects.get(email=customer.email)
    browser = client_for("portal.noord.test")
    key = login(browser, customer.email).json()["key"]  # also opens a session (cookie)
    assert browser.get("/api/portal/me/").status_code == 200  # by the session cookie alone
    browser.post("/api/auth/password/reset/", {"email": customer.email}, format="json")
    process_account_requests("org_noord")
    reset_link = last_link("org_noord", customer.email, "password_reset", "/reset-password/")
    assert _sessions_of(user) >= 1

    _reset(staff_client(noord_client), customer)

    assert _sessions_of(user) == 0
    anonymous = browser.get("/api/portal/me/")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    browser.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert browser.get("/api/portal/me/").json()["code"] == "token_invalid"
    browser.credentials()
    used = browser.post(
        "/api/auth/password/reset/confirm/",
        {"token": reset_link, "new_password": "brand-new-secret-42"},
        format="json",
    )
    assert used.json()["code"] == "token_invalid"
    with schema_context("org_noord"):
        assert not OneTimeToken.objects.filter(
            subject=f"user:{user.pk}", used_at=None, revoked_at=None
        ).exists()


def test_after_a_reset_the_existing_password_is_the_one_to_use(noord_client, client_for):
    """What the reset email promises: register again, confirm, log in with the password you had."""
    customer = active_resident()
    identity = User.objects.get(email=customer.email)
    _reset(staff_client(noord_client), customer)
    assert User.objects.filter(pk=identity.pk).exists()  # the identity is kept
    [notice] = outbox("org_noord", customer.email, "account_reset")
    assert "http://portal.noord.test:8000/register" in notice.body_text
    kept = (
        "Your login with this email address was kept, because it may also be used elsewhere. After "
        "registering again and confirming your address, log in with the password you already use; the "
        "password you choose when registering again is not used. Forgot it? Use “I forgot my password” "
        "on the login page."
    )
    assert kept in notice.body_text
    assert kept in notice.body_html

    visitor = client_for("portal.noord.test")
    again = visitor.post(
        "/api/auth/register/",
        {
            "customer_number": customer.customer_number,
            "email": customer.email,
            "password": "another-new-pass-77",
        },
        format="json",
    )
    assert again.status_code == 202
    [confirmation] = outbox("org_noord", customer.email, "registration_confirmation")[-1:]
    assert "log in with the password you already use" in confirmation.body_text
    token = last_link("org_noord", customer.email, "registration_confirmation", "/confirm/")
    confirmed = visitor.post("/api/auth/confirm/", {"token": token}, format="json").json()
    assert confirmed["existing_identity"] is True
    assert confirmed["detail"] == (
        "Your email address is confirmed. Log in with the password you already use for this address."
    )
    assert login(visitor, customer.email).status_code == 200
    assert login(visitor, customer.email, "another-new-pass-77").json()["code"] == "invalid_credentials"
    identity.refresh_from_db()
    assert identity.check_password(PASSWORD)


def test_reset_of_a_pending_registration(noord_client):
    customer = make_customer()
    noord_client.post(
        "/api/auth/register/",
        {"customer_number": customer.customer_number, "email": customer.email, "password": PASSWORD},
        format="json",
    )
    token = last_link("org_noord", customer.email, "registration_confirmation", "/confirm/")
    _reset(staff_client(noord_client), customer)
    refused = noord_client.post("/api/auth/confirm/", {"token": token}, format="json")
    assert refused.json()["code"] == "token_invalid"
    assert not User.objects.filter(email=customer.email).exists()
    # No identity behind the address: the email does not speak of a login that was kept.
    [notice] = outbox("org_noord", customer.email, "account_reset")
    assert "register with your customer number" in notice.body_text
    assert "was kept" not in notice.body_text
    assert "was kept" not in notice.body_html
    noord_client.credentials()
    assert login(noord_client, customer.email).json()["code"] == "invalid_credentials"


def test_reset_ends_a_running_impersonation_and_logs_who_ended_it(noord_client, client_for):
    from activity.models import ActivityEvent
    from memberships.models import ImpersonationSession

    customer = active_resident()
    body = (
        staff_client(noord_client)
        .post(f"/api/admin/customers/{customer.pk}/portal/impersonate/", {}, format="json")
        .json()
    )
    add_staff("colleague@noord.test", StaffMembership.Role.STAFF)
    _reset(staff_client(client_for("portal.noord.test"), "colleague@noord.test"), customer)
    as_resident = client_for("portal.noord.test")
    as_resident.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    assert as_resident.get("/api/portal/me/").json()["code"] == "token_invalid"
    with schema_context("org_noord"):
        session = ImpersonationSession.objects.get(pk=body["session"]["id"])
        [stopped] = ActivityEvent.objects.filter(customer_id=customer.pk, kind="impersonation_stopped")
    assert (session.ended_by, session.access_token_id) == ("account_reset", None)
    assert (stopped.actor, stopped.actor_email, stopped.data["ended_by"]) == (
        "staff",
        "colleague@noord.test",
        "account_reset",
    )
