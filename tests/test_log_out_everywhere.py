"""Log out everywhere: a resident's or a staff member's tokens and sessions end in this organisation only.

Credentials live in the organisation's schema, so the same identity's session on another
organisation's domain goes on (docs/architecture.md, memberships/services/sessions.py).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from activity.models import ActivityEvent
from tests.support.factories import make_customer
from tests.support.organisations import PASSWORD as STAFF_PASSWORD
from tests.support.residents import PASSWORD, active_resident
from tests.support.staff import add_staff

NOORD, ZUID = "portal.noord.test", "portal.zuid.test"


def log_in(host: str, email: str, password: str) -> dict:
    """A token and a session cookie, both issued on ``host`` by one login."""
    client = APIClient(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/api/auth/login/", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return {"token": response.json()["key"], "session": client.cookies[settings.SESSION_COOKIE_NAME].value}


def with_token(host: str, token: str) -> APIClient:
    client = APIClient(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def with_session(host: str, session: str) -> APIClient:
    client = APIClient(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.SESSION_COOKIE_NAME] = session
    return client


def works(client: APIClient) -> bool:
    status = client.get("/api/auth/me/").status_code
    assert status in (200, 401, 403), status
    return status == 200


@pytest.fixture
def admin(db) -> APIClient:
    return with_token(NOORD, log_in(NOORD, "admin@noord.test", STAFF_PASSWORD)["token"])


def test_resident_tokens_and_sessions_end_here_only(admin):
    customer = active_resident()
    here = log_in(NOORD, customer.email, PASSWORD)
    other_token = log_in(NOORD, customer.email, PASSWORD)["token"]
    # The same identity is staff of another organisation, logged in on its domain (same password).
    add_staff(customer.email, "support", schema="org_zuid")
    elsewhere = log_in(ZUID, customer.email, PASSWORD)
    assert works(with_session(NOORD, here["session"]))
    assert works(with_token(NOORD, other_token))

    response = admin.post(f"/api/admin/customers/{customer.pk}/portal/log-out-everywhere/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == "logged_out_everywhere"
    assert body["tokens"] == 2
    assert body["sessions"] == 2
    assert not works(with_session(NOORD, here["session"]))
    assert not works(with_token(NOORD, here["token"]))
    assert not works(with_token(NOORD, other_token))
    assert works(with_session(ZUID, elsewhere["session"]))
    assert works(with_token(ZUID, elsewhere["token"]))
    with schema_context("org_noord"):
        event = ActivityEvent.objects.filter(customer=customer).latest("created_at")
    assert event.kind == ActivityEvent.Kind.LOGGED_OUT_EVERYWHERE
    assert event.actor == ActivityEvent.Actor.STAFF
    assert event.actor_email == "admin@noord.test"
    assert event.data == {"tokens": 2, "sessions": 2}
    # The resident logs in again as usual.
    assert works(with_token(NOORD, log_in(NOORD, customer.email, PASSWORD)["token"]))


def test_support_member_may_log_a_customer_out(db):
    add_staff("helpdesk@noord.test", "support")
    support = with_token(NOORD, log_in(NOORD, "helpdesk@noord.test", STAFF_PASSWORD)["token"])
    customer = active_resident()
    token = log_in(NOORD, customer.email, PASSWORD)["token"]

    assert support.post(f"/api/admin/customers/{customer.pk}/portal/log-out-everywhere/").status_code == 200
    assert not works(with_token(NOORD, token))


def test_no_account_and_unknown_customer_are_404_with_a_code(admin):
    nobody = make_customer()
    response = admin.post(f"/api/admin/customers/{nobody.pk}/portal/log-out-everywhere/")
    assert response.status_code == 404
    assert response.json()["code"] == "no_account"
    assert admin.post("/api/admin/customers/999999/portal/log-out-everywhere/").status_code == 404


def test_staff_member_logged_out_by_an_administrator_only(admin):
    add_staff("agent@noord.test", "support")
    add_staff("agent@noord.test", "staff", schema="org_zuid")
    agent = log_in(NOORD, "agent@noord.test", STAFF_PASSWORD)
    agent_elsewhere = log_in(ZUID, "agent@noord.test", STAFF_PASSWORD)
    with schema_context("org_noord"):
        from memberships.models import StaffMembership

        membership = StaffMembership.objects.get(email="agent@noord.test")
        admin_membership = StaffMembership.objects.get(email="admin@noord.test")
    url = f"/api/admin/staff/{membership.pk}/log-out-everywhere/"

    # A support member may not, not even for themselves or the administrator.
    refused = with_token(NOORD, agent["token"]).post(
        f"/api/admin/staff/{admin_membership.pk}/log-out-everywhere/"
    )
    assert refused.status_code == 403
    assert works(admin)

    response = admin.post(url)
    assert response.status_code == 200, response.content
    assert (response.json()["tokens"], response.json()["sessions"]) == (1, 1)
    assert not works(with_token(NOORD, agent["token"]))
    assert not works(with_session(NOORD, agent["session"]))
    assert works(with_token(ZUID, agent_elsewhere["token"]))
    assert works(with_session(ZUID, agent_elsewhere["session"]))
    assert works(admin)


def test_another_organisation_cannot_reach_these_ids(db):
    customer = active_resident()
    token = log_in(NOORD, customer.email, PASSWORD)["token"]
    zuid_admin = log_in(ZUID, "admin@zuid.test", STAFF_PASSWORD)["token"]
    with schema_context("org_noord"):
        from memberships.models import StaffMembership

        noord_admin = StaffMembership.objects.get(email="admin@noord.test")

    # Zuid's credentials mean nothing on noord's domain.
    foreign = with_token(NOORD, zuid_admin)
    assert foreign.post(f"/api/admin/customers/{customer.pk}/portal/log-out-everywhere/").status_code == 401
    assert foreign.post(f"/api/admin/staff/{noord_admin.pk}/log-out-everywhere/").status_code == 401
    # On its own domain, noord's ids name zuid's own rows (or none): noord's credentials go on.
    own = with_token(ZUID, zuid_admin)
    assert own.post(f"/api/admin/customers/{customer.pk}/portal/log-out-everywhere/").status_code in (
        404,
        409,
    )
    assert works(with_token(NOORD, token))


def test_staff_identity_of_a_resident_is_not_ended_from_the_portal_card(admin):
    customer = active_resident()
    add_staff(customer.email, "support")
    response = admin.post(f"/api/admin/customers/{customer.pk}/portal/log-out-everywhere/")
    assert response.status_code == 409
    assert response.json()["code"] == "staff_identity"
