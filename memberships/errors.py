"""Domain errors of the membership use cases; the API turns each into a 4xx with its code."""

from __future__ import annotations

from core.errors import RuleViolation


class MembershipError(RuleViolation):
    code = "membership_error"
