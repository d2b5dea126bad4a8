"""Every credential operation on both kinds of host, with a token and with a browser session.

The platform domain (public schema: no organisation tables) and an organisation's portal domain
offer the same credential operations: log in, log out, change the password, ask for and use a
reset link, list and revoke one's own API tokens, stop an impersonation. Each test runs on both
kinds of host, once with an API token and once as a browser would (session cookie, CSRF token,
Origin header; Django's CSRF checks enforced), and asserts the effect, not only the status.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db.models.deletion import DO_NOTHING
from django.test import Client
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from memberships.models import ImpersonationSession
from tests.support.factories import last_link, outbox, process_account_requests
from tests.support.residents import PASSWORD, active_resident
from tests.support.staff import staff_client

NOORD = "portal.noord.test"
NEW_PASSWORD = "a-brand-new-secret-81"
HOSTS = ["platform", "organisation"]
KINDS = ["token", "session"]


def host_of(kind: str) -> str:
    return settings.PLATFORM_DOMAIN if kind == "platform" else NOORD


def schema_of(kind: str) -> str:
    return get_public_schema_name() if kind == "platform" else "org_noord"


def identity_on(kind: str) -> str:
    """A fresh identity that may log in on this kind of host: an operator, or a resident."""
    if kind == "platform":
        email = f"operator-{uuid.uuid4().hex[:8]}@platform.test"
        User.objects.create_platform_operator(email, PASSWORD)
        return email
    return active_resident().email


@dataclass
class Caller:
    """One credential on one host: an API token, or a browser's session cookie with its CSRF token."""

    host: str
    kind: str
    client: Client
    key: str  # the token (for a session: the token its login also issued)
    body: dict

    def _headers(self) -> dict:
        if self.kind == "token":
            return {"HTTP_AUTHORIZATION": f"Token {self.key}"}
        return browser_headers(self.client, self.host)

    def get(self, path: str):
        return self.client.get(path, **self._headers())

    def post(self, path: str, data: dict | None = None):
        return self.client.post(
            path, json.dumps(data or {}), content_type="application/json", **self._headers()
        )

    def delete(self, path: str):
        return self.client.delete(path, **self._headers())


def browser() -> dict:
    return {"enforce_csrf_checks": True, "HTTP_ACCEPT_LANGUAGE": "en"}


def browser_headers(client: Client, host: str) -> dict:
    """What a same-origin page's script sends: its Origin, and the CSRF token from the cookie."""
    token = (
        client.cookies[settings.CSRF_COOKIE_NAME].value if settings.CSRF_COOKIE_NAME in client.cookies else ""
    )
    return {"HTTP_ORIGIN": f"http://{host}", "HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_X_CSRFTOKEN": token}


def log_in(host: str, kind: str, email: str, password: str = PASSWORD) -> Caller:
    client = Client(HTTP_HOST=host, **browser())
    payload = json.dumps({"email": email, "password": password})
    if kind == "token":  # an API client: no cookies, no browser headers
        response = client.post("/api/auth/login/", payload, content_type="application/json")
        assert response.status_code == 200, response.content
        assert settings.SESSION_COOKIE_NAME not in response.cookies  # no session for an API client
        assert response.json()["session"] is False
    else:
        assert client.get("/api/auth/csrf/").status_code == 200  # the page the script runs on
        response = client.post(
            "/api/auth/login/", payload, content_type="application/json", **browser_headers(client, host)
        )
        assert response.status_code == 200, response.content
        assert settings.SESSION_COOKIE_NAME in response.cookies
        assert response.json()["session"] is True
    body = response.json()
    return Caller(host=host, kind=kind, client=client, key=body["key"], body=body)


def token_works(host: str, key: str) -> bool:
    response = Client(HTTP_HOST=host).get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code in (200, 401), response.content
    return response.status_code == 200


def works(caller: Caller) -> bool:
    response = caller.get("/api/auth/me/")
    assert response.status_code in (200, 401, 403), response.content
    return response.status_code == 200


def another_token(host: str, email: str, password: str = PASSWORD) -> str:
    return log_in(host, "token", email, password).key


# -- log in and log out --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("host_kind", HOSTS)
def test_log_in(db, host_kind, kind):
    email = identity_on(host_kind)
    caller = log_in(host_of(host_kind), kind, email)
    me = caller.get("/api/auth/me/")
    assert me.status_code == 200
    assert me.json()["email"] == email
    expected = ["platform_operator"] if host_kind == "platform" else ["resident"]
    assert caller.body["roles"] == expected


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("host_kind", HOSTS)
def test_the_identity_is_only_read_here(db, host_kind, kind):
    """dj-rest-auth's user details view also takes PUT and PATCH; ours answers GET only."""
    email = identity_on(host_kind)
    caller = log_in(host_of(host_kind), kind, email)
    change = json.dumps({"full_name": "Someone Else", "email": f"other-{uuid.uuid4().hex[:8]}@example.test"})
    for method in ("PUT", "PATCH"):
        response = caller.client.generic(
            method, "/api/auth/me/", change, content_type="application/json", **caller._headers()
        )
        assert response.status_code == 405, response.content
        assert response.json()["code"] == "method_not_allowed"
        assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert caller.get("/api/auth/me/").json()["email"] == email
    assert User.objects.get(email=email).full_name != "Someone Else"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("host_kind", HOSTS)
