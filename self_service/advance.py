"""A resident changes their advance payment: within the allowed range (contracts.advance), the
pro-forma invoices not yet due follow, it is logged, sent to the billing system and confirmed by email."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import ActivityEvent
from activity.services import Origin, record_event
from communications.services import queue_email
from contracts.advance import CENT, AdvanceRange, allowed_range, localised_amount
from contracts.models import AdvancePaymentPlan, Contract
from core.errors import RuleViolation
from integration.changes import record_change
from integration.models import PortalChange
from invoicing.services import reprice_future_advance_invoices


def _checked_amount(amount: Decimal, limits: AdvanceRange) -> Decimal:
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
    return amount


def _tell_the_resident(
    *, organisation, contract: Contract, previous: Decimal, plan: AdvancePaymentPlan
) -> None:
    account = getattr(contract.customer, "portal_account", None)
    recipient = account.login_email if account else contract.customer.email
    if not recipient:
        return
    queue_email(
        template="advance_changed",
        to=recipient,
        language=account.language if account else contract.customer.language,
        organisation=organisation,
        context={
            "customer_name": contract.customer.display_name,
            "contract_number": contract.number,
            "previous_amount": previous,
            "amount": plan.current_amount,
            "currency": plan.currency,
        },
    )


@transaction.atomic
def change_advance(
    *, organisation, contract: Contract, amount: Decimal, actor_user, origin: Origin | None = None
) -> AdvancePaymentPlan:
    """Set the advance within the allowed range; pro-forma invoices not yet due follow."""
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("advance_plan", "customer")
        .get(pk=contract.pk)
    )
    amount = _checked_amount(amount, allowed_range(contract=contract))
    plan = contract.advance_plan
    previous = plan.current_amount
    if amount == previous:
        return plan
    plan.current_amount = amount
    plan.save(update_fields=["current_amount", "updated_at"])
    today = timezone.localdate(timezone=organisation.zone)
    changed_invoices = reprice_future_advance_invoices(contract=contract, amount=amount, after=today)
    change = {"from": previous, "to": amount, "invoices": changed_invoices}
    record_event(
        customer=contract.customer,
        kind=ActivityEvent.Kind.ADVANCE_CHANGED,
        actor=ActivityEvent.Actor.RESIDENT,
        actor_user=actor_user,
        origin=origin,
        data={
            "contract": contract.number,
            **{key: str(value) for key, value in change.items() if key != "invoices"},
            "invoices": changed_invoices,
        },
    )
    record_change(
        kind=PortalChange.Kind.ADVANCE,
        customer=contract.customer,
        data={"contract_number": contract.number, **change},
    )
    _tell_the_resident(organisation=organisation, contract=contract, previous=previous, plan=plan)
    return plan
