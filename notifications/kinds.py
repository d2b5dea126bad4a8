"""The notifications a resident can receive, and which of them they may turn off."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    # Every kind is optional: the resident may turn it off (and unsubscribe from it in one click).
    # Move and ticket updates are sent by moves and support through ``services.send_update``; their
    # emails that carry a link or code to finish what the person is doing, confirm what they just
    # sent, or go to someone without a portal account stay always sent.
    default_enabled: bool = True


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("invoice_available", _("A new invoice is available")),
        Kind("settlement_ready", _("A settlement is ready")),
        Kind("payment_reminder", _("A reminder before an invoice is due")),
        Kind("payment_overdue", _("An invoice is overdue")),
        Kind("refund_paid", _("A refund was paid")),
        Kind("usage_alert", _("A month's consumption well above last year or similar homes")),
        Kind("move_update", _("News about my move (confirmed, processed, rejected or cancelled)")),
        Kind("ticket_update", _("Answers and status changes of my messages to customer service")),
    )
}
# The kinds moves and support send (``services.send_update``), not the daily run.
UPDATE_KINDS = ("move_update", "ticket_update")
# One choice set in the OpenAPI documents (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
KIND_CHOICES = [(kind.key, kind.label) for kind in KINDS.values()]
DEFAULT_REMINDER_DAYS = 3
# A usage alert when a complete month is this many percent above the same month a year before, or
# above the average of similar homes (the comparisons the resident chose).
DEFAULT_USAGE_THRESHOLD = 30
COMPARISON_CHOICES = [
    ("last_year", _("The same month last year")),
    ("similar_homes", _("Similar homes")),
    ("both", _("Both")),
]
DEFAULT_USAGE_COMPARISON = "both"
COMPARISONS = {
    "last_year": ("last_year",),
    "similar_homes": ("similar_homes",),
    "both": ("last_year", "similar_homes"),
}
