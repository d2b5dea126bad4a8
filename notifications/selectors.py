"""What a resident gets: their own choice per kind, else the organisation's default."""

from __future__ import annotations

from .kinds import KINDS
from .models import NotificationDefaults, NotificationPreference


def organisation_defaults() -> dict[str, bool]:
    """Every kind with the organisation's default (its own, else the kind's)."""
    stored = NotificationDefaults.objects.current().enabled
    return {key: bool(stored.get(key, kind.default_enabled)) for key, kind in KINDS.items()}


def preferences_for(account) -> dict[str, bool]:
    """Every kind, on or off, for one portal account (two queries)."""
    chosen = dict(
        NotificationPreference.objects.filter(account=account, kind__in=KINDS).values_list("kind", "enabled")
    )
    return {key: chosen.get(key, default) for key, default in organisation_defaults().items()}


def wants(account, kind: str) -> bool:
    return preferences_for(account)[kind]


def usage_threshold_for(account) -> int:
    """The resident's usage-alert threshold in percent, else the organisation's."""
    own = (
        NotificationPreference.objects.filter(account=account, kind="usage_alert")
        .values_list("threshold", flat=True)
        .first()
    )
    return own if own is not None else NotificationDefaults.objects.current().usage_threshold
