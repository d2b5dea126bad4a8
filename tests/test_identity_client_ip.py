"""The client's IP behind proxies: exactly TRUSTED_PROXIES hops of X-Forwarded-For are trusted."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from activity.services import Origin
from core.client_ip import client_ip
from tests.support.residents import active_resident, login


def _request(remote="10.0.0.5", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, None, "10.0.0.5"),
        (0, "198.51.100.7", "10.0.0.5"),  # no proxy trusted: the header is the client's own claim
        (1, None, "10.0.0.5"),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the left part was sent by the client
        (2, "6.6.6.6, 198.51.100.7, 10.1.1.1", "198.51.100.7"),
        (2, "198.51.100.7", "198.51.100.7"),  # fewer entries than hops: the left-most there is
        (1, "198.51.100.7:51234", "198.51.100.7"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, "not-an-address", "10.0.0.5"),  # never a value the activity log's inet column refuses
        (1, "", "10.0.0.5"),
    ],
)
def test_client_ip(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXIES = hops
    assert client_ip(_request(forwarded=forwarded)) == expected


def test_origin_logs_the_client_ip(settings):
    settings.TRUSTED_PROXIES = 1
    origin = Origin.of(_request(forwarded="6.6.6.6, 198.51.100.7"))
    assert origin.ip == "198.51.100.7"
    settings.TRUSTED_PROXIES = 0
    assert Origin.of(_request(forwarded="6.6.6.6, 198.51.100.7")).ip == "10.0.0.5"


def _reset(client, n, forwarded):
    return client.post(
        "/api/auth/password/reset/",
        {"email": f"who{n}@example.test"},
        format="json",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_spoofed_forwarded_for_is_still_throttled_without_trusted_proxies(noord_client, settings):
    settings.TRUSTED_PROXIES = 0
    answers = [_reset(noord_client, n, f"203.0.113.{n}") for n in range(32)]
    assert [answer.status_code for answer in answers[:30]] == [202] * 30
    assert [answer.status_code for answer in answers[30:]] == [429, 429]
    assert answers[-1].json()["code"] == "throttled"


def test_with_one_trusted_proxy_the_right_most_hop_is_the_client(noord_client, settings):
    settings.TRUSTED_PROXIES = 1
    # Whatever the client puts on the left, the address our proxy appended is what counts.
    spoofed = [_reset(noord_client, n, f"203.0.113.{n}, 198.51.100.7") for n in range(31)]
    assert [answer.status_code for answer in spoofed[:30]] == [202] * 30
    assert spoofed[30].status_code == 429
    assert spoofed[30].json()["code"] == "throttled"
    # Another client behind the same proxy has its own allowance.
    assert _reset(noord_client, 99, "6.6.6.6, 198.51.100.8").status_code == 202


def test_activity_log_records_the_forwarded_client(noord_client, settings):
    settings.TRUSTED_PROXIES = 1
    customer = active_resident()
    response = noord_client.post(
        "/api/auth/login/",
        {"email": customer.email, "password": "not-the-password-1"},
        format="json",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9",
    )
    assert response.json()["code"] == "invalid_credentials"
    assert login(noord_client, customer.email).status_code == 200
    with schema_context("org_noord"):
        failed = ActivityEvent.objects.get(customer_id=customer.pk, kind="login_failed")
        ok = ActivityEvent.objects.get(customer_id=customer.pk, kind="login")
    assert failed.ip == "198.51.100.9"
    assert ok.ip == "127.0.0.1"  # no header: the direct peer


def test_drf_counts_the_same_proxies():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXIES
