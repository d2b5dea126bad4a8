"""Impersonation ends at logout and at expiry, and every end is in the customer's activity log."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from credentials.models import AccessToken
from memberships.models import ImpersonationSession, StaffMembership
from memberships.tasks import close_expired_impersonations
from tests.support.residents import active_resident
from tests.support.staff import add_staff, staff_client


def _start(staff, customer) -> dict:
    response = staff.post(f"/api/admin/customers/{customer.pk}/portal/impersonate/", {}, format="json")
    assert response.status_code == 201
    return response.json()


def _session(session_id: int) -> ImpersonationSession:
    with schema_context("org_noord"):
        return ImpersonationSession.objects.get(pk=session_id)


def _stops(customer) -> list[ActivityEvent]:
    with schema_context("org_noord"):
        return list(
            ActivityEvent.objects.filter(
                customer_id=customer.pk, kind=ActivityEvent.Kind.IMPERSONATION_STOPPED
            )
        )


def _expire(session_id: int, *, token_too: bool) -> None:
    past = timezone.now() - timedelta(seconds=1)
    with schema_context("org_noord"):
        session = ImpersonationSession.objects.get(pk=session_id)
        ImpersonationSession.objects.filter(pk=session_id).update(expires_at=past)
        if token_too:
            AccessToken.objects.filter(pk=session.access_token_id).update(expires_at=past)


def test_logout_with_an_impersonation_token_stops_it(noord_client, client_for):
    staff_client(noord_client)
    customer = active_resident()
    body = _start(noord_client, customer)
    as_resident = client_for("portal.noord.test")
    as_resident.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    assert as_resident.get("/api/portal/me/").status_code == 200

    assert as_resident.post("/api/auth/logout/", REMOTE_ADDR="198.51.100.20").status_code == 204
    session = _session(body["session"]["id"])
    assert session.ended_at is not None
    assert session.ended_by == "logout"
    assert session.access_token_id is None
    assert as_resident.get("/api/portal/me/").json()["code"] == "token_invalid"
    [stopped] = _stops(customer)
    assert (stopped.actor, stopped.actor_email, stopped.ip) == ("staff", "admin@noord.test", "198.51.100.20")
    assert stopped.data["ended_by"] == "logout"
    with schema_context("org_noord"):
        # The staff member's logout is not put in the resident's name.
        assert not ActivityEvent.objects.filter(customer_id=customer.pk, kind="logout").exists()
    listed = noord_client.get("/api/admin/impersonations/").json()["results"][0]
    assert (listed["is_live"], listed["ended_by"]) == (False, "logout")


def test_a_residents_own_logout_is_logged(noord_client):
    customer = active_resident()
    key = noord_client.post(
        "/api/auth/login/", {"email": customer.email, "password": "a-fine-portal-password"}, format="json"
    ).json()["key"]
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert noord_client.post("/api/auth/logout/").status_code == 204
    with schema_context("org_noord"):
        [event] = ActivityEvent.objects.filter(customer_id=customer.pk, kind="logout")
    assert (event.actor, event.actor_email) == ("resident", customer.email)


def test_expired_session_is_closed_on_first_refused_use(noord_client, client_for):
    staff_client(noord_client)
    customer = active_resident()
    body = _start(noord_client, customer)
    _expire(body["session"]["id"], token_too=False)
    as_resident = client_for("portal.noord.test")
    as_resident.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    refused = as_resident.get("/api/portal/me/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "impersonation_ended"
    session = _session(body["session"]["id"])
    assert (session.ended_by, session.access_token_id) == ("expired", None)
    assert session.ended_at is not None
    [stopped] = _stops(customer)
    assert (stopped.actor, stopped.actor_user_id) == ("system", None)
    assert stopped.data == {"session": session.pk, "ended_by": "expired", "staff_email": "admin@noord.test"}
    assert as_resident.get("/api/portal/me/").status_code == 401
    assert len(_stops(customer)) == 1  # closed once


def test_expired_token_closes_its_session_at_authentication(noord_client, client_for):
    """In real life token and session run out together: the token check itself closes the session."""
    staff_client(noord_client)
    customer = active_resident()
    body = _start(noord_client, customer)
    _expire(body["session"]["id"], token_too=True)
    as_resident = client_for("portal.noord.test")
    as_resident.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    refused = as_resident.get("/api/portal/me/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "impersonation_ended"
    assert _session(body["session"]["id"]).ended_by == "expired"
    assert [event.data["ended_by"] for event in _stops(customer)] == ["expired"]
    assert as_resident.get("/api/portal/me/").json()["code"] == "token_invalid"  # the token is gone


def test_periodic_task_closes_expired_sessions(noord_client, client_for):
    add_staff("second@noord.test", StaffMembership.Role.STAFF, can_impersonate=True)
    first_staff = staff_client(noord_client)
    second_staff = staff_client(client_for("portal.noord.test"), "second@noord.test")
    expired_customer, live_customer = active_resident(), active_resident()
    expired = _start(first_staff, expired_customer)
    live = _start(second_staff, live_customer)
    _expire(expired["session"]["id"], token_too=True)

    assert close_expired_impersonations() == 1
    assert close_expired_impersonations() == 0
    session = _session(expired["session"]["id"])
    assert (session.ended_by, session.access_token_id) == ("expired", None)
    assert [event.data["ended_by"] for event in _stops(expired_customer)] == ["expired"]
    assert _session(live["session"]["id"]).ended_at is None
    assert _stops(live_customer) == []
    assert "memberships.tasks.close_expired_impersonations" in {
        entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
    }


def test_staff_stop_after_expiry_is_recorded_as_expired(noord_client):
    staff_client(noord_client)
    customer = active_resident()
    body = _start(noord_client, customer)
    _expire(body["session"]["id"], token_too=False)
    stopped = noord_client.post(f"/api/admin/impersonations/{body['session']['id']}/stop/").json()
    assert (stopped["is_live"], stopped["ended_by"]) == (False, "expired")
    assert [event.data["ended_by"] for event in _stops(customer)] == ["expired"]


def test_browser_impersonation_closes_at_expiry(noord_client):
    staff_client(noord_client)
    customer = active_resident()
    body = _start(noord_client, customer)
    browser = Client(HTTP_HOST="portal.noord.test", HTTP_ACCEPT_LANGUAGE="en")
    started = browser.post("/impersonation/start/", {"key": body["key"]})
    assert started["Location"] == "/overview/"
    assert browser.get("/overview/").status_code == 200
    _expire(body["session"]["id"], token_too=True)
    assert browser.get("/overview/")["Location"].startswith("/login/")
    assert _session(body["session"]["id"]).ended_by == "expired"
    assert [event.data["ended_by"] for event in _stops(customer)] == ["expired"]
