"""The base of every domain error: a rule said no, with a stable code and the field to blame.

Services raise these; the API's exception handler turns them into a 4xx JSON answer, so views
need no try/except of their own.
"""

from __future__ import annotations


class RuleViolation(Exception):
    code = "invalid"
    http_status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        http_status: int | None = None,
        errors: dict[str, list[str]] | None = None,
    ):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.code
        self.field = field
        self.http_status = http_status or self.http_status
        # Several fields at once: {"field": ["message", ...]}
        self.errors = errors


class FieldErrors:
    """Collects errors per field while a service checks a whole form, then raises them together."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.first_code: str | None = None

    def add(self, field: str, message: str, code: str = "invalid") -> None:
        self.errors.setdefault(field, []).append(str(message))
        self.first_code = self.first_code or code

    def raise_if_any(self) -> None:
        if self.errors:
            raise RuleViolation(
                next(iter(self.errors.values()))[0], code=self.first_code or "invalid", errors=self.errors
            )


class RequestRefused(RuleViolation):
    """The request cannot be read at all: characters that are not allowed, JSON that is malformed or
    nested too deeply, a body larger than the operation accepts. Refused before any rule of the
    domain (or a throttle, or the database) sees it, with ``detail`` and the messages per field."""

    def __init__(self, message: str, *, code: str, http_status: int = 400, errors: dict | None = None):
        super().__init__(message, code=code, http_status=http_status, errors=errors or None)

    def as_dict(self) -> dict:
        return {"code": self.code, "detail": self.message, **(self.errors or {})}
