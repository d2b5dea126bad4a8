"""Login CSRF on the API: a hostile page cannot log a visitor into the attacker's account.

The API login takes JSON only (a form post or multipart body is 415), and a login that starts a
browser session passes the same CSRF check as the portal's login form (Origin and the CSRF token);
a browser's request that fails it is refused with 403 ``csrf_failed`` before anything is checked.
API clients (no ``Origin``) get a token and no cookie. Django's test client runs with CSRF checks
enforced here, as a browser's requests would be.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client

from tests.support.residents import PASSWORD, active_resident

NOORD = "portal.noord.test"
EVIL = {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "cross-site"}
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(params=["platform", "organisation"])
def account(request, db) -> tuple[str, str]:
    """(host, email) of an identity that may log in there, with PASSWORD."""
    if request.param == "platform":
        from accounts.models import User

        User.objects.create_platform_operator("csrf-operator@platform.test", PASSWORD)
        return settings.PLATFORM_DOMAIN, "csrf-operator@platform.test"
    return NOORD, active_resident().email


def browser(host: str) -> Client:
    return Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)


def same_origin(client: Client, host: str, token: bool = True) -> dict:
    headers = {"HTTP_ORIGIN": f"http://{host}", "HTTP_SEC_FETCH_SITE": "same-origin"}
    if token:
        headers["HTTP_X_CSRFTOKEN"] = client.cookies[settings.CSRF_COOKIE_NAME].value
    return headers


def no_session(response) -> bool:
    return settings.SESSION_COOKIE_NAME not in response.cookies


def refused_csrf(response) -> bool:
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "csrf_failed"
    return no_session(response)


def test_a_hostile_pages_form_post_is_refused(account):
    host, email = account
    form = {"email": email, "password": PASSWORD}
    client = browser(host)
    # What a <form> on another site sends: urlencoded or multipart (the test client's default).
    assert refused_csrf(client.post("/api/auth/login/", urlencode(form), content_type=FORM, **EVIL))
    assert refused_csrf(client.post("/api/auth/login/", form, **EVIL))
    # The no-preflight trick: JSON sent as text/plain; and an older browser without Sec-Fetch-Site.
    body = json.dumps(form)
    assert refused_csrf(client.post("/api/auth/login/", body, content_type="text/plain", **EVIL))
    older = {"HTTP_ORIGIN": "https://evil.example"}
    assert refused_csrf(client.post("/api/auth/login/", body, content_type="application/json", **older))
    assert client.get("/api/auth/me/").status_code == 401  # not logged in


def test_form_and_multipart_bodies_are_refused_even_from_this_site(account):
    host, email = account
    client = browser(host)
    client.get("/api/auth/csrf/")
    form = {"email": email, "password": PASSWORD}
    for response in (
        client.post("/api/auth/login/", urlencode(form), content_type=FORM, **same_origin(client, host)),
        client.post("/api/auth/login/", form, **same_origin(client, host)),  # multipart
    ):
        assert response.status_code == 415, response.content
        assert response.json()["code"] == "unsupported_media_type"
        assert no_session(response)


def test_an_api_client_gets_a_token_and_no_cookie(account):
    host, email = account
    client = browser(host)
    response = client.post(
        "/api/auth/login/",
        json.dumps({"email": email, "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["session"] is False
    assert not response.cookies  # neither a session nor anything else
    me = Client(HTTP_HOST=host).get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {response.json()['key']}")
    assert me.json()["email"] == email


def test_a_page_of_this_site_logs_in_with_a_session(account):
    host, email = account
    client = browser(host)
    issued = client.get("/api/auth/csrf/")
    assert issued.status_code == 200
    assert issued.json()["csrf_token"]
    response = client.post(
        "/api/auth/login/",
        json.dumps({"email": email, "password": PASSWORD}),
        content_type="application/json",
        **same_origin(client, host),
    )
    assert response.status_code == 200, response.content
    assert response.json()["session"] is True
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert client.get("/api/auth/me/").json()["email"] == email  # the cookie alone
    # Changes made with the session need the (rotated) CSRF token too.
    logout = {"content_type": "application/json"}
    assert (
        client.post("/api/auth/logout/", **logout, **same_origin(client, host, token=False)).status_code
        == 403
    )
    assert client.post("/api/auth/logout/", **logout, **same_origin(client, host)).status_code == 204
    assert client.get("/api/auth/me/").status_code == 401


def test_a_browser_login_without_the_csrf_token_is_refused(account):
    host, email = account
    client = browser(host)
    client.get("/api/auth/csrf/")
    response = client.post(
        "/api/auth/login/",
        json.dumps({"email": email, "password": PASSWORD}),
        content_type="application/json",
        **same_origin(client, host, token=False),
    )
    assert refused_csrf(response)
    assert client.get("/api/auth/me/").status_code == 401


def test_a_trusted_origin_logs_in_with_a_session(account, settings):
    """A console served from another origin the operator trusts (``CSRF_TRUSTED_ORIGINS``), as
    Django's CSRF protection allows it everywhere else; an untrusted sibling site stays refused."""
    host, email = account
    settings.CSRF_TRUSTED_ORIGINS = ["https://console.example.test"]
    client = browser(host)
    client.get("/api/auth/csrf/")
    body = json.dumps({"email": email, "password": PASSWORD})
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    trusted = {"HTTP_ORIGIN": "https://console.example.test", "HTTP_SEC_FETCH_SITE": "same-site"}
    response = client.post(
        "/api/auth/login/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token, **trusted
    )
    assert response.status_code == 200, response.content
    assert response.json()["session"] is True
    sibling = {"HTTP_ORIGIN": "https://other.example.test", "HTTP_SEC_FETCH_SITE": "same-site"}
    assert refused_csrf(
        browser(host).post(
            "/api/auth/login/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token, **sibling
        )
    )
