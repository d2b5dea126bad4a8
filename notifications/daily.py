"""The daily run in one organisation: what became available, what is nearly or over due.

A periodic run rather than a call from the billing import: the import sits in a lower layer
(integration) and may not call this app, and a run that looks at what exists needs no hook in every
writer (import, staff corrections, a later import repairing an earlier one). The sent-log makes it
idempotent, so it can run again, twice at once, or catch up after missed days.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from consumption.models import Service
from consumption.reports import comparison_report
from contracts.energy_services import SERVICE_CHOICES
from core.errors import RuleViolation
from invoicing.models import Invoice, Transaction
from memberships.models import PortalAccount

from .models import NotificationDefaults
from .selectors import usage_threshold_for, wants
from .services import notify

logger = logging.getLogger(__name__)

# How far back "new" reaches: a missed week of runs still sends; older news is not news.
LOOKBACK_DAYS = 7
OVERDUE_LOOKBACK_DAYS = 30
OUTSTANDING = (
    Invoice.PaymentStatus.OPEN,
    Invoice.PaymentStatus.PARTIALLY_PAID,
    Invoice.PaymentStatus.AWAITING_CONFIRMATION,
)


def local_today(organisation) -> date:
    return datetime.now(ZoneInfo(organisation.time_zone)).date()


def _accounts(customer_ids) -> dict[int, PortalAccount]:
    """Active portal accounts (confirmed, linked) by customer id."""
    accounts = PortalAccount.objects.select_related("customer").filter(
        customer_id__in=set(customer_ids), user__isnull=False
    )
    return {account.customer_id: account for account in accounts}


def _invoice_context(invoice: Invoice) -> dict:
    return {
        "invoice_number": invoice.number,
        "amount": f"{invoice.amount_incl_tax:.2f}",
        "amount_open": f"{invoice.amount_open:.2f}",
        "currency": invoice.currency,
        "due_date": invoice.due_date.isoformat() if invoice.due_date else "",
    }


def _send(organisation, items) -> int:
    """``items``: (customer_id, kind, key, context); one failure is logged and the rest go on."""
    items = list(items)
    accounts = _accounts(customer_id for customer_id, *_rest in items)
    sent = 0
    for customer_id, kind, key, context in items:
        account = accounts.get(customer_id)
        if account is None:
            continue
        try:
            sent += notify(organisation=organisation, account=account, kind=kind, key=key, context=context)
        except Exception:
            logger.exception("notification %s not queued in %s", key, organisation.schema_name)
    return sent


def new_invoices(today: date):
    invoices = Invoice.objects.filter(
        issue_date__gt=today - timedelta(days=LOOKBACK_DAYS), issue_date__lte=today
    ).exclude(payment_status=Invoice.PaymentStatus.CANCELLED)
    for invoice in invoices:
        kind = "settlement_ready" if invoice.kind == Invoice.Kind.SETTLEMENT else "invoice_available"
        yield invoice.customer_id, kind, f"{kind}:{invoice.pk}", _invoice_context(invoice)


def reminders(today: date, days: int):
    invoices = Invoice.objects.filter(
        payment_status__in=OUTSTANDING, due_date__gte=today, due_date__lte=today + timedelta(days=days)
    ).exclude(amount_open__lte=0)
    for invoice in invoices:
        key = f"payment_reminder:{invoice.pk}:{invoice.due_date.isoformat()}"
        yield invoice.customer_id, "payment_reminder", key, _invoice_context(invoice)


def overdue(today: date):
    invoices = Invoice.objects.filter(
        payment_status__in=OUTSTANDING,
        due_date__lt=today,
        due_date__gte=today - timedelta(days=OVERDUE_LOOKBACK_DAYS),
    ).exclude(amount_open__lte=0)
    for invoice in invoices:
        key = f"payment_overdue:{invoice.pk}:{invoice.due_date.isoformat()}"
        yield invoice.customer_id, "payment_overdue", key, _invoice_context(invoice)


def refunds(today: date):
    paid = Transaction.objects.filter(
        kind=Transaction.Kind.REFUND, date__gt=today - timedelta(days=LOOKBACK_DAYS), date__lte=today
    )
    for refund in paid:
        context = {
            "amount": f"{abs(refund.amount):.2f}",
            "currency": refund.currency,
            "refund_date": refund.date.isoformat(),
        }
        yield refund.customer_id, "refund_paid", f"refund_paid:{refund.pk}", context


def _last_complete_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def _change(organisation, customer, service: str, month: date) -> float | None:
    """The month against the same month a year before; None unless both are complete."""
    try:
        report = comparison_report(
            customer=customer,
            organisation=organisation,
            service=service,
            mode="month",
            year=month.year,
            month=month.month,
        )
    except RuleViolation:
        return None
    return report["change_percentage"]


def usage_alerts(organisation, today: date):
    """The last complete month well above the same month last year, per service, for each resident
    who wants the alert (only they are measured: each measure reads the consumption)."""
    month = _last_complete_month(today)
    labels = dict(SERVICE_CHOICES)  # lazy: written in the email in the resident's language
    services = [(code, labels.get(code, code)) for code in Service.objects.values_list("code", flat=True)]
    accounts = PortalAccount.objects.select_related("customer").filter(user__isnull=False)
    for account in accounts:
        if not wants(account, "usage_alert"):
            continue
        threshold = usage_threshold_for(account)
        for code, name in services:
            change = _change(organisation, account.customer, code, month)
            if change is None or change < threshold:
                continue
            key = f"usage_alert:{account.pk}:{code}:{month:%Y-%m}"
            context = {
                "service": name,
                "month_date": month.isoformat(),
                "change_percentage": f"{change:.0f}",
                "threshold": threshold,
            }
            yield account.customer_id, "usage_alert", key, context


def run(*, organisation, today: date | None = None) -> int:
    """Every kind, in the current schema (the organisation's); returns how many emails were queued."""
    today = today or local_today(organisation)
    days = NotificationDefaults.objects.current().reminder_days
    sent = 0
    kinds = (new_invoices(today), refunds(today), reminders(today, days), overdue(today))
    for items in (*kinds, usage_alerts(organisation, today)):
        sent += _send(organisation, items)
    return sent
