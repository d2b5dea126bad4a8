"""What the organisation lets residents see of their invoices."""

from __future__ import annotations

from dataclasses import dataclass

from configuration.models import PortalPreferences


@dataclass(frozen=True)
class Visibility:
    invoices: bool
    payment_status: bool

    @classmethod
    def current(cls) -> Visibility:
        preferences = PortalPreferences.objects.current()
        return cls(
            invoices=preferences.invoices_visible,
            payment_status=preferences.invoices_visible and preferences.payment_status_visible,
        )
