"""Throttles for the endpoints that guess-and-try attacks aim at (registration, resets, links).

Counted per organisation and per client IP (:func:`core.client_ip.client_ip`, which trusts
exactly ``TRUSTED_PROXIES`` hops of X-Forwarded-For), and per submitted email address, whether or
not that address is known, so the throttle itself reveals nothing. These act on one organisation's
data (its customer numbers, its outbox), so one organisation's counters never block another's.
Failed logins are counted over the whole platform instead (:mod:`credentials.login_throttle`): the
password they guess at is the same on every domain. Counters live in Redis; without Redis the
throttle lets requests through rather than failing them.
"""

from __future__ import annotations

import hashlib

from django.db import connection
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import normalise_email
from core.client_ip import client_ip


class AuthIPThrottle(SimpleRateThrottle):
    scope = "auth_ip"

    def get_ident(self, request):
        return client_ip(request) or "unknown"

    def get_cache_key(self, request, view):
        return f"throttle:{self.scope}:{connection.schema_name}:{self.get_ident(request)}"


class EmailChangeThrottle(AuthIPThrottle):
    """Its own counter (per organisation and IP): changing an address never locks out logging in."""

    scope = "email_change"


def address_key(email: str) -> str:
    """The counters' key for a submitted address: its normalised form, hashed (no address in Redis).

    Any string gives a key, also one no address can hold (an unpaired surrogate is encoded as is)."""
    return hashlib.sha256(normalise_email(email).encode("utf-8", "surrogatepass")).hexdigest()[:32]


class AuthAccountThrottle(SimpleRateThrottle):
    scope = "auth_account"

    def get_cache_key(self, request, view):
        try:
            email = request.data.get("email")
        except Exception:
            return None
        if not isinstance(email, str) or not email:
            return None
        return f"throttle:{self.scope}:{connection.schema_name}:{address_key(email)}"


AUTH_THROTTLES = [AuthIPThrottle, AuthAccountThrottle]
