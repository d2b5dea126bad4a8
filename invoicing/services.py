"""Writes on invoices: following an advance change, and the cached PDF."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from .models import Invoice, InvoiceLine

CENT = Decimal("0.01")


def _split_tax(total_incl: Decimal, invoice: Invoice) -> tuple[Decimal, Decimal]:
    """(excl, tax) of a new total, keeping the invoice's own tax proportion."""
    if invoice.amount_incl_tax == 0:
        return total_incl, Decimal("0.00")
    excl = (total_incl * invoice.amount_excl_tax / invoice.amount_incl_tax).quantize(CENT, ROUND_HALF_UP)
    return excl, total_incl - excl


@transaction.atomic
def reprice_future_advance_invoices(*, contract, amount: Decimal, after) -> list[str]:
    """Pro-forma advance invoices of ``contract`` due after ``after`` and not paid at all take ``amount``.

    Lines are scaled in proportion, the last line absorbing the rounding, so totals keep adding up.
    Returns the numbers of the invoices changed.
    """
    invoices = list(
        Invoice.objects.select_for_update()
        .filter(
            contract=contract,
            kind=Invoice.Kind.ADVANCE,
            due_date__gt=after,
            payment_status=Invoice.PaymentStatus.OPEN,
        )
        .prefetch_related("lines")
    )
    changed, lines_to_update = [], []
    for invoice in invoices:
        if invoice.amount_open != invoice.amount_incl_tax or invoice.amount_incl_tax == amount:
            continue
        excl, tax = _split_tax(amount, invoice)
        lines = list(invoice.lines.all())
        old_excl = invoice.amount_excl_tax
        running = Decimal("0.00")
        for index, line in enumerate(lines):
            if index == len(lines) - 1:
                line.amount = excl - running
            else:
                line.amount = (
                    (line.amount * excl / old_excl).quantize(CENT, ROUND_HALF_UP)
                    if old_excl
                    else Decimal("0.00")
                )
                running += line.amount
            lines_to_update.append(line)
        invoice.amount_excl_tax, invoice.tax_amount, invoice.amount_incl_tax = excl, tax, amount
        invoice.amount_open = amount
        if invoice.pdf:
            invoice.pdf.delete(save=False)
        changed.append(invoice)
    Invoice.objects.bulk_update(
        changed, ["amount_excl_tax", "tax_amount", "amount_incl_tax", "amount_open", "pdf"]
    )
    InvoiceLine.objects.bulk_update(lines_to_update, ["amount"])
    return [invoice.number for invoice in changed]
