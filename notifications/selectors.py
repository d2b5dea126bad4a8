"""What a resident gets: their own choice per kind, else the organisation's default."""

from __future__ import annotations

from dataclasses import dataclass

from .kinds import COMPARISONS, KINDS
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


def _usage_row(account) -> tuple[int | None, str | None]:
    row = (
        NotificationPreference.objects.filter(account=account, kind="usage_alert")
        .values_list("threshold", "comparison")
        .first()
    )
    return row or (None, None)


def usage_threshold_for(account) -> int:
    """The resident's usage-alert threshold in percent, else the organisation's."""
    own = _usage_row(account)[0]
    return own if own is not None else NotificationDefaults.objects.current().usage_threshold


def usage_comparison_for(account) -> str:
    """last_year, similar_homes or both: the resident's choice, else the organisation's."""
    return _usage_row(account)[1] or NotificationDefaults.objects.current().usage_comparison


@dataclass(frozen=True)
class UsageChoice:
    threshold: int
    comparisons: tuple[str, ...]  # what to measure against: last_year and/or similar_homes


def usage_choices(accounts) -> dict[int, UsageChoice]:
    """account id -> its usage-alert choice, for the accounts that want the alert (two queries
    whatever their number: the daily run reads them all at once)."""
    defaults = NotificationDefaults.objects.current()
    default_on = bool(defaults.enabled.get("usage_alert", KINDS["usage_alert"].default_enabled))
    rows = {
        account_id: (enabled, threshold, comparison)
        for account_id, enabled, threshold, comparison in NotificationPreference.objects.filter(
            kind="usage_alert"
        ).values_list("account_id", "enabled", "threshold", "comparison")
    }
    choices = {}
    for account in accounts:
        enabled, threshold, comparison = rows.get(account.pk, (default_on, None, None))
        if not enabled:
            continue
        choices[account.pk] = UsageChoice(
            threshold=threshold if threshold is not None else defaults.usage_threshold,
            comparisons=COMPARISONS[comparison or defaults.usage_comparison],
        )
    return choices
