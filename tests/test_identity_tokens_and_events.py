"""Token expiry (reset, invitations) and the activity log's actor and IP for account events."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from credentials.models import OneTimeToken
from memberships.models import PortalAccount, StaffMembership
from memberships.services.staff import invite_staff_member
from tenants.models import Organisation
from tests.support.factories import last_link, make_customer, process_account_requests
from tests.support.residents import PASSWORD, active_resident, login
from tests.support.staff import staff_client

CLIENT_IP = "203.0.113.77"


def _expire(purpose: str, schema: str = "org_noord") -> None:
    with schema_context(schema):
        OneTimeToken.objects.filter(purpose=purpose, used_at=None).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )


def _events(customer, kind):
    with schema_context("org_noord"):
        return list(ActivityEvent.objects.filter(customer_id=customer.pk, kind=kind).order_by("id"))


# -- expiry --------------------------------------------------------------------------------------
def test_password_reset_link_expires(noord_client):
    customer = active_resident()
    noord_client.post("/api/auth/password/reset/", {"email": customer.email}, format="json")
    assert process_account_requests("org_noord") == ["sent"]
    token = last_link("org_noord", customer.email, "password_reset", "/reset-password/")
    _expire("password_reset")
    response = noord_client.post(
        "/api/auth/password/reset/confirm/",
        {"token": token, "new_password": "brand-new-secret-42"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "token_expired",
        "token": ["This link has expired. Ask for a new one."],
    }
    assert login(noord_client, customer.email).status_code == 200  # the password did not change
    assert login(noord_client, customer.email, "brand-new-secret-42").json()["code"] == "invalid_credentials"


def test_portal_invitation_expires(noord_client, client_for):
    staff_client(noord_client)
    customer = make_customer()
    assert (
        noord_client.post(f"/api/admin/customers/{customer.pk}/portal/invite/", {}, format="json").status_code
        == 200
    )
    token = last_link("org_noord", customer.email, "portal_invitation", "/activate/")
    _expire("invitation")
    visitor = client_for("portal.noord.test")
    details = visitor.get(f"/api/auth/activation/{token}/")
    assert details.status_code == 400
    assert details.json()["code"] == "token_expired"
    response = visitor.post("/api/auth/activation/", {"token": token, "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "token_expired",
        "token": ["This link has expired. Ask for a new one."],
    }
    with schema_context("org_noord"):
        assert not PortalAccount.objects.filter(customer_id=customer.pk).exists()


def test_staff_invitation_expires(noord_client):
    organisation = Organisation.objects.get(schema_name="org_noord")
    with schema_context("org_noord"):
        invitation = invite_staff_member(organisation=organisation, email="late@noord.test")
    _expire("invitation")
    details = noord_client.get(f"/api/auth/invitations/{invitation.raw_token}/")
    assert details.status_code == 400
    assert details.json()["code"] == "token_expired"
    response = noord_client.post(
        "/api/auth/invitations/accept/", {"token": invitation.raw_token, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "token_expired"
    with schema_context("org_noord"):
        assert StaffMembership.objects.get(email="late@noord.test").status == StaffMembership.Status.INVITED


# -- events with actor and IP ----------------------------------------------------------------------
def test_failed_login_is_logged_with_ip_and_no_actor(noord_client):
    customer = active_resident()
    response = noord_client.post(
        "/api/auth/login/",
        {"email": customer.email, "password": "not-the-password-1"},
        format="json",
        REMOTE_ADDR=CLIENT_IP,
        HTTP_USER_AGENT="probe/1.0",
    )
    assert response.json()["code"] == "invalid_credentials"
    [event] = _events(customer, ActivityEvent.Kind.LOGIN_FAILED)
    assert (event.actor, event.actor_user_id, event.actor_email) == ("anonymous", None, "")
    assert (event.ip, event.user_agent) == (CLIENT_IP, "probe/1.0")


def test_failed_login_shows_in_the_staff_activity_log(noord_client, client_for):
    customer = active_resident()
    client_for("portal.noord.test").post(
        "/api/auth/login/",
        {"email": customer.email, "password": "not-the-password-1"},
        format="json",
        REMOTE_ADDR=CLIENT_IP,
    )
    staff_client(noord_client)
    [row] = [
        row
        for row in noord_client.get(f"/api/admin/customers/{customer.pk}/portal/activity/").json()["results"]
        if row["kind"] == "login_failed"
    ]
    assert (row["actor"], row["actor_email"], row["ip"], row["kind_label"]) == (
        "anonymous",
        "",
        CLIENT_IP,
        "Failed login",
    )


def test_password_reset_requested_and_done_are_logged(noord_client):
    customer = active_resident()
    noord_client.post(
        "/api/auth/password/reset/", {"email": customer.email}, format="json", REMOTE_ADDR=CLIENT_IP
    )
    assert process_account_requests("org_noord") == ["sent"]
    [requested] = _events(customer, ActivityEvent.Kind.PASSWORD_RESET_REQUESTED)
    assert (requested.actor, requested.actor_user_id, requested.ip) == ("anonymous", None, CLIENT_IP)

    token = last_link("org_noord", customer.email, "password_reset", "/reset-password/")
    done = noord_client.post(
        "/api/auth/password/reset/confirm/",
        {"token": token, "new_password": "brand-new-secret-42"},
        format="json",
        REMOTE_ADDR="198.51.100.3",
    )
    assert done.status_code == 200
    [event] = _events(customer, ActivityEvent.Kind.PASSWORD_RESET_DONE)
    assert event.actor == "resident"
    assert event.actor_email == customer.email
    assert event.ip == "198.51.100.3"


def test_password_reset_sent_by_staff_is_logged_as_staff(noord_client):
    staff_client(noord_client)
    customer = active_resident()
    response = noord_client.post(
        f"/api/admin/customers/{customer.pk}/portal/send-password-reset/", REMOTE_ADDR=CLIENT_IP
    )
    assert response.json()["code"] == "password_reset_sent"
    [event] = _events(customer, ActivityEvent.Kind.PASSWORD_RESET_REQUESTED)
    assert (event.actor, event.actor_email, event.ip) == ("staff", "admin@noord.test", CLIENT_IP)
