"""Signed-in devices: a resident who signs in from several browsers, each with its own token.

Shared by the devices API tests and the devices page tests. `resident` is a fixture the test module
imports by name: it stands in for the conftest's `resident` (tests.support.tickets) there only.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from credentials.models import AccessToken
from customers.models import Customer
from memberships.services.login import SESSION_TOKEN_KEY
from tests.support.billing_data import billing_customer
from tests.support.staff import staff_client
from tests.support.web import NOORD, PASSWORD, make_resident, page_client

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def resident(db) -> dict:
    """A Noord customer registered and confirmed as a portal resident (email, PASSWORD)."""
    data = billing_customer()
    make_resident(data)
    return data


def browser(data: dict, user_agent: str, *, enforce_csrf: bool = False) -> Client:
    """A browser logged in through the login page (a session bound to its own token).

    With `enforce_csrf`, the CSRF token is checked as in a real browser (the login form sends it).
    """
    client = page_client(NOORD, enforce_csrf_checks=enforce_csrf, HTTP_USER_AGENT=user_agent)
    form = {"email": data["email"], "password": PASSWORD}
    if enforce_csrf:
        client.get("/login/")
        form["csrfmiddlewaretoken"] = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post("/login/", form)
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def csrf_browser(data: dict, user_agent: str) -> Client:
    """A browser logged in through the login page, its CSRF token checked as in a real one."""
    return browser(data, user_agent, enforce_csrf=True)


def token_of(client: Client) -> AccessToken:
    """The access token the browser's session is bound to."""
    with schema_context("org_noord"):
        return AccessToken.objects.get(pk=client.session[SESSION_TOKEN_KEY])


def impersonation_key(noord_client, data: dict) -> str:
    """A Noord staff member starts acting as the resident: the impersonation token's key."""
    with schema_context("org_noord"):
        customer = Customer.objects.get(customer_number=data["number"])
    staff_client(noord_client)
    started = noord_client.post(f"/api/admin/customers/{customer.pk}/portal/impersonate/", {}, format="json")
    assert started.status_code == 201, started.content
    return started.json()["key"]
