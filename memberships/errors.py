"""Domain errors of the membership use cases; the API turns each into a 4xx with its code."""

from __future__ import annotations


class MembershipError(Exception):
    code = "membership_error"
    field: str | None = None

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if field:
            self.field = field
