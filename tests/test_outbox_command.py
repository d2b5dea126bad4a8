"""The operator's view of stuck emails and the retry of given-up ones."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from communications.models import OutboundEmail


def _email(**fields) -> OutboundEmail:
    values = {
        "template": "ticket_received",
        "language": "en",
        "to": "stuck@example.test",
        "from_email": "p@example.test",
        "subject": "s",
        "body_text": "b",
    }
    return OutboundEmail.objects.create(**{**values, **fields})


def test_status_lists_each_organisations_backlog_and_retry_requeues_given_up_emails(db):
    with schema_context("org_noord"):
        given_up = _email(
            attempts=30, gave_up_at=timezone.now(), last_error="SMTPRecipientsRefused: 550 no such user"
        )
        waiting = _email(attempts=2, last_error="ConnectionRefusedError")
    out = StringIO()
    call_command("outbox", "status", stdout=out)
    assert "noord" in out.getvalue()
    assert "given up     1" in out.getvalue()
    out = StringIO()
    call_command("outbox", "stuck", "noord", stdout=out)
    assert str(given_up.pk) in out.getvalue()
    assert "550 no such user" in out.getvalue()
    assert str(waiting.pk) in out.getvalue()
    out = StringIO()
    call_command("outbox", "retry", "noord", stdout=out)
    assert "1 email(s) queued again" in out.getvalue()
    with schema_context("org_noord"):
        given_up.refresh_from_db()
        assert given_up.gave_up_at is None
        assert given_up.attempts == 0
        waiting.refresh_from_db()
        assert waiting.attempts == 2  # untouched: it was never given up
