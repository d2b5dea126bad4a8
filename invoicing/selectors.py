"""What a resident sees of invoices, charges, statements and transactions.

Only invoices are shown: cancelled invoices, collection fees, and balance adjustments not linked to
an invoice never reach the resident API. "Today" is the organisation's day: invoices issued later
(a billing system sends pro-forma advance schedules ahead) are upcoming, not outstanding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, When
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Invoice, InvoiceLine, Transaction

OPEN_STATUSES = (
    Invoice.PaymentStatus.OPEN,
    Invoice.PaymentStatus.PARTIALLY_PAID,
    Invoice.PaymentStatus.AWAITING_CONFIRMATION,
)
# Still open either way: the customer owes it (positive) or is owed it (negative, a refund to come).
OUTSTANDING = Q(payment_status__in=OPEN_STATUSES) & ~Q(amount_open=0)


class InvoiceState(models.TextChoices):
    """Where an invoice stands for the resident; also the ``status`` filter of the invoice list."""

    OUTSTANDING = "outstanding", _("Outstanding")
    REFUND = "refund", _("Refund to come")
    PAID = "paid", _("Paid")
    UPCOMING = "upcoming", _("Upcoming")


def state_filter(state: str, *, today: date) -> Q:
    """Invoices issued after ``today`` (pro-forma schedules) are upcoming: not owed, not latest, not paid."""
    issued = Q(issue_date__lte=today)
    return {
        InvoiceState.OUTSTANDING: issued & OUTSTANDING & Q(amount_open__gt=0),
        InvoiceState.REFUND: issued & OUTSTANDING & Q(amount_open__lt=0),
        InvoiceState.PAID: issued & ~OUTSTANDING,
        InvoiceState.UPCOMING: Q(issue_date__gt=today),
    }[InvoiceState(state)]


def invoice_state(invoice: Invoice, *, today: date) -> InvoiceState:
    if invoice.issue_date > today:
        return InvoiceState.UPCOMING
    if invoice.payment_status in OPEN_STATUSES and invoice.amount_open > 0:
        return InvoiceState.OUTSTANDING
    if invoice.payment_status in OPEN_STATUSES and invoice.amount_open < 0:
        return InvoiceState.REFUND
    return InvoiceState.PAID


def refund_notice(invoice: Invoice) -> str | None:
    """The notice shown for a negative invoice awaiting payment-processing confirmation."""
    if (
        invoice.amount_incl_tax < 0
        and invoice.payment_status == Invoice.PaymentStatus.AWAITING_CONFIRMATION
        and invoice.due_date is not None
    ):
        day = formats.date_format(invoice.due_date, "SHORT_DATE_FORMAT", use_l10n=True)
        return gettext("We will refund this amount to your bank account on %(date)s") % {"date": day}
    return None


def _today(today: date | None) -> date:
    # Pages run in the organisation's time zone; API callers pass the organisation's day.
    return today or timezone.localdate()


def resident_invoices(
    *, customer, contract_id: int | None = None, status: str | None = None, today: date | None = None
) -> QuerySet[Invoice]:
    queryset = (
        Invoice.objects.for_customer(customer)
        .exclude(payment_status=Invoice.PaymentStatus.CANCELLED)
        .select_related("contract")
        .order_by("-issue_date", "-id")
    )
    if contract_id is not None:
        queryset = queryset.filter(contract_id=contract_id)
    if status:
        queryset = queryset.filter(state_filter(status, today=_today(today)))
    return queryset


def outstanding_invoices(*, customer, today: date | None = None) -> QuerySet[Invoice]:
    """What the customer owes now (positive open amounts of invoices issued up to today)."""
    return resident_invoices(customer=customer, status=InvoiceState.OUTSTANDING, today=today).order_by(
        "due_date", "id"
    )


def refund_invoices(*, customer, today: date | None = None) -> QuerySet[Invoice]:
    """What will be paid back to the customer (negative open amounts)."""
    return resident_invoices(customer=customer, status=InvoiceState.REFUND, today=today).order_by(
        "due_date", "id"
    )


def open_and_upcoming_invoices(*, customer, today: date) -> QuerySet[Invoice]:
    """Outstanding, refund and upcoming invoices in one query, by due date (for the overview)."""
    return (
        resident_invoices(customer=customer)
        .filter(
            state_filter(InvoiceState.OUTSTANDING, today=today)
            | state_filter(InvoiceState.REFUND, today=today)
            | state_filter(InvoiceState.UPCOMING, today=today)
        )
        .order_by("due_date", "issue_date", "id")
    )


def latest_invoice(*, customer, today: date | None = None) -> Invoice | None:
    """The newest invoice already issued: a pro-forma dated next month is not the latest."""
    return resident_invoices(customer=customer).filter(issue_date__lte=_today(today)).first()


# What a transaction does to the balance: a payment lowers it; a refund paid out to the customer
# and an adjustment (signed) change it by their amount. Statements and the balance both read this.
LEDGER_KINDS = (Transaction.Kind.PAYMENT, Transaction.Kind.REFUND, Transaction.Kind.ADJUSTMENT)
MOVEMENT = Case(
    When(kind=Transaction.Kind.PAYMENT, then=-F("amount")),
    default=F("amount"),
    output_field=DecimalField(max_digits=12, decimal_places=2),
)


def _ledger_transactions(*, customer, contract_id: int | None = None) -> QuerySet[Transaction]:
    """Payments, refunds and adjustments the resident sees, each with its ``movement``."""
    queryset = (
        resident_transactions(customer=customer).filter(kind__in=LEDGER_KINDS).annotate(movement=MOVEMENT)
    )
    if contract_id is not None:
        queryset = queryset.filter(Q(contract_id=contract_id) | Q(invoice__contract_id=contract_id))
    return queryset


def current_balance(*, customer, today: date | None = None) -> Decimal:
    """The resident's balance (negative: owed to them), the one figure the overview and the pages show.

    The invoices issued so far, less what was paid, plus refunds and the adjustments the resident
    sees, up to today: the same entries as the statements, so it is the newest statement's balance
    plus what happened since. A payment not (yet) linked to an invoice counts like any other.
    """
    day = _today(today)
    charged = (
        resident_invoices(customer=customer)
        .filter(issue_date__lte=day)
        .aggregate(total=Sum("amount_incl_tax"))["total"]
    )
    moved = (
        _ledger_transactions(customer=customer)
        .filter(date__lte=day)
        .aggregate(total=Sum("movement"))["total"]
    )
    return (charged or Decimal("0.00")) + (moved or Decimal("0.00"))


def resident_transactions(*, customer) -> QuerySet[Transaction]:
    return (
        Transaction.objects.for_customer(customer)
        .exclude(kind=Transaction.Kind.COLLECTION_FEE)
        .exclude(kind=Transaction.Kind.ADJUSTMENT, invoice__isnull=True)
        .select_related("invoice")
        .order_by("-date", "-id")
    )


def resident_charges(*, customer, contract_id: int | None = None) -> QuerySet[InvoiceLine]:
    queryset = (
        InvoiceLine.objects.for_customer(customer)
        .exclude(invoice__payment_status=Invoice.PaymentStatus.CANCELLED)
        .select_related("invoice")
        .order_by("-invoice__issue_date", "-invoice_id", "position", "id")
    )
    if contract_id is not None:
        queryset = queryset.filter(invoice__contract_id=contract_id)
    return queryset


@dataclass(frozen=True)
class Statement:
    invoice: Invoice
    previous_balance: Decimal
    payments: Decimal
    adjustments: Decimal
    carried_forward: Decimal
    current_charges: Decimal
    current_balance: Decimal
    tax: Decimal


def statements(*, customer, contract_id: int | None = None, today: date | None = None) -> list[Statement]:
    """One statement per invoice issued so far, oldest first, with the running balance (two queries).

    Payments and adjustments count in the statement of the first invoice issued on or after them.
    Upcoming invoices (issued after today) have no statement yet.
    """
    invoices = list(
        resident_invoices(customer=customer, contract_id=contract_id)
        .filter(issue_date__lte=_today(today))
        .order_by("issue_date", "id")
    )
    pending = sorted(
        _ledger_transactions(customer=customer, contract_id=contract_id), key=lambda row: (row.date, row.id)
    )
    balance, position, result = Decimal("0.00"), 0, []
    for invoice in invoices:
        payments = adjustments = Decimal("0.00")
        while position < len(pending) and pending[position].date <= invoice.issue_date:
            row = pending[position]
            if row.kind == Transaction.Kind.ADJUSTMENT:
                adjustments += row.movement
            else:
                payments += row.movement
            position += 1
        carried = balance + payments + adjustments
        current = carried + invoice.amount_incl_tax
        result.append(
            Statement(
                invoice,
                balance,
                payments,
                adjustments,
                carried,
                invoice.amount_incl_tax,
                current,
                invoice.tax_amount,
            )
        )
        balance = current
    return result


@dataclass(frozen=True)
class MoneyMonth:
    month: date  # the first day of the month
    billed: Decimal  # the invoices issued in the month (credit notes lower it)
    paid: Decimal  # the payments made in the month

    @property
    def period(self) -> str:
        return f"{self.month:%Y-%m}"


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def monthly_money(*, customer, today: date, months: int = 12) -> list[MoneyMonth]:
    """Billed and paid per month, the last ``months`` months up to today (oldest first), months
    without either at zero: two grouped queries whatever the number of invoices and payments."""
    first = _month_start(today, months - 1)

    def per_month(queryset, day_field: str, amount_field: str) -> dict[date, Decimal]:
        rows = (
            queryset.filter(**{f"{day_field}__gte": first, f"{day_field}__lte": today})
            .annotate(month=TruncMonth(day_field, output_field=models.DateField()))
            .order_by()
            .values("month")
            .annotate(total=Sum(amount_field))
            .values_list("month", "total")
        )
        return dict(rows)

    billed = per_month(resident_invoices(customer=customer), "issue_date", "amount_incl_tax")
    paid = per_month(
        resident_transactions(customer=customer).filter(kind=Transaction.Kind.PAYMENT), "date", "amount"
    )
    zero = Decimal("0.00")
    return [
        MoneyMonth(month, billed.get(month, zero), paid.get(month, zero))
        for month in (_month_start(today, back) for back in range(months - 1, -1, -1))
    ]
