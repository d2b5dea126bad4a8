"""API pagination links point where the client sent the request: scheme, host and port (issue 15).

Behind trusted proxies (``TRUSTED_PROXIES`` > 0) the scheme and port the proxy forwards count;
without them those headers are the client's own word and are ignored.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from customers.models import Customer
from tests.support.live import ROOT, child_environment

NOORD = "portal.noord.test"
PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.fixture
def staff_token(db):
    from accounts.models import User
    from credentials.services import issue_access_token

    with schema_context("org_noord"):
        token = issue_access_token(user=User.objects.get(email="admin@noord.test")).raw
        Customer.objects.bulk_create(
            Customer(
                customer_number=f"page-{n}", last_name="Paged", email=f"page{n}@example.test", language="en"
            )
            for n in range(60)
        )
    return f"Token {token}"


def links(token: str, path: str = "/api/admin/customers/?page=2", **environ) -> tuple[str, str]:
    response = Client(HTTP_AUTHORIZATION=token).get(path, **environ)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    return body["next"], body["previous"]


def test_links_keep_the_port_of_the_host_header(staff_token):
    nxt, previous = links(staff_token, HTTP_HOST=f"{NOORD}:8443")
    assert nxt == f"http://{NOORD}:8443/api/admin/customers/?page=3"
    assert previous == f"http://{NOORD}:8443/api/admin/customers/"


def test_links_keep_the_port_the_request_came_in_on(staff_token):
    """A client that leaves the port out of Host still reached us on it."""
    nxt, previous = links(staff_token, HTTP_HOST=NOORD, SERVER_PORT="8443")
    assert nxt == f"http://{NOORD}:8443/api/admin/customers/?page=3"
    assert previous == f"http://{NOORD}:8443/api/admin/customers/"
    default, _previous = links(staff_token, HTTP_HOST=NOORD, SERVER_PORT="80")
    assert default == f"http://{NOORD}/api/admin/customers/?page=3"


def test_behind_a_trusted_proxy_the_forwarded_scheme_and_port_count(staff_token, settings):
    settings.TRUSTED_PROXIES = 1
    settings.SECURE_PROXY_SSL_HEADER = PROXY_SSL_HEADER
    forwarded = {"HTTP_X_FORWARDED_PROTO": "https", "SERVER_PORT": "8000"}
    nxt, _previous = links(staff_token, HTTP_HOST=NOORD, **forwarded)
    assert nxt == f"https://{NOORD}/api/admin/customers/?page=3"  # not the app's own port 8000
    nxt, _previous = links(staff_token, HTTP_HOST=NOORD, HTTP_X_FORWARDED_PORT="8443", **forwarded)
    assert nxt == f"https://{NOORD}:8443/api/admin/customers/?page=3"
    nxt, _previous = links(staff_token, HTTP_HOST=f"{NOORD}:9443", HTTP_X_FORWARDED_PORT="8443", **forwarded)
    assert nxt == f"https://{NOORD}:9443/api/admin/customers/?page=3"  # the Host header says it all
    nxt, _previous = links(staff_token, HTTP_HOST=NOORD, HTTP_X_FORWARDED_PORT="443", **forwarded)
    assert nxt == f"https://{NOORD}/api/admin/customers/?page=3"


def test_without_trusted_proxies_forwarded_headers_are_ignored(staff_token, settings):
    settings.TRUSTED_PROXIES = 0
    settings.SECURE_PROXY_SSL_HEADER = None
    nxt, _previous = links(
        staff_token,
        HTTP_HOST=NOORD,
        SERVER_PORT="8000",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_PORT="8443",
    )
    assert nxt == f"http://{NOORD}:8000/api/admin/customers/?page=3"


def test_every_paginated_list_uses_the_same_links(staff_token):
    """Lists page through DRF's generic views; the data-gaps list pages by hand with the same class."""
    from rest_framework import generics
    from rest_framework.settings import api_settings

    nxt, _previous = links(staff_token, "/api/admin/customers/?page=1", HTTP_HOST=NOORD, SERVER_PORT="8443")
    assert nxt.startswith(f"http://{NOORD}:8443/")
    assert api_settings.DEFAULT_PAGINATION_CLASS.__module__ == "core.pagination"
    assert generics.GenericAPIView.pagination_class is api_settings.DEFAULT_PAGINATION_CLASS


@pytest.mark.slow
@pytest.mark.parametrize(("hops", "expected"), [("0", None), ("1", list(PROXY_SSL_HEADER))])
def test_the_settings_trust_x_forwarded_proto_only_behind_proxies(django_db_setup, hops, expected):
    """In development and production alike: the header counts only with TRUSTED_PROXIES > 0."""
    show = "import django, json; django.setup(); from django.conf import settings; print(json.dumps(settings.SECURE_PROXY_SSL_HEADER))"
    for debug in ("0", "1"):
        environment = child_environment(
            TRUSTED_PROXIES=hops, DEBUG=debug, SECRET_KEY="s" * 50, EMAIL_HOST="smtp.invalid"
        )
        result = subprocess.run(
            [sys.executable, "-c", show],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert json.loads(result.stdout.strip().splitlines()[-1]) == expected, (debug, result.stdout)
