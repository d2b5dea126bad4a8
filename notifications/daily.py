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

from invoicing.models import Invoice, Transaction
from memberships.models import PortalAccount

from .models import NotificationDefaults, SentNotification
from .services import notify
from .usage import usage_alerts

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
    # What was decided on an earlier day is left out here, in one query, not one failed insert each.
    done = set(
        SentNotification.objects.filter(key__in=[key for _c, _k, key, _x in items]).values_list(
            "key", flat=True
        )
    )
    items = [item for item in items if item[2] not in done]
    if not items:
        return 0
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


def run(*, organisation, today: date | None = None) -> int:
    """Every kind, in the current schema (the organisation's); returns how many emails were queued."""
    today = today or local_today(organisation)
    days = NotificationDefaults.objects.current().reminder_days
    sent = 0
    kinds = (new_invoices(today), refunds(today), reminders(today, days), overdue(today))
    for items in (*kinds, usage_alerts(organisation, today)):
        sent += _send(organisation, items)
    return sent
