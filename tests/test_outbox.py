"""Emails go through the transactional outbox, a Celery worker on a real Redis broker, and SMTP."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from communications import services
from communications.models import OutboundEmail
from communications.tasks import sweep_outbox
from tenants import provisioning
from tenants.models import Organisation
from tests.support.common import wait_until

LINK = re.compile(r"http://[^\s\"<]+/invitation/(\S+)")


def _drop(slug: str) -> None:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is not None:
        provisioning.drop_schema(organisation.schema_name)
        organisation.domains.all().delete()
        organisation.delete()


def _onboard(slug: str, admin_email: str, language: str = "nl"):
    from operators.onboarding import onboard_organisation

    return onboard_organisation(
        name=f"Warmte {slug.title()}",
        slug=slug,
        domain=f"portal.{slug}.test",
        admin_email=admin_email,
        default_language=language,
    )


def test_onboarding_invitation_arrives_and_can_be_accepted(committed, celery_worker, smtp, client_for):
    slug = f"w{uuid.uuid4().hex[:8]}"
    admin = f"admin@{slug}.test"
    try:
        _onboard(slug, admin, language="en")
        [caught] = smtp.wait_for(admin)
        assert caught.subject == f"You are invited to manage the Warmte {slug.title()} customer portal"
        token = LINK.search(caught.text).group(1)
        assert f"http://portal.{slug}.test:8000/invitation/{token}" in caught.text
        assert f"portal.{slug}.test" in caught.html
        client = client_for(f"portal.{slug}.test")
        details = client.get(f"/api/auth/invitations/{token}/").json()
        assert details["email"] == admin
        assert details["needs_password"] is True
        accepted = client.post(
            "/api/auth/invitations/accept/",
            {"token": token, "password": "a-strong-password-42"},
            format="json",
        )
        assert accepted.status_code == 200, accepted.content
        assert accepted.json() == {"email": admin, "role": "admin", "created_identity": True}
        again = client.post(
            "/api/auth/invitations/accept/",
            {"token": token, "password": "a-strong-password-42"},
            format="json",
        )
        assert again.status_code == 400
        assert again.json()["code"] == "token_used"
        login = client.post(
            "/api/auth/login/", {"email": admin, "password": "a-strong-password-42"}, format="json"
        )
        assert login.status_code == 200
        assert login.json()["roles"] == ["staff:admin"]
    finally:
        _drop(slug)


def test_dutch_recipient_gets_a_dutch_email(committed, celery_worker, smtp):
    slug = f"w{uuid.uuid4().hex[:8]}"
    admin = f"beheer@{slug}.test"
    try:
        _onboard(slug, admin, language="nl")
        [caught] = smtp.wait_for(admin)
        assert "uitgenodigd" in caught.subject
    finally:
        _drop(slug)


@pytest.mark.faults
def test_broker_down_delays_the_email_but_never_loses_it(committed, broker, celery_worker, smtp):
    slug = f"w{uuid.uuid4().hex[:8]}"
    admin = f"admin@{slug}.test"
    try:
        broker.stop()
        started = time.monotonic()
        result = _onboard(slug, admin)  # commits; the dispatch after commit fails and only logs
        assert time.monotonic() - started < 10
        with schema_context(result.organisation.schema_name):
            email = OutboundEmail.objects.get(to=admin)
            assert email.sent_at is None
        time.sleep(0.5)
        assert smtp.to(admin) == []
        broker.start()
        # The periodic sweep (Celery beat in production) finds the unsent email once it is due.
        with schema_context(result.organisation.schema_name):
            OutboundEmail.objects.filter(pk=email.pk).update(
                created_at=timezone.now() - timezone.timedelta(minutes=5)
            )
        sweep_outbox.apply_async(retry=True)
        [caught] = smtp.wait_for(admin)
        assert "invitation" in caught.text.lower()

        # The SMTP conversation ends just before the delivery's transaction commits sent_at.
        def recorded():
            with schema_context(result.organisation.schema_name):
                email.refresh_from_db()
                return email.sent_at is not None

        wait_until(recorded, timeout=10)
        time.sleep(1)
        assert len(smtp.to(admin)) == 1
    finally:
        if broker.process is None:
            broker.start()
        _drop(slug)


def test_delivering_twice_sends_once(committed, smtp, noord_schema):
    recipient = f"twice-{uuid.uuid4().hex[:8]}@example.test"
    with schema_context(noord_schema):
        # An outbox row as queue_email writes it, without publishing its task: the session's Celery
        # worker would otherwise race this test for the row (and hold its lock: "busy").
        email = OutboundEmail.objects.create(
            template="staff_invitation",
            language="en",
            to=recipient,
            from_email="Warmtenet Noord <portal@platform.localhost>",
            subject="Twice asked, once sent",
            body_text="Sent once.",
        )
        assert services.deliver(email_id=email.pk) == "sent"
        assert services.deliver(email_id=email.pk) == "already_sent"
    smtp.wait_for(recipient)
    time.sleep(0.5)
    assert len(smtp.to(recipient)) == 1


def test_two_simultaneous_deliveries_send_one_email(committed, smtp, noord_schema):
    """Two workers pick up the same email at the same moment: the row lock lets only one talk SMTP."""
    import threading

    recipient = f"race-{uuid.uuid4().hex[:8]}@example.test"
    with schema_context(noord_schema):
        # An outbox row as queue_email writes it, but without publishing its task: the session's
        # Celery worker would otherwise be a third deliverer in this race.
        email = OutboundEmail.objects.create(
            template="staff_invitation",
            language="en",
            to=recipient,
            from_email="Warmtenet Noord <portal@platform.localhost>",
            subject="One email, however many workers",
            body_text="Sent once.",
        )
    start = threading.Barrier(2)
    results: list[str] = []

    def worker():
        try:
            with schema_context(noord_schema):
                start.wait(timeout=10)
                results.append(services.deliver(email_id=email.pk))
        finally:
            connection.close()  # each thread has its own database connection

    smtp.delay_seconds = 1.0  # keep the first SMTP conversation (and its row lock) open a while
    try:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        smtp.delay_seconds = 0.0
    assert sorted(results) in (["busy_or_missing", "sent"], ["already_sent", "sent"])
    smtp.wait_for(recipient)
    time.sleep(0.5)
    assert len(smtp.to(recipient)) == 1
    with schema_context(noord_schema):
        email.refresh_from_db()
        assert email.sent_at is not None
        assert email.attempts == 1


def test_smtp_failure_is_recorded_and_retried_later(committed, settings, noord_schema):
    settings.EMAIL_PORT = 1  # nothing listens there
    recipient = f"later-{uuid.uuid4().hex[:8]}@example.test"
    with schema_context(noord_schema):
        organisation = Organisation.objects.get(schema_name=noord_schema)
        email = services.queue_email(
            template="staff_invitation",
            to=recipient,
            language="en",
            organisation=organisation,
            context={"accept_url": "http://x/invitation/abc", "role": "Staff", "expires_at": timezone.now()},
        )
        assert services.deliver(email_id=email.pk) == "failed"
        email.refresh_from_db()
        assert email.sent_at is None
        assert email.attempts == 1
        assert "ConnectionRefusedError" in email.last_error
        assert email.next_attempt_at > timezone.now()
        OutboundEmail.objects.filter(pk=email.pk).delete()


@pytest.fixture
def noord_schema():
    return "org_noord"
