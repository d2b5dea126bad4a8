"""The notifications a resident can receive, and which of them they may turn off."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    # Every kind this app sends is optional: the resident may turn it off (and unsubscribe from
    # it in one click). Move and ticket emails stay with moves and support: they answer something
    # the resident asked for, so they are transactional and always sent.
    default_enabled: bool = True


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("invoice_available", _("A new invoice is available")),
        Kind("settlement_ready", _("A settlement is ready")),
        Kind("payment_reminder", _("A reminder before an invoice is due")),
        Kind("payment_overdue", _("An invoice is overdue")),
        Kind("refund_paid", _("A refund was paid")),
        Kind("usage_alert", _("A month's consumption well above the same month last year")),
    )
}
# One choice set in the OpenAPI documents (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
KIND_CHOICES = [(kind.key, kind.label) for kind in KINDS.values()]
DEFAULT_REMINDER_DAYS = 3
# A usage alert when a complete month is this many percent above the same month a year before.
DEFAULT_USAGE_THRESHOLD = 30
