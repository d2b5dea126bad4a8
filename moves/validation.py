"""The moves' input checks, as domain errors.

The steps of a move-in and a move-out are described by DRF serializers (``moves.steps``,
``moves.move_out``), which the API documents as they are. The services run them through
``validated`` so that what they refuse leaves the service as a ``RuleViolation`` (code ``invalid``,
the serializer's fields and messages as plain text): the API answers it exactly as it answered the
serializer's error, and the pages catch domain errors only.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.errors import RuleViolation


def plain(detail: Any) -> Any:
    """A serializer's errors with plain strings in place of DRF's ``ErrorDetail``."""
    if isinstance(detail, dict):
        return {key: plain(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [plain(value) for value in detail]
    return str(detail)


def first_message(detail: Any) -> str | None:
    """The first message of nested errors (the RuleViolation's own message)."""
    values = detail.values() if isinstance(detail, dict) else detail if isinstance(detail, list) else None
    if values is None:
        return str(detail)
    return next((found for value in values if (found := first_message(value))), None)


def validated(
    serializer_class: type[serializers.Serializer],
    data: Any,
    *,
    context: dict | None = None,
    message: str | None = None,
) -> Any:
    """``data`` as the serializer cleans it, or a ``RuleViolation`` with its errors per field
    (``message``, or the first error, as the violation's message)."""
    serializer = serializer_class(data=data, context=context or {})
    if not serializer.is_valid():
        errors = plain(serializer.errors)
        raise RuleViolation(message or first_message(errors) or "", code="invalid", errors=errors)
    return serializer.validated_data
