"""Structured logs: every line says which organisation's schema and which request it belongs to."""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

from .context import current_request_id


class ContextFilter(logging.Filter):
    """Adds ``schema`` (the database schema in use, i.e. the organisation) and ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "schema"):
            record.schema = _current_schema()
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def _current_schema() -> str:
    try:
        from django.db import connection

        return getattr(connection, "schema_name", "-") or "-"
    except Exception:  # logging must never fail because Django is not ready
        return "-"


class PortalJsonFormatter(JsonFormatter):
    """One JSON object per line with stable key names for the log collector."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", False)
        super().__init__(*args, **kwargs)
