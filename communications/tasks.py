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
def deliver_email(schema_name: str, email_id: str) -> str:
    with schema_context(schema_name):
        return services.deliver(email_id=email_id)


@shared_task(ignore_result=True)
def sweep_outbox(limit: int = 1000) -> int:
    """Send whatever is due and still unsent, in every schema."""
    now = timezone.now()
    due = selectors.due_emails(now=now, created_before=now - SWEEP_GRACE, limit=limit)
    for schema_name, email_id in due:
        with schema_context(schema_name):
            services.deliver(email_id=email_id)
    return len(due)
