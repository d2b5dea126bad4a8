"""Abuse resistance: throttles on registration, resend and login; oversized input is a field error."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from memberships.errors import MembershipError
from memberships.models import PortalAccount, StaffMembership
from memberships.services.registration import register_resident
from tenants.models import Organisation
from tests.support.factories import make_customer, outbox
from tests.support.staff import staff_client

PASSWORD = "a-fine-portal-password"
LONG_EMAIL = "a" * 250 + "@example.test"  # 263 characters: valid syntax, too long for the column
TOO_LONG = "Ensure this field has no more than 254 characters."


def _statuses(responses):
    return [response.status_code for response in responses]


def _throttled(response):
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert body["detail"].startswith("Too many attempts. Try again in ")
    assert int(response["Retry-After"]) >= 1


def test_the_throttled_answer_is_in_the_callers_language(noord_client):
    for _ in range(10):
        noord_client.post("/api/auth/password/reset/", {"email": "nobody@example.test"}, format="json")
    response = noord_client.post(
        "/api/auth/password/reset/",
        {"email": "nobody@example.test"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Te veel pogingen.")


# -- throttles -----------------------------------------------------------------------------------
def test_registration_is_throttled_per_account(noord_client):
    answers = [
        noord_client.post(
            "/api/auth/register/",
            {"customer_number": f"NOPE-{n}", "email": "target@example.test", "password": PASSWORD},
            format="json",
        )
        for n in range(11)
    ]
    assert _statuses(answers[:10]) == [400] * 10
    assert {answer.json()["code"] for answer in answers[:10]} == {"registration_not_possible"}
    _throttled(answers[10])


def test_registration_is_throttled_per_ip(noord_client):
    answers = [
        noord_client.post(
            "/api/auth/register/",
            {"customer_number": f"NOPE-{n}", "email": f"who{n}@example.test", "password": PASSWORD},
            format="json",
        )
        for n in range(31)
    ]
    assert _statuses(answers[:30]) == [400] * 30
    _throttled(answers[30])


def test_a_throttled_registration_stores_nothing(noord_client):
    customer = make_customer()
    for n in range(10):
        noord_client.post(
            "/api/auth/register/",
            {"customer_number": f"NOPE-{n}", "email": customer.email, "password": PASSWORD},
            format="json",
        )
    late = noord_client.post(
        "/api/auth/register/",
        {"customer_number": customer.customer_number, "email": customer.email, "password": PASSWORD},
        format="json",
    )
    _throttled(late)
    with schema_context("org_noord"):
        assert not PortalAccount.objects.filter(customer_id=customer.pk).exists()
    assert outbox("org_noord", customer.email) == []


def test_resend_is_throttled_per_account(noord_client):
    answers = [
        noord_client.post("/api/auth/confirmation/resend/", {"email": "Target@Example.test"}, format="json")
        for _ in range(11)
    ]
    assert _statuses(answers[:10]) == [202] * 10
    _throttled(answers[10])


def test_resend_is_throttled_per_ip(noord_client):
    answers = [
        noord_client.post("/api/auth/confirmation/resend/", {"email": f"who{n}@example.test"}, format="json")
        for n in range(31)
    ]
    assert _statuses(answers[:30]) == [202] * 30
    _throttled(answers[30])


def test_login_is_throttled_per_ip(noord_client):
    answers = [
        noord_client.post(
            "/api/auth/login/", {"email": f"who{n}@example.test", "password": "wrong-guess-1"}, format="json"
        )
        for n in range(31)
    ]
    assert _statuses(answers[:30]) == [400] * 30
    assert {answer.json()["code"] for answer in answers[:30]} == {"invalid_credentials"}
    _throttled(answers[30])


def test_per_ip_throttle_is_per_client(noord_client):
    for n in range(31):
        noord_client.post(
            "/api/auth/login/", {"email": f"who{n}@example.test", "password": "wrong-1"}, format="json"
        )
    other = noord_client.post(
        "/api/auth/login/",
        {"email": "fresh@example.test", "password": "wrong-1"},
        format="json",
        REMOTE_ADDR="192.0.2.44",
    )
    assert other.json()["code"] == "invalid_credentials"


# -- oversized input -----------------------------------------------------------------------------
@pytest.mark.parametrize("field", ["email", "login_email"])
def test_register_with_a_too_long_address_is_a_field_error(noord_client, field):
    customer = make_customer()
    payload = {"customer_number": customer.customer_number, "email": customer.email, "password": PASSWORD}
    payload[field] = LONG_EMAIL
    response = noord_client.post("/api/auth/register/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", field: [TOO_LONG]}
    with schema_context("org_noord"):
        assert not PortalAccount.objects.filter(customer_id=customer.pk).exists()


@pytest.mark.parametrize("path", ["/api/auth/confirmation/resend/", "/api/auth/password/reset/"])
def test_account_requests_with_a_too_long_address_are_field_errors(noord_client, path):
    response = noord_client.post(path, {"email": LONG_EMAIL}, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "email": [TOO_LONG]}


def test_service_refuses_a_too_long_login_address_too(db):
    """The browser form allows 320 characters; the service still answers with a field error."""
    customer = make_customer()
    with schema_context("org_noord"), pytest.raises(MembershipError) as refused:
        register_resident(
            organisation=Organisation.objects.get(schema_name="org_noord"),
            customer_number=customer.customer_number,
            email=customer.email,
            password=PASSWORD,
            login_email=LONG_EMAIL,
        )
    assert (refused.value.code, refused.value.field) == ("invalid", "login_email")
    assert "254" in refused.value.message


def test_invitation_with_a_too_long_address_is_a_field_error(noord_client):
    staff_client(noord_client)
    customer = make_customer()
    response = noord_client.post(
        f"/api/admin/customers/{customer.pk}/portal/invite/", {"email": LONG_EMAIL}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "email": [TOO_LONG]}
    customer.refresh_from_db()
    assert customer.email != LONG_EMAIL


def test_staff_invitation_with_a_too_long_address_is_a_field_error(noord_client):
    staff_client(noord_client)
    response = noord_client.post(
        "/api/admin/staff/", {"email": LONG_EMAIL, "role": "staff", "full_name": "x" * 201}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "email": [TOO_LONG],
        "full_name": ["Ensure this field has no more than 200 characters."],
    }
    with schema_context("org_noord"):
        assert not StaffMembership.objects.filter(email__startswith="aaaa").exists()


def test_other_oversized_inputs_are_field_errors(noord_client):
    too_long_number = noord_client.post(
        "/api/auth/register/",
        {"customer_number": "9" * 41, "email": "x@example.test", "password": "p" * 257},
        format="json",
    )
    assert too_long_number.status_code == 400
    assert too_long_number.json() == {
        "code": "invalid",
        "customer_number": ["Ensure this field has no more than 40 characters."],
        "password": ["Ensure this field has no more than 256 characters."],
    }
    token = noord_client.post("/api/auth/confirm/", {"token": "t" * 201}, format="json")
    assert token.json() == {
        "code": "invalid",
        "token": ["Ensure this field has no more than 200 characters."],
    }
    staff_client(noord_client)
    customer = make_customer()
    reason = noord_client.post(
        f"/api/admin/customers/{customer.pk}/portal/impersonate/", {"reason": "r" * 301}, format="json"
    )
    assert reason.json() == {
        "code": "invalid",
        "reason": ["Ensure this field has no more than 300 characters."],
    }
