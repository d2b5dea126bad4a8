"""The request (or Celery task) a log line belongs to, carried in a context variable."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
# Accept an id from the proxy only when it looks like one; anything else gets a fresh id.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str | None):
    """Set the id for this context (a new one when ``value`` is missing or malformed); returns a reset token."""
    if not value or not _VALID_ID.match(value):
        value = uuid.uuid4().hex
    return _request_id.set(value)


def reset_request_id(token) -> None:
    _request_id.reset(token)