def test_log_out_ends_the_credential(db, host_kind, kind):
    host = host_of(host_kind)
    email = identity_on(host_kind)
    caller = log_in(host, kind, email)
    other = another_token(host, email)
    assert works(caller)

    response = caller.post("/api/auth/logout/")
    assert response.status_code == 204, response.content
    assert not works(caller)
    assert not token_works(host, caller.key)  # a session's logout also ends the token its login issued
    assert token_works(host, other)  # logging out one credential leaves the others alone


# -- passwords -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("host_kind", HOSTS)
def test_password_change(db, host_kind, kind):
    host = host_of(host_kind)
    email = identity_on(host_kind)
    caller = log_in(host, kind, email)
    other = another_token(host, email)

    wrong = caller.post("/api/auth/password/change/", {"old_password": "nope", "new_password": NEW_PASSWORD})
    assert (wrong.status_code, wrong.json()["code"]) == (400, "wrong_password")
    changed = caller.post(
        "/api/auth/password/change/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["code"] == "password_changed"

    assert not token_works(host, other)  # tokens issued before the change are refused
    assert token_works(host, changed.json()["key"])  # the new one works
    if kind == "session":
        assert works(caller)  # the browser that changed it stays logged in
    else:
        assert not token_works(host, caller.key)
    refused = Client(HTTP_HOST=host).post(
        "/api/auth/login/", {"email": email, "password": PASSWORD}, content_type="application/json"
    )
    assert refused.json()["code"] == "invalid_credentials"
    assert token_works(host, another_token(host, email, NEW_PASSWORD))
    [notice] = outbox(schema_of(host_kind), email, "password_changed")
    assert notice.to == email


def _reset_requests_processed(host_kind: str) -> list[str]:
    if host_kind == "organisation":
        return process_account_requests("org_noord")
    from accounts.models import PasswordResetRequest
    from memberships.services.platform_reset import process_reset_request

    pending = PasswordResetRequest.objects.filter(processed_at__isnull=True).values_list("pk", flat=True)
    return [process_reset_request(request_id=pk) for pk in list(pending)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("host_kind", HOSTS)
def test_password_reset_link_points_to_the_host_and_works_there(db, host_kind, kind):
    host, schema = host_of(host_kind), schema_of(host_kind)
    email = identity_on(host_kind)
    caller = log_in(host, kind, email)

    asked = Client(HTTP_HOST=host).post(
        "/api/auth/password/reset/", {"email": email}, content_type="application/json"
    )
    assert asked.status_code == 202, asked.content
    assert _reset_requests_processed(host_kind) == ["sent"]
    [sent] = outbox(schema, email, "password_reset")
    assert f"http://{host}:8000/reset-password/" in sent.body_text
    token = last_link(schema, email, "password_reset", "/reset-password/")

    page = Client(HTTP_HOST=host, **browser())
    form = page.get(f"/reset-password/{token}")
    assert form.status_code == 200
    assert 'name="new_password"' in form.content.decode()
    done = page.post(
        f"/reset-password/{token}",
        {
            "new_password": NEW_PASSWORD,
            "repeat": NEW_PASSWORD,
            "csrfmiddlewaretoken": page.cookies[settings.CSRF_COOKIE_NAME].value,
        },
    )
    assert done.status_code == 200, done.content.decode()[:3000]
    assert "Your password was changed." in done.content.decode()
    assert not works(caller)  # the credential from before the reset is refused
    assert token_works(host, another_token(host, email, NEW_PASSWORD))
    again = page.post(
        f"/reset-password/{token}",
        {
            "new_password": "yet-another-secret-7",
            "repeat": "yet-another-secret-7",
            "csrfmiddlewaretoken": page.cookies[settings.CSRF_COOKIE_NAME].value,
        },
    )
    assert "This link has already been used." in again.content.decode()


def test_a_platform_reset_goes_to_operators_only(db):
    resident = active_resident()
    for email in (resident.email, "nobody-at-all@example.test"):
        asked = Client(HTTP_HOST=settings.PLATFORM_DOMAIN).post(
            "/api/auth/password/reset/", {"email": email}, content_type="application/json"
        )
        assert asked.status_code == 202
    assert _reset_requests_processed("platform") == ["nothing_to_send", "nothing_to_send"]
    assert outbox(get_public_schema_name(), resident.email) == []


def test_platform_reset_requests_are_swept_after_a_broker_outage_and_purged_later(db):
    """As on organisations' domains: a request whose task never ran is handled by the sweep, and a
    handled one (an address and an IP) is deleted after the retention period."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import PasswordResetRequest
    from memberships.services.platform_reset import RETENTION
    from memberships.tasks import purge_account_requests, sweep_account_requests

    email = identity_on("platform")
    Client(HTTP_HOST=settings.PLATFORM_DOMAIN).post(
        "/api/auth/password/reset/", {"email": email}, content_type="application/json"
    )
    waiting = PasswordResetRequest.objects.get(email=email)
    PasswordResetRequest.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    assert sweep_account_requests() >= 1
    waiting.refresh_from_db()
    assert waiting.outcome == "sent"
    assert len(outbox(get_public_schema_name(), email, "password_reset")) == 1
    sweep_account_requests()
    assert len(outbox(get_public_schema_name(), email, "password_reset")) == 1  # handled once

    PasswordResetRequest.objects.filter(pk=waiting.pk).update(
        processed_at=timezone.now() - RETENTION - timedelta(hours=1)
    )
    purge_account_requests()
    assert not PasswordResetRequest.objects.filter(pk=waiting.pk).exists()


# -- API tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("host_kind", HOSTS)
def test_own_tokens_are_listed_and_revoked(db, host_kind, kind):
    host = host_of(host_kind)
    email = identity_on(host_kind)
    caller = log_in(host, kind, email)
    first, second = another_token(host, email), another_token(host, email)
    stranger = another_token(host, identity_on(host_kind))

    listed = caller.get("/api/auth/tokens/")
    assert listed.status_code == 200, listed.content
    rows = listed.json()["results"]
    assert {row["id"] for row in rows} == {key.split(".")[0] for key in (caller.key, first, second)}
    assert [row["id"] for row in rows if row["current"]] == [caller.key.split(".")[0]]
    assert all("." not in row["id"] for row in rows)  # the secret is never shown again

    stranger_id = stranger.split(".")[0]
    assert caller.delete(f"/api/auth/tokens/{stranger_id}/").status_code == 404  # not one's own
    assert token_works(host, stranger)
    assert caller.delete(f"/api/auth/tokens/{first.split('.')[0]}/").status_code == 204
    assert not token_works(host, first)
    assert token_works(host, second)

    revoked = caller.post("/api/auth/tokens/revoke-others/")
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["revoked"] == 1
    assert not token_works(host, second)
    assert works(caller)  # the credential in use stays
    assert token_works(host, stranger)  # another identity's tokens are untouched


# -- impersonation -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("host_kind", HOSTS)
def test_stopping_an_impersonation_without_one_is_a_clear_refusal(db, host_kind, kind):
    caller = log_in(host_of(host_kind), kind, identity_on(host_kind))
    response = caller.post("/api/auth/impersonation/stop/")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "not_impersonating"
    assert works(caller)


def _impersonation(noord_client) -> tuple[dict, object]:
    staff_client(noord_client)
    customer = active_resident()
    started = noord_client.post(f"/api/admin/customers/{customer.pk}/portal/impersonate/", {}, format="json")
    assert started.status_code == 201
    return started.json(), customer


@pytest.mark.parametrize("kind", KINDS)
def test_an_impersonation_is_stopped_with_its_token_or_its_session(noord_client, kind):
    started, _customer = _impersonation(noord_client)
    client = Client(HTTP_HOST=NOORD, **browser())
    if kind == "token":
        caller = Caller(host=NOORD, kind="token", client=client, key=started["key"], body={})
    else:
        client.get("/impersonation/start/")
        opened = client.post(
            "/impersonation/start/",
            {"key": started["key"], "csrfmiddlewaretoken": client.cookies[settings.CSRF_COOKIE_NAME].value},
        )
        assert opened["Location"] == "/overview/"
        caller = Caller(host=NOORD, kind="session", client=client, key=started["key"], body={})
    assert caller.get("/api/portal/me/").status_code == 200

    stopped = caller.post("/api/auth/impersonation/stop/")
    assert stopped.status_code == 200, stopped.content
    assert stopped.json()["code"] == "impersonation_stopped"
    with schema_context("org_noord"):
        session = ImpersonationSession.objects.get(pk=started["session"]["id"])
    assert session.ended_at is not None
    assert caller.get("/api/portal/me/").status_code == 401
    assert not token_works(NOORD, started["key"])


# -- the mechanism behind the platform's logout ----------------------------------------------------


def test_no_organisation_table_refers_to_a_credential_with_an_orm_side_delete_rule():
    """Credentials, sessions and emails are also deleted in the public schema, where organisation
    tables do not exist: Django's delete collector must never have to visit one. A relation from an
    organisation's table to them leaves its rule to the database (``DO_NOTHING`` in Django)."""
    from django.apps import apps

    shared = {app.split(".")[-1] for app in settings.SHARED_APPS}
    tenant_only = {app.split(".")[-1] for app in settings.TENANT_APPS} - shared
    both = shared & {app.split(".")[-1] for app in settings.TENANT_APPS}
    offending = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in tenant_only
        for field in model._meta.get_fields()
        if field.is_relation
        and field.concrete
        and field.related_model is not None
        and field.related_model._meta.app_label in both
        and field.remote_field.on_delete is not DO_NOTHING
    ]
    assert offending == []
