"""Signed-in devices (API and services): list, sign out one or all others, throttled last use."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tenants.utils import schema_context

from accounts.models import User
from activity.models import ActivityEvent
from credentials.models import AccessToken
from credentials.services import issue_access_token
from memberships.services.login import SESSION_SEEN_KEY, SESSION_TOKEN_KEY
from self_service.user_agents import describe_user_agent
from tests.support import devices
from tests.support.billing_data import billing_customer
from tests.support.common import data_queries
from tests.support.devices import FIREFOX, IPHONE, browser, impersonation_key, token_of
from tests.support.web import NOORD, PASSWORD, ZUID, make_resident, page_client

DEVICES = "/api/portal/devices/"
resident = devices.resident  # the fixture: this module's residents (not tests.support.tickets')


def api_client(data: dict, host: str = NOORD, **headers):
    """An API client with a token of its own and no session (no User-Agent unless given)."""
    client = page_client(host, enforce_csrf_checks=True, **headers)  # as a client outside a browser
    response = client.post(
        "/api/auth/login/", {"email": data["email"], "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    key = response.json()["key"]
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client, key.split(".")[0]


def test_the_list_describes_each_device_and_marks_the_current_one(resident):
    firefox = browser(resident, FIREFOX)
    api, key_id = api_client(resident)
    listed = api.get(DEVICES)
    assert listed.status_code == 200, listed.content
    devices = listed.json()
    assert [device["current"] for device in devices] == [True, False]
    assert devices[0]["id"] == key_id
    assert devices[0]["label"] == "API client"
    assert devices[0]["device_type"] == "api"
    assert devices[1] | {"signed_in_at": None, "last_used_at": None} == {
        "id": token_of(firefox).key_id,
        "label": "Firefox 121 · Windows",
        "browser": "Firefox 121",
        "os": "Windows",
        "device_type": "desktop",
        "device_type_label": "Computer",
        "ip": "127.0.0.1",
        "signed_in_at": None,
        "last_used_at": None,
        "current": False,
    }
    from_browser = firefox.get(DEVICES).json()
    assert [(device["label"], device["current"]) for device in from_browser] == [
        ("Firefox 121 · Windows", True),
        ("API client", False),
    ]


def test_signing_out_one_device_ends_its_token_and_its_browser_session(resident):
    firefox, iphone = browser(resident, FIREFOX), browser(resident, IPHONE)
    api, api_key = api_client(resident)
    iphone_token = token_of(iphone)
    iphone_session = iphone.session.session_key

    assert firefox.delete(f"{DEVICES}{iphone_token.key_id}/").status_code == 204
    assert iphone.get("/api/portal/me/").status_code in (401, 403)
    page = iphone.get("/overview/")
    assert page.status_code == 302
    assert page["Location"].startswith("/login/")
    with schema_context("org_noord"):
        assert not AccessToken.objects.filter(pk=iphone_token.pk).exists()
        assert not Session.objects.filter(session_key=iphone_session).exists()
    assert firefox.get("/api/portal/me/").status_code == 200  # the current one goes on

    assert firefox.delete(f"{DEVICES}{api_key}/").status_code == 204
    assert api.get("/api/portal/me/").status_code == 401
    assert [device["current"] for device in firefox.get(DEVICES).json()] == [True]
    with schema_context("org_noord"):
        events = list(ActivityEvent.objects.filter(kind=ActivityEvent.Kind.DEVICE_SIGNED_OUT).order_by("pk"))
    assert [event.data["browser"] for event in events] == ["Safari 17", ""]
    assert events[0].data["system"] == "iPhone"
    assert events[0].data["sessions"] == 1
    assert events[0].ip == "127.0.0.1"
    assert events[0].user_agent == FIREFOX
    assert events[0].actor == ActivityEvent.Actor.RESIDENT


def test_the_current_device_is_logged_out_not_signed_out(resident):
    api, key_id = api_client(resident)
    refused = api.delete(f"{DEVICES}{key_id}/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "current_device"
    assert api.get("/api/portal/me/").status_code == 200


def test_signing_out_the_others_keeps_only_the_current_device(resident):
    firefox, iphone = browser(resident, FIREFOX), browser(resident, IPHONE)
    api, _key = api_client(resident)
    other_api, _other = api_client(resident, HTTP_USER_AGENT="python-requests/2.31")
    answer = firefox.post(f"{DEVICES}sign-out-others/")
    assert answer.status_code == 200, answer.content
    assert answer.json() | {"detail": None} == {
        "code": "devices_signed_out",
        "detail": None,
        "devices": 3,
        "sessions": 1,
    }
    assert answer.json()["detail"] == "You were signed out on 3 other devices."
    assert iphone.get("/api/portal/me/").status_code in (401, 403)
    assert api.get("/api/portal/me/").status_code == 401
    assert other_api.get("/api/portal/me/").status_code == 401
    assert firefox.get("/api/portal/me/").status_code == 200
    with schema_context("org_noord"):
        event = ActivityEvent.objects.get(kind=ActivityEvent.Kind.OTHER_DEVICES_SIGNED_OUT)
    assert event.data == {"devices": 3, "sessions": 1}
    assert event.user_agent == FIREFOX
    again = firefox.post(f"{DEVICES}sign-out-others/").json()
    assert again["devices"] == 0
    assert again["detail"] == "You were not signed in on any other device."


def test_another_customers_or_organisations_device_is_not_found_and_stays(resident, zuid):
    other = billing_customer()
    make_resident(other)
    theirs, their_key = api_client(other)
    zuid_data = billing_customer("org_zuid")
    make_resident(zuid_data, "org_zuid")
    zuid_api, zuid_key = api_client(zuid_data, ZUID)
    mine, _key = api_client(resident)
    for key_id in (their_key, zuid_key, "no-such-key", "x" * 300):
        answer = mine.delete(f"{DEVICES}{key_id}/")
        assert answer.status_code == 404, (key_id, answer.content)
        assert answer.json()["code"] == "not_found"
    assert theirs.get("/api/portal/me/").status_code == 200
    assert zuid_api.get("/api/portal/me/").status_code == 200
    assert all(device["id"] != their_key for device in mine.get(DEVICES).json())
    # Another organisation's resident with the same key id on noord's domain: unknown there.
    assert zuid_api.get(DEVICES, HTTP_HOST=NOORD).status_code == 401


def test_staff_acting_as_the_resident_cannot_see_or_sign_out_devices(resident, noord_client, client_for):
    _api, key_id = api_client(resident)
    key = impersonation_key(noord_client, resident)
    acting = client_for(NOORD)
    acting.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for answer in (
        acting.get(DEVICES),
        acting.delete(f"{DEVICES}{key_id}/"),
        acting.post(f"{DEVICES}sign-out-others/"),
    ):
        assert answer.status_code == 403
        assert answer.json()["code"] == "not_allowed_during_impersonation"
    with schema_context("org_noord"):
        assert AccessToken.objects.filter(key_id=key_id).exists()
        assert not ActivityEvent.objects.filter(
            kind__in=["device_signed_out", "other_devices_signed_out"]
        ).exists()


def test_an_impersonation_is_no_device_and_survives_signing_out_the_others(
    resident, noord_client, client_for
):
    key = impersonation_key(noord_client, resident)
    mine, _key = api_client(resident)
    assert len(mine.get(DEVICES).json()) == 1
    assert mine.post(f"{DEVICES}sign-out-others/").json()["devices"] == 0
    acting = client_for(NOORD)
    acting.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert acting.get("/api/portal/me/").status_code == 200


@pytest.mark.parametrize(
    ("user_agent", "label", "kind"),
    [
        (FIREFOX, "Firefox 121 · Windows", "desktop"),
        (IPHONE, "Safari 17 · iPhone", "mobile"),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.1 Mobile/15E148 Safari/604.1",
            "Safari 17 · iPad",
            "tablet",
        ),
        (
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Mobile Safari/537.36",
            "Chrome 120 · Android",
            "mobile",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.1 Safari/605.1.15",
            "Safari 17 · macOS",
            "desktop",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
            "Edge 120 · Windows",
            "desktop",
        ),
        ("", "API client", "api"),
        ("   ", "API client", "api"),
        ("curl/8.4.0", "curl 8", "other"),
        ("\u00e9\u00e9 nothing known", "Unknown browser", "other"),
    ],
)
def test_user_agents_are_described_in_words(user_agent, label, kind):
    description = describe_user_agent(user_agent)
    assert (description.label, description.device_type) == (label, kind)


def test_device_labels_are_translated():
    with translation.override("nl"):
        assert describe_user_agent("").label == "API-client"
        assert describe_user_agent("zzz").label == "Onbekende browser"
        assert describe_user_agent(IPHONE).device_type_label == "Telefoon"
    with translation.override("fr"):
        assert describe_user_agent("").label == "Client API"
        assert describe_user_agent(IPHONE).device_type_label == "Téléphone"


def _token_writes(queries) -> list[str]:
    return [sql for sql in data_queries(queries) if sql.startswith("UPDATE") and "accesstoken" in sql]


def test_a_token_notes_its_use_and_ip_at_most_every_five_minutes(resident):
    api, key_id = api_client(resident, REMOTE_ADDR="203.0.113.9")
    with CaptureQueriesContext(connection) as first:
        assert api.get("/api/portal/me/").status_code == 200
    assert len(_token_writes(first)) == 1
    with CaptureQueriesContext(connection) as second:
        assert api.get("/api/portal/me/", REMOTE_ADDR="198.51.100.4").status_code == 200
    assert _token_writes(second) == []  # within 5 minutes: nothing written
    with schema_context("org_noord"):
        token = AccessToken.objects.get(key_id=key_id)
        assert token.last_ip == "203.0.113.9"
        assert token.last_used_at is not None
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at.replace(year=2020))
    api.get("/api/portal/me/", REMOTE_ADDR="198.51.100.4")
    with schema_context("org_noord"):
        assert AccessToken.objects.get(key_id=key_id).last_ip == "198.51.100.4"


def _age_session(client, seconds: int) -> None:
    session = client.session
    session[SESSION_SEEN_KEY] = time.time() - seconds
    session.save()


def test_a_browser_session_notes_its_use_at_most_every_five_minutes(resident):
    firefox = browser(resident, FIREFOX)
    for path in ("/api/portal/me/", "/my-details/"):
        with CaptureQueriesContext(connection) as queries:
            assert firefox.get(path).status_code == 200
        assert _token_writes(queries) == []  # the login noted it; no write within 5 minutes
        assert not [sql for sql in data_queries(queries) if "accesstoken" in sql]  # nor a read
    _age_session(firefox, 301)
    with CaptureQueriesContext(connection) as queries:
        assert firefox.get("/api/portal/me/", REMOTE_ADDR="192.0.2.44").status_code == 200
    assert len(_token_writes(queries)) == 1
    token = token_of(firefox)
    assert token.last_ip == "192.0.2.44"
    assert token.last_used_at is not None
    with CaptureQueriesContext(connection) as queries:
        assert firefox.get("/api/portal/me/").status_code == 200
    assert _token_writes(queries) == []


def test_a_session_whose_token_is_gone_is_logged_out_at_its_next_check(resident):
    firefox = browser(resident, FIREFOX)
    with schema_context("org_noord"):
        AccessToken.objects.filter(pk=firefox.session[SESSION_TOKEN_KEY]).delete()  # any other path
    _age_session(firefox, 301)
    assert firefox.get("/api/portal/me/").status_code in (401, 403)
    assert firefox.get("/my-details/").status_code == 302


def test_a_bound_session_costs_no_query_more_than_an_unbound_one(resident):
    """The query count of a resident's request with a session bound to a token (every login's)
    equals that of a session without one (as before devices existed): 3 for /api/portal/me/."""
    bound = browser(resident, FIREFOX)
    unbound = page_client()
    with schema_context("org_noord"):
        unbound.force_login(User.objects.get(email=resident["email"]))
    counts = {}
    for name, client in (("bound", bound), ("unbound", unbound)):
        for path in ("/api/portal/me/", "/my-details/", "/api/portal/invoices/"):
            client.get(path)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            counts[name, path] = len(data_queries(queries))
    for path in ("/api/portal/me/", "/my-details/", "/api/portal/invoices/"):
        assert counts["bound", path] == counts["unbound", path], counts
    assert counts["bound", "/api/portal/me/"] == 3


def test_listing_costs_the_same_few_queries_for_many_devices(resident):
    api, _key = api_client(resident)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(DEVICES).status_code == 200
        return len(data_queries(queries))

    api.get(DEVICES)
    few = count()
    for _ in range(6):
        api_client(resident, HTTP_USER_AGENT=FIREFOX)
    assert count() == few, connection.queries


def test_signing_out_the_others_also_removes_dead_tokens_but_counts_only_devices(resident):
    api, _key = api_client(resident)
    with schema_context("org_noord"):
        user = User.objects.get(email=resident["email"])
        dead = issue_access_token(user=user, user_agent=FIREFOX).token
        AccessToken.objects.filter(pk=dead.pk).update(expires_at=dead.created_at - timedelta(hours=1))
    answer = api.post(f"{DEVICES}sign-out-others/").json()
    assert answer["devices"] == 0
    with schema_context("org_noord"):
        assert not AccessToken.objects.filter(pk=dead.pk).exists()
