"""The daily usage alert: a complete month well above the same month last year, or above the
average of similar homes, by at least the resident's threshold (the comparisons they chose). Similar
homes only where the organisation shows the peer comparison (cost visualisation).

Every resident who wants the alert is measured together (``consumption.month_totals``,
``consumption.peers.month_peers``): the run's queries depend on the number of services, not on the
number of residents or their data; only a queued email costs its own few.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from consumption.month_totals import CustomerMonth, month_totals
from consumption.peers import MonthPeers, month_peers, peer_profile
from consumption.reports import costs_enabled
from contracts.energy_services import SERVICE_CHOICES
from memberships.models import PortalAccount

from .models import SentNotification
from .selectors import UsageChoice, usage_choices


def last_complete_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def _change(value: Decimal, other: Decimal | None) -> float | None:
    """How many percent ``value`` is above ``other``; None without a positive ``other``."""
    if other is None or other <= 0:
        return None
    return round(float((value - other) / other * 100), 2)


def _figure(value: Decimal) -> str:
    return f"{value:.1f}"


def _similar(totals: CustomerMonth, peers: MonthPeers | None) -> Decimal | None:
    profile = peer_profile(totals.locations)
    if peers is None or profile is None:
        return None
    return peers.similar(service=totals.service, profile=profile, own_locations=totals.own_locations)


def alert_context(totals: CustomerMonth, choice: UsageChoice, peers: MonthPeers | None) -> dict | None:
    """What the email says (both figures of each comparison that reached the threshold), or None."""
    if not totals.current.complete:
        return None
    value = totals.current.value
    found: dict[str, str] = {}
    if "last_year" in choice.comparisons and totals.year_before.complete:
        change = _change(value, totals.year_before.value)
        if change is not None and change >= choice.threshold:
            found["last_year_value"] = _figure(totals.year_before.value)
            found["last_year_change"] = f"{change:.0f}"
    if "similar_homes" in choice.comparisons:
        similar = _similar(totals, peers)
        change = _change(value, similar)
        if change is not None and change >= choice.threshold:
            found["similar_value"] = _figure(similar)
            found["similar_change"] = f"{change:.0f}"
    if not found:
        return None
    both = "last_year_change" in found and "similar_change" in found
    return {
        "comparison": "both" if both else ("last_year" if "last_year_change" in found else "similar_homes"),
        "value": _figure(value),
        "unit": totals.unit,
        "change_percentage": found.get("last_year_change") or found["similar_change"],
        "threshold": choice.threshold,
        **found,
    }


def usage_alerts(organisation, today: date) -> Iterator[tuple[int, str, str, dict]]:
    """(customer id, kind, key, context) of each alert to send, for the last complete month."""
    month = last_complete_month(today)
    accounts = list(PortalAccount.objects.filter(user__isnull=False))
    choices = usage_choices(accounts)
    wanting = {account.customer_id: account for account in accounts if account.pk in choices}
    if not wanting:
        return
    done = set(
        SentNotification.objects.filter(kind="usage_alert", key__endswith=f":{month:%Y-%m}").values_list(
            "key", flat=True
        )
    )
    totals = month_totals(customer_ids=wanting, month=month, today=today, zone=organisation.zone)
    # Only where the organisation shows residents the peer comparison (the same switch as the
    # consumption page's): an email must not tell what the portal keeps to itself.
    wanted = any("similar_homes" in c.comparisons for c in choices.values())
    peers = month_peers(month=month) if wanted and costs_enabled(organisation) else None
    labels = dict(SERVICE_CHOICES)  # lazy: written in the email in the resident's language
    for customer_totals in totals:
        account = wanting[customer_totals.customer_id]
        key = f"usage_alert:{account.pk}:{customer_totals.service}:{month:%Y-%m}"
        if key in done:
            continue
        context = alert_context(customer_totals, choices[account.pk], peers)
        if context is not None:
            context |= {
                "service": labels.get(customer_totals.service, customer_totals.service),
                "month_date": month.isoformat(),
            }
            yield account.customer_id, "usage_alert", key, context
