"""Structured logs: every line says which organisation's schema and which request it belongs to."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter

from .context import current_request_id


class ContextFilter(logging.Filter):
    """Adds ``schema`` (the database schema in use, i.e. the organisation) and ``request_id``.

    Django's own request lines ("Not Found: /confirm/<token>", with the request as ``extra``) would
    put a link's token in the logs: the path is replaced by the URL pattern and the request object
    by its method and pattern.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "schema"):
            record.schema = _current_schema()
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            _hide_path(record, request)
        return True


def _hide_path(record: logging.LogRecord, request) -> None:
    path = getattr(request, "path", None)
    match = getattr(request, "resolver_match", None)
    route = f"/{match.route}" if match is not None else "-"
    if path and isinstance(record.args, tuple):
        variants = {path, path.encode("unicode_escape").decode("ascii")}
        record.args = tuple(route if arg in variants else arg for arg in record.args)
    record.request = f"{getattr(request, 'method', '-')} {route}"


def _current_schema() -> str:
    try:
        from django.apps import apps

        if not apps.ready:  # gunicorn's master process, before Django is loaded: no schema yet
            return "-"
        from django.db import connection

        return getattr(connection, "schema_name", "-") or "-"
    except Exception:  # logging must never fail because Django is not ready
        return "-"


class GunicornAccessFilter(logging.Filter):
    """Turns gunicorn's access-log record into fields, without the raw path or the client's address.

    gunicorn passes its "atoms" (request line, headers, timings) as the record's arguments; the raw
    request line holds tokens of emailed links, so only method, status, duration and the request id
    (from the answer's ``X-Request-ID``) are kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if isinstance(atoms, Mapping):
            record.msg, record.args = "access", ()
            record.method = atoms.get("m") or "-"
            record.status = _int_or_dash(atoms.get("s"))
            record.duration_ms = _int_or_dash(atoms.get("M"))
            record.request_id = atoms.get("{x-request-id}o") or "-"
        return True


def _int_or_dash(value) -> int | str:
    try:
        return int(value)
    except (TypeError, ValueError):
        return "-"


class PortalJsonFormatter(JsonFormatter):
    """One JSON object per line with stable key names for the log collector.

    ``time`` is ISO 8601 in UTC with its offset (``2025-03-30T01:59:59.123+00:00``), so that lines of
    pods in different zones sort and parse alike.
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", False)
        super().__init__(*args, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
