"""Reads over the outboxes of every schema (the public one and each organisation's)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.db import connection

from tenants.selectors import tenant_schema_names

_CHUNK = 200


def _schemas() -> list[str]:
    return [settings.PUBLIC_SCHEMA_NAME, *tenant_schema_names()]


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def due_emails(*, now: datetime, created_before: datetime, limit: int = 1000) -> list[tuple[str, str]]:
    """(schema, email id) of unsent emails whose next attempt is due, oldest first.

    One UNION ALL query per 200 schemas instead of one query per organisation.
    """
    found: list[tuple[str, str]] = []
    for chunk in _chunks(_schemas()):
        parts, params = [], []
        for schema in chunk:
            parts.append(
                f'(SELECT %s AS schema_name, id::text, created_at FROM "{schema}".communications_outboundemail '  # noqa: S608
                "WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= %s AND created_at <= %s "
                "ORDER BY next_attempt_at LIMIT %s)"
            )
            params += [schema, now, created_before, limit]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts) + " ORDER BY created_at LIMIT %s", [*params, limit])
            found += [(row[0], row[1]) for row in cursor.fetchall()]
        if len(found) >= limit:
            break
    return found[:limit]


def outbox_backlog(*, now: datetime) -> tuple[int, float]:
    """Number of unsent emails over all schemas, and the age in seconds of the oldest one."""
    total, oldest = 0, None
    for chunk in _chunks(_schemas()):
        parts = [
            f'SELECT count(*), min(created_at) FROM "{schema}".communications_outboundemail '  # noqa: S608
            "WHERE sent_at IS NULL AND gave_up_at IS NULL"
            for schema in chunk
        ]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts))
            for count, first in cursor.fetchall():
                total += count
                if first is not None and (oldest is None or first < oldest):
                    oldest = first
    return total, (now - oldest).total_seconds() if oldest else 0.0
