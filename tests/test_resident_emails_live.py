"""The resident flows end to end: API, outbox, Celery worker on Redis, a real SMTP server."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from customers.models import Customer
from memberships.models import AccountEmailRequest, PortalAccount
from memberships.tasks import sweep_account_requests

PASSWORD = "a-fine-portal-password"


@pytest.fixture
def customer(committed):
    number = f"L-{uuid.uuid4().hex[:8]}"
    with schema_context("org_noord"):
        created = Customer.objects.create(
            customer_number=number,
            first_name="Live",
            last_name="Tester",
            email=f"{number.lower()}@example.test",
            language="nl",
        )
    yield created
    with schema_context("org_noord"):
        PortalAccount.objects.filter(customer=created).delete()


def token_from(caught, path: str) -> str:
    match = re.search(rf"http://portal\.noord\.test:8000{path}(\S+)", caught.text)
    assert match, caught.text
    return match.group(1)


def test_register_confirm_login_and_reset_through_real_email(customer, celery_worker, smtp, client_for):
    client = client_for("portal.noord.test", language="nl")
    registered = client.post(
        "/api/auth/register/",
        {"customer_number": customer.customer_number, "email": customer.email, "password": PASSWORD},
        format="json",
    )
    assert registered.status_code == 202
    [confirmation] = smtp.wait_for(customer.email)
    assert "Warmtenet Noord" in confirmation.subject
    assert confirmation.message["Reply-To"] is None or "@" in confirmation.message["Reply-To"]
    token = token_from(confirmation, "/confirm/")

    early = client.post("/api/auth/login/", {"email": customer.email, "password": PASSWORD}, format="json")
    assert early.json()["code"] == "email_not_confirmed"
    client.post("/api/auth/confirmation/resend/", {"email": customer.email}, format="json")
    second = smtp.wait_for(customer.email, count=2)[-1]
    token = token_from(second, "/confirm/")

    assert client.post("/api/auth/confirm/", {"token": token}, format="json").status_code == 200
    login = client.post("/api/auth/login/", {"email": customer.email, "password": PASSWORD}, format="json")
    assert login.status_code == 200

    client.post("/api/auth/password/reset/", {"email": customer.email}, format="json")
    reset_mail = smtp.wait_for(customer.email, count=3)[-1]
    reset_token = token_from(reset_mail, "/reset-password/")
    done = client.post(
        "/api/auth/password/reset/confirm/",
        {"token": reset_token, "new_password": "new-live-password-9"},
        format="json",
    )
    assert done.status_code == 200
    assert (
        client.post(
            "/api/auth/login/", {"email": customer.email, "password": "new-live-password-9"}, format="json"
        ).status_code
        == 200
    )
    notice = smtp.wait_for(customer.email, count=4)[-1]
    assert notice.message["X-Portal-Template"] == "password_changed"


@pytest.mark.faults
def test_password_reset_while_the_broker_is_down(customer, broker, celery_worker, smtp, client_for):
    """The request succeeds at once; the email goes out, once, after the broker is back."""
    client = client_for("portal.noord.test")
    client.post(
        "/api/auth/register/",
        {"customer_number": customer.customer_number, "email": customer.email, "password": PASSWORD},
        format="json",
    )
    [confirmation] = smtp.wait_for(customer.email)
    client.post("/api/auth/confirm/", {"token": token_from(confirmation, "/confirm/")}, format="json")
    try:
        broker.stop()
        started = time.monotonic()
        response = client.post("/api/auth/password/reset/", {"email": customer.email}, format="json")
        assert response.status_code == 202
        assert time.monotonic() - started < 5
        time.sleep(0.5)
        assert len(smtp.to(customer.email)) == 1
        broker.start()
        with schema_context("org_noord"):
            AccountEmailRequest.objects.filter(email=customer.email).update(
                created_at=timezone.now() - timezone.timedelta(minutes=5)
            )
        sweep_account_requests.apply_async(retry=True)  # what beat runs every minute
        # the account request is processed; its email is then delivered through the outbox
        caught = smtp.wait_for(customer.email, count=2, timeout=30)
        assert caught[-1].message["X-Portal-Template"] == "password_reset"
        time.sleep(1)
        assert len(smtp.to(customer.email)) == 2
    finally:
        if broker.process is None:
            broker.start()
