"""Reads about credentials in the current schema."""

from __future__ import annotations

from django.utils import timezone

from .models import AccessToken
from .services import fingerprint_matches


def live_access_tokens(*, user) -> list[AccessToken]:
    """The caller's own API tokens here that still work, newest first.

    Impersonation tokens are the staff member's to stop, and a token issued before the last
    password change no longer works, so neither is listed.
    """
    queryset = AccessToken.objects.filter(
        user=user, impersonated_by__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at", "-pk")
    return [token for token in queryset if fingerprint_matches(token.credential_fingerprint, user)]
