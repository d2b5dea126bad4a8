"""The advance payment a resident may choose (self_service.advance changes it)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.utils import formats

from configuration.models import BillingSettings, PortalPreferences

from .models import AdvancePaymentPlan, Contract

CENT = Decimal("0.01")


@dataclass(frozen=True)
class AdvanceRange:
    allowed: bool
    current: Decimal
    base: Decimal
    minimum: Decimal | None
    maximum: Decimal | None
    currency: str
    reason: str = ""


def localised_amount(value: Decimal) -> str:
    """An amount as the active language writes it: 1.234,50 in Dutch, 1 234,50 in French, 1,234.50 in English."""
    return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def allowed_range(*, contract: Contract) -> AdvanceRange:
    plan: AdvancePaymentPlan | None = getattr(contract, "advance_plan", None)
    preferences = PortalPreferences.objects.current()
    if plan is None:
        return AdvanceRange(
            False, Decimal("0"), Decimal("0"), None, None, contract.currency, "no_advance_plan"
        )
    base = plan.base_amount
    if not preferences.advance_changes_allowed:
        return AdvanceRange(False, plan.current_amount, base, None, None, plan.currency, "changes_blocked")
    if contract.status == Contract.Status.ENDED:
        return AdvanceRange(False, plan.current_amount, base, None, None, plan.currency, "contract_ended")
    if preferences.advance_range == PortalPreferences.AdvanceRange.FIXED:
        low = base - (preferences.advance_fixed_amount or Decimal("0"))
        high = base + (preferences.advance_fixed_amount or Decimal("0"))
    else:
        low = base * (preferences.advance_min_percentage or Decimal("100")) / 100
        high = base * (preferences.advance_max_percentage or Decimal("100")) / 100
    minimum = max(low, BillingSettings.objects.current().minimum_advance_amount, Decimal("0"))
    minimum = minimum.quantize(CENT, rounding=ROUND_CEILING)
    maximum = max(high.quantize(CENT, rounding=ROUND_FLOOR), minimum)
    return AdvanceRange(True, plan.current_amount, base, minimum, maximum, plan.currency)
