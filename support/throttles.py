"""Help requests and replies are counted on their own (per organisation and IP), not with logins."""

from __future__ import annotations

from credentials.throttles import AuthIPThrottle


class TicketThrottle(AuthIPThrottle):
    scope = "tickets"
