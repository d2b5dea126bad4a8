"""Failed logins are counted over the whole platform, per identity and per client IP.

One identity has one password on every domain, so a throttled address is throttled on every host
(the platform domain, every organisation's domain; the API and the portal's login page), and the
answer is 429 without the password being checked. Rates are lowered per test through DRF's rate
table, which the limiter reads; the suite empties Redis between tests.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from tests.support.residents import PASSWORD, active_resident

NOORD, ZUID = "portal.noord.test", "portal.zuid.test"
THROTTLED = "Too many attempts. Try again in "


@pytest.fixture
def rates(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    def lower(**scopes: str) -> None:
        for scope, rate in scopes.items():
            monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, rate)

    return lower


def api_login(host: str, email: str, password: str, ip: str = "127.0.0.1"):
    return Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/auth/login/",
        json.dumps({"email": email, "password": password}),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def page_login(host: str, email: str, password: str, ip: str = "127.0.0.1"):
    client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    return client.post("/login/", {"email": email, "password": password}, REMOTE_ADDR=ip)


def events(schema: str = "org_noord") -> int:
    with schema_context(schema):
        return ActivityEvent.objects.count()


def is_throttled_api(response) -> bool:
    if response.status_code != 429:
        return False
    assert response.json()["code"] == "throttled"
    assert response.json()["detail"].startswith(THROTTLED)
    assert int(response["Retry-After"]) >= 1
    return True


def is_throttled_page(response) -> bool:
    if response.status_code != 429:
        return False
    assert THROTTLED in response.content.decode()
    assert int(response["Retry-After"]) >= 1
    return True


def test_an_address_throttled_on_one_host_is_throttled_on_every_host(db, rates):
    rates(login_account="3/min", login_ip="100/min")
    resident = active_resident()  # a resident of noord; the same identity on every host
    for n in range(3):
        guess = api_login(ZUID, resident.email, f"wrong-guess-{n}", ip=f"198.51.100.{n}")
        assert guess.json()["code"] == "invalid_credentials"
    before = events()

    # Spelled differently, from other clients, with the right password: refused everywhere, unchecked.
    assert is_throttled_api(api_login(NOORD, resident.email.upper(), PASSWORD, ip="203.0.113.1"))
    assert is_throttled_api(api_login(settings.PLATFORM_DOMAIN, resident.email, PASSWORD, ip="203.0.113.2"))
    assert is_throttled_api(api_login(ZUID, resident.email, PASSWORD, ip="203.0.113.3"))
    page = page_login(NOORD, resident.email, PASSWORD, ip="203.0.113.4")
    assert is_throttled_page(page)
    assert "The email address or password is not correct." not in page.content.decode()
    assert events() == before  # no login, failed or successful, was recorded: nothing was checked

    # Another address is not affected.
    other = active_resident()
    assert api_login(NOORD, other.email, PASSWORD).status_code == 200


def test_an_unknown_address_is_counted_like_a_known_one(db, rates):
    rates(login_account="2/min", login_ip="100/min")
    resident = active_resident()
    answers = {}
    for address in (resident.email, "nobody-knows-this@example.test"):
        for n in range(2):
            assert api_login(NOORD, address, f"wrong-{n}").json()["code"] == "invalid_credentials"
        late = api_login(settings.PLATFORM_DOMAIN, address, "wrong-again")
        answers[address] = (late.status_code, late.json()["code"])
    assert set(answers.values()) == {(429, "throttled")}


def test_failures_from_one_client_add_up_over_the_platform(db, rates):
    rates(login_account="100/min", login_ip="4/min")
    hosts = [NOORD, ZUID, settings.PLATFORM_DOMAIN]
    for n, host in enumerate(hosts):
        assert api_login(host, f"who{n}@example.test", "wrong-1").json()["code"] == "invalid_credentials"
    assert (
        "The email address or password is not correct."
        in page_login(ZUID, "who9@example.test", "x").content.decode()
    )
    assert is_throttled_api(api_login(settings.PLATFORM_DOMAIN, "fresh@example.test", "wrong-1"))
    assert is_throttled_page(page_login(NOORD, "fresh@example.test", "wrong-1"))
    # Another client has its own count.
    assert api_login(NOORD, "fresh@example.test", "wrong-1", ip="192.0.2.44").json()["code"] == (
        "invalid_credentials"
    )


def test_only_failed_logins_count(db, rates):
    rates(login_account="3/min", login_ip="3/min")
    resident = active_resident()
    for _ in range(5):  # a resident logging in on several devices is never throttled
        assert api_login(NOORD, resident.email, PASSWORD).status_code == 200
    for n in range(3):
        assert api_login(NOORD, resident.email, f"wrong-{n}").status_code == 400
    assert is_throttled_api(api_login(NOORD, resident.email, PASSWORD))


def test_attempts_in_flight_hold_their_place(db, rates):
    """Guesses sent in parallel cannot all pass the check before any of them is counted: each
    attempt takes its place before its password is checked."""
    from credentials.login_throttle import LoginThrottled, begin_login_attempt

    rates(login_account="3/min", login_ip="100/min")
    attempts = [begin_login_attempt(email="parallel@example.test", ip="192.0.2.1") for _ in range(3)]
    with pytest.raises(LoginThrottled) as refused:
        begin_login_attempt(email="Parallel@Example.test", ip="192.0.2.2")
    assert refused.value.wait >= 1
    attempts[0].succeeded()  # a right password gives its place back
    begin_login_attempt(email="parallel@example.test", ip="192.0.2.3").failed()
    with pytest.raises(LoginThrottled):
        begin_login_attempt(email="parallel@example.test", ip="192.0.2.4")


@pytest.mark.parametrize("email", ["\ud800@example.test", "a\udfff", "\x00", "é" * 300, ""])
def test_any_string_gives_an_address_key(email):
    from credentials.throttles import address_key

    key = address_key(email)
    assert len(key) == 32
    assert key == address_key(email.upper())


def test_an_unpaired_surrogate_in_an_address_is_never_a_server_error(db):
    body = '{"email": "\\ud800@example.test", "password": "x"}'
    for host in (NOORD, settings.PLATFORM_DOMAIN):
        client = Client(HTTP_HOST=host)
        for path in ("/api/auth/login/", "/api/auth/password/reset/"):
            response = client.post(path, body, content_type="application/json")
            assert response.status_code == 400, (host, path, response.content)
            assert response.json()["code"]
