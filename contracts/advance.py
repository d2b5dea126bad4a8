"""The advance payment a resident may choose, and changing it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activity.models import ActivityEvent
from activity.services import Origin, record_event
from communications.services import queue_email
from configuration.models import BillingSettings, PortalPreferences
from core.errors import RuleViolation
from integration.changes import record_change
from integration.models import PortalChange

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


@transaction.atomic
def change_advance(
    *, organisation, contract: Contract, amount: Decimal, actor_user, origin: Origin | None = None
) -> AdvancePaymentPlan:
    """Set the advance within the allowed range; pro-forma invoices not yet due follow."""
    from invoicing.services import reprice_future_advance_invoices

    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("advance_plan", "customer")
        .get(pk=contract.pk)
    )
    limits = allowed_range(contract=contract)
    if not limits.allowed:
        raise RuleViolation(
            _("Changing the advance payment is not possible for this contract."),
            code=limits.reason,
            http_status=403,
        )
    amount = amount.quantize(CENT)
    if amount < limits.minimum or amount > limits.maximum:
        raise RuleViolation(
            _("Choose an amount between %(minimum)s and %(maximum)s %(currency)s.")
            % {
                "minimum": localised_amount(limits.minimum),
                "maximum": localised_amount(limits.maximum),
                "currency": limits.currency,
            },
            code="out_of_range",
            field="amount",
        )
    plan = contract.advance_plan
    previous = plan.current_amount
    if amount == previous:
        return plan
    plan.current_amount = amount
    plan.save(update_fields=["current_amount", "updated_at"])
    today = timezone.localdate(timezone=organisation.zone)
    changed_invoices = reprice_future_advance_invoices(contract=contract, amount=amount, after=today)
    record_event(
        customer=contract.customer,
        kind=ActivityEvent.Kind.ADVANCE_CHANGED,
        actor=ActivityEvent.Actor.RESIDENT,
        actor_user=actor_user,
        origin=origin,
        data={
            "contract": contract.number,
            "from": str(previous),
            "to": str(amount),
            "invoices": changed_invoices,
        },
    )
    record_change(
        kind=PortalChange.Kind.ADVANCE,
        customer=contract.customer,
        data={
            "contract_number": contract.number,
            "from": previous,
            "to": amount,
            "invoices": changed_invoices,
        },
    )
    account = getattr(contract.customer, "portal_account", None)
    recipient = account.login_email if account else contract.customer.email
    if recipient:
        queue_email(
            template="advance_changed",
            to=recipient,
            language=account.language if account else contract.customer.language,
            organisation=organisation,
            context={
                "customer_name": contract.customer.display_name,
                "contract_number": contract.number,
                "previous_amount": previous,
                "amount": amount,
                "currency": plan.currency,
            },
        )
    return plan
