"""Celery tasks that deliver the outbox."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from django_tenants.utils import schema_context

from . import selectors, services

# Emails younger than this are left to the task dispatched right after their commit.
SWEEP_GRACE = timedelta(seconds=20)


@shared_task(acks_late=True, ignore_result=True)
def deliver_email(*args: str) -> str:
    """``(email_id)``, run in the schema it was sent from (a tenant task): an organisation's outbox
    or the platform's. A message queued by an older release carries ``(schema_name, email_id)`` and
    no schema header: it is delivered in the schema it names."""
    *schema_name, email_id = args
    if schema_name:
        with schema_context(schema_name[0]):
            return services.deliver(email_id=email_id)
    return services.deliver(email_id=email_id)


@shared_task(ignore_result=True)
def sweep_outbox(limit: int = 1000) -> int:
    """Send whatever is due and still unsent, in every schema.

    Sent by beat (in public), it visits many schemas: each email is sent in its own by hand.
    """
    now = timezone.now()
    due = selectors.due_emails(now=now, created_before=now - SWEEP_GRACE, limit=limit)
    for schema_name, email_id in due:
        with schema_context(schema_name):
            services.deliver(email_id=email_id)
    return len(due)
