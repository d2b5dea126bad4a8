"""Writes on invoices: an advance changed, a contract ended by a move-out, and the cached PDF.

Every new total is split into lines by ``invoicing.vat`` from the billed lines, never from the
portal's own previous result, so the same total always gives the same lines.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from .models import Invoice, InvoiceLine
from .vat import BilledLine, lines_for_gross, proportion

INVOICE_AMOUNTS = ["amount_excl_tax", "tax_amount", "amount_incl_tax", "amount_open", "pdf"]


def _billed(invoice: Invoice) -> list[BilledLine]:
    lines = list(invoice.lines.all())
    if not lines:  # the invoice's own totals, in the proportion billed
        return [BilledLine(invoice.billed_amount_excl_tax, invoice.billed_tax_amount, None)]
    return [BilledLine(line.billed_amount, line.billed_tax_amount, line.tax_rate) for line in lines]


def _set_total(invoice: Invoice, gross: Decimal) -> list[InvoiceLine]:
    """The invoice at ``gross``, still wholly unpaid; returns its lines to save."""
    splits = lines_for_gross(_billed(invoice), gross)
    lines = list(invoice.lines.all())
    for line, split in zip(lines, splits, strict=False):
        line.amount, line.tax_amount = split.net, split.vat
    invoice.amount_excl_tax = sum((split.net for split in splits), start=Decimal("0.00"))
    invoice.tax_amount = sum((split.vat for split in splits), start=Decimal("0.00"))
    invoice.amount_incl_tax = invoice.amount_open = gross
    if invoice.pdf:
        invoice.pdf.delete(save=False)
    return lines


def _unpaid_advances(contract):
    """Pro-forma advances of ``contract`` nothing was paid on yet, locked for the change."""
    return (
        Invoice.objects.select_for_update()
        .filter(contract=contract, kind=Invoice.Kind.ADVANCE, payment_status=Invoice.PaymentStatus.OPEN)
        .prefetch_related("lines")
        .order_by("issue_date", "id")
    )


def _save(invoices: list[Invoice], lines: list[InvoiceLine], fields=INVOICE_AMOUNTS) -> None:
    Invoice.objects.bulk_update(invoices, fields)
    InvoiceLine.objects.bulk_update(lines, ["amount", "tax_amount"])


@transaction.atomic
def reprice_future_advance_invoices(*, contract, amount: Decimal, after: date) -> list[str]:
    """Pro-forma advance invoices of ``contract`` due after ``after`` and not paid at all take ``amount``.

    Returns the numbers of the invoices changed.
    """
    changed, lines = [], []
    for invoice in _unpaid_advances(contract).filter(due_date__gt=after):
        if invoice.amount_open != invoice.amount_incl_tax or invoice.amount_incl_tax == amount:
            continue
        lines += _set_total(invoice, amount)
        changed.append(invoice)
    _save(changed, lines)
    return [invoice.number for invoice in changed]


def _days(start: date, end: date) -> int:
    return (end - start).days + 1


@transaction.atomic
def end_advances_after(*, contract, last_day: date) -> dict[str, list[str]]:
    """A contract ended on ``last_day`` (a move-out): its unpaid pro-forma advances stop there.

    The advance whose period runs past ``last_day`` covers the days supplied (its total in proportion
    to the days, to the cent); advances for later periods are cancelled. Advances without a period,
    paid in part or in full, or for earlier periods are the billing system's to settle in the final
    invoice. Returns the numbers of the invoices ``prorated`` and ``cancelled``.
    """
    prorated, cancelled, lines = [], [], []
    for invoice in _unpaid_advances(contract).filter(period_start__isnull=False, period_end__gt=last_day):
        if invoice.amount_open != invoice.amount_incl_tax:
            continue
        if invoice.period_start > last_day:
            invoice.payment_status, invoice.amount_open = Invoice.PaymentStatus.CANCELLED, Decimal("0.00")
            if invoice.pdf:
                invoice.pdf.delete(save=False)
            cancelled.append(invoice)
            continue
        supplied = proportion(
            invoice.amount_incl_tax,
            _days(invoice.period_start, last_day),
            _days(invoice.period_start, invoice.period_end),
        )
        lines += _set_total(invoice, supplied)
        prorated.append(invoice)
    _save(prorated, lines)
    Invoice.objects.bulk_update(cancelled, ["payment_status", "amount_open", "pdf"])
    return {
        "prorated": [invoice.number for invoice in prorated],
        "cancelled": [invoice.number for invoice in cancelled],
    }
