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
    ):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.code
        self.field = field
        self.http_status = http_status or self.http_status
