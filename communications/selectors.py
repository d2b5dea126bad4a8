"""Reads over the outboxes of every schema (the public one and each organisation's)."""

from __future__ import annotations

from datetime import datetime

from tenants.models import Organisation
from tenants.selectors import rows_over_tenant_schemas

from .models import OutboundEmail


def due_emails(*, now: datetime, created_before: datetime, limit: int = 1000) -> list[tuple[str, str]]:
    """(schema, email id) of unsent emails whose next attempt is due."""
    rows = rows_over_tenant_schemas(
        "SELECT id::text FROM {schema}.communications_outboundemail "
        "WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= %s AND created_at <= %s "
        "ORDER BY next_attempt_at LIMIT %s",
        [now, created_before, limit],
        limit=limit,
        include_public=True,
    )
    return [(schema, row[0]) for schema, row in rows]


def outbox_backlog(*, now: datetime) -> tuple[int, float]:
    """Number of unsent emails over all schemas, and the age in seconds of the oldest one."""
    rows = rows_over_tenant_schemas(
        "SELECT count(*), min(created_at) FROM {schema}.communications_outboundemail "
        "WHERE sent_at IS NULL AND gave_up_at IS NULL",
        [],
        include_public=True,
    )
    total = sum(row[0] for _schema, row in rows)
    oldest = min((row[1] for _schema, row in rows if row[1] is not None), default=None)
    return total, (now - oldest).total_seconds() if oldest else 0.0


def outbox_by_schema(*, now: datetime) -> list[dict]:
    """Per schema with any unsent or given-up email: counts and the age of the oldest unsent one."""

    rows = rows_over_tenant_schemas(
        "SELECT count(*) FILTER (WHERE gave_up_at IS NULL), min(created_at) FILTER (WHERE gave_up_at IS NULL), "
        "count(*) FILTER (WHERE gave_up_at IS NOT NULL) "
        "FROM {schema}.communications_outboundemail WHERE sent_at IS NULL",
        [],
        include_public=True,
    )
    slugs = dict(Organisation.objects.values_list("schema_name", "slug"))
    return [
        {
            "organisation": slugs.get(schema, "platform"),
            "unsent": unsent,
            "oldest_age_seconds": (now - oldest).total_seconds() if oldest else 0.0,
            "given_up": given_up,
        }
        for schema, (unsent, oldest, given_up) in rows
        if unsent or given_up
    ]


def stuck_emails(*, limit: int = 200):
    """The current schema's unsent emails, oldest first, with their last error."""

    return OutboundEmail.objects.filter(sent_at__isnull=True).order_by("created_at")[:limit]
