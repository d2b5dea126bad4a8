"""A session or token issued on one organisation's domain is useless on any other domain."""

from __future__ import annotations

from django.conf import settings
from django_tenants.utils import schema_context

from memberships.services.registration import confirm_registration, register_resident
from tenants.models import Organisation
from tests.support.factories import last_link, make_customer
from tests.support.organisations import PASSWORD as STAFF_PASSWORD

PASSWORD = "a-fine-portal-password"


def _resident(schema: str, email: str):
    customer = make_customer(schema, email=email)
    organisation = Organisation.objects.get(schema_name=schema)
    with schema_context(schema):
        register_resident(
            organisation=organisation,
            customer_number=customer.customer_number,
            email=email,
            password=PASSWORD,
        )
        confirm_registration(raw_token=last_link(schema, email, "registration_confirmation", "/confirm/"))
    return customer


def test_token_of_a_and_user_of_both_is_rejected_on_b(noord_client, zuid_client):
    """admin@noord.test is staff of noord and (here) a resident of zuid: still one login per domain."""
    _resident("org_zuid", "admin@noord.test")
    noord_key = noord_client.post(
        "/api/auth/login/", {"email": "admin@noord.test", "password": STAFF_PASSWORD}, format="json"
    ).json()["key"]
    zuid_client.credentials(HTTP_AUTHORIZATION=f"Token {noord_key}")
    for path in ("/api/auth/me/", "/api/portal/me/", "/api/admin/customers/"):
        response = zuid_client.get(path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "token_invalid"
    zuid_client.credentials()
    own = zuid_client.post(
        "/api/auth/login/", {"email": "admin@noord.test", "password": STAFF_PASSWORD}, format="json"
    )
    assert own.status_code == 200
    assert own.json()["roles"] == ["resident"]


def test_session_cookie_of_a_is_rejected_on_b(noord_client, zuid_client):
    _resident("org_zuid", "admin@noord.test")
    noord_client.post(
        "/api/auth/login/", {"email": "admin@noord.test", "password": STAFF_PASSWORD}, format="json"
    )
    session_cookie = noord_client.cookies[settings.SESSION_COOKIE_NAME].value
    assert noord_client.get("/api/auth/me/").status_code == 200  # the session works where it was issued
    zuid_client.cookies[settings.SESSION_COOKIE_NAME] = session_cookie
    for path in ("/api/auth/me/", "/api/portal/me/", "/api/admin/customers/"):
        response = zuid_client.get(path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated", path


def test_resident_token_on_the_platform_domain_is_unknown(noord_client, platform_client):
    customer = _resident("org_noord", "someone@example.test")
    key = noord_client.post(
        "/api/auth/login/", {"email": customer.email, "password": PASSWORD}, format="json"
    ).json()["key"]
    platform_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert platform_client.get("/api/auth/me/").status_code == 401


def test_resident_cannot_use_the_staff_admin(noord_client):
    customer = _resident("org_noord", "resident-only@example.test")
    key = noord_client.post(
        "/api/auth/login/", {"email": customer.email, "password": PASSWORD}, format="json"
    ).json()["key"]
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = noord_client.get("/api/admin/customers/")
    assert response.status_code == 403
    assert noord_client.get(f"/api/admin/customers/{customer.pk}/portal/").status_code == 403


def test_staff_without_portal_account_is_not_a_resident(noord_client):
    key = noord_client.post(
        "/api/auth/login/", {"email": "admin@noord.test", "password": STAFF_PASSWORD}, format="json"
    ).json()["key"]
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = noord_client.get("/api/portal/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_resident"


def test_a_resident_sees_only_their_own_account(noord_client):
    first = _resident("org_noord", "first@example.test")
    _resident("org_noord", "second@example.test")
    key = noord_client.post(
        "/api/auth/login/", {"email": "first@example.test", "password": PASSWORD}, format="json"
    ).json()["key"]
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = noord_client.get("/api/portal/me/").json()
    assert me["customer"]["id"] == first.pk
    assert me["email"] == "first@example.test"
