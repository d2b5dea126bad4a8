"""What a resident sees of invoices, charges, statements and transactions.

Only invoices are shown: cancelled invoices, collection fees, and balance adjustments not linked to
an invoice never reach the resident API.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from .models import Invoice, InvoiceLine, Transaction

OUTSTANDING = Q(
    payment_status__in=[
        Invoice.PaymentStatus.OPEN,
        Invoice.PaymentStatus.PARTIALLY_PAID,
        Invoice.PaymentStatus.AWAITING_CONFIRMATION,
    ]
) & ~Q(amount_open=0)


def resident_invoices(
    *, customer, contract_id: int | None = None, status: str | None = None
) -> QuerySet[Invoice]:
    queryset = (
        Invoice.objects.filter(customer=customer)
        .exclude(payment_status=Invoice.PaymentStatus.CANCELLED)
        .select_related("contract")
        .order_by("-issue_date", "-id")
    )
    if contract_id is not None:
        queryset = queryset.filter(contract_id=contract_id)
    if status == "outstanding":
        queryset = queryset.filter(OUTSTANDING)
    elif status == "paid":
        queryset = queryset.exclude(OUTSTANDING)
    return queryset


def outstanding_invoices(*, customer) -> QuerySet[Invoice]:
    return resident_invoices(customer=customer).filter(OUTSTANDING).order_by("due_date", "id")


def current_balance(*, customer) -> Decimal:
    """What the customer owes (negative: what is owed to them), over the invoices they can see."""
    total = resident_invoices(customer=customer).aggregate(total=Sum("amount_open"))["total"]
    return total or Decimal("0.00")


def resident_transactions(*, customer) -> QuerySet[Transaction]:
    return (
        Transaction.objects.filter(customer=customer)
        .exclude(kind=Transaction.Kind.COLLECTION_FEE)
        .exclude(kind=Transaction.Kind.ADJUSTMENT, invoice__isnull=True)
        .select_related("invoice")
        .order_by("-date", "-id")
    )


def resident_charges(*, customer, contract_id: int | None = None) -> QuerySet[InvoiceLine]:
    queryset = (
        InvoiceLine.objects.filter(invoice__customer=customer)
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


def statements(*, customer, contract_id: int | None = None) -> list[Statement]:
    """One statement per invoice, oldest first, with the running balance (two queries).

    Payments and adjustments count in the statement of the first invoice issued on or after them.
    """
    invoices = list(
        resident_invoices(customer=customer, contract_id=contract_id).order_by("issue_date", "id")
    )
    transactions = resident_transactions(customer=customer).filter(
        kind__in=[Transaction.Kind.PAYMENT, Transaction.Kind.REFUND, Transaction.Kind.ADJUSTMENT]
    )
    if contract_id is not None:
        transactions = transactions.filter(Q(contract_id=contract_id) | Q(invoice__contract_id=contract_id))
    pending = sorted(transactions, key=lambda row: (row.date, row.id))
    balance, position, result = Decimal("0.00"), 0, []
    for invoice in invoices:
        payments = adjustments = Decimal("0.00")
        while position < len(pending) and pending[position].date <= invoice.issue_date:
            row = pending[position]
            if row.kind == Transaction.Kind.ADJUSTMENT:
                adjustments += row.amount
            else:
                # Payments lower the balance; refunds paid out to the customer raise it.
                payments += -row.amount if row.kind == Transaction.Kind.PAYMENT else row.amount
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
