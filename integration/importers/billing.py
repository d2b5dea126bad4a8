"""Invoices with their lines, and payments and other transactions.

An invoice is written with all of its lines or not at all; an invoice whose content hash did not
change is not touched.
"""

from __future__ import annotations

from django.utils import timezone

from contracts.models import Contract
from core.storage import delete_after_commit
from customers.models import Customer
from invoicing import vat
from invoicing.models import Invoice, InvoiceLine, Transaction

from .. import schemas
from ..bulk import bulk_update_values
from .base import BATCH, EntityResult, digest, ids_of, unique_field_conflicts, upsert, validated

INVOICE_FIELDS = (
    "number",
    "customer_id",
    "contract_id",
    "kind",
    "issue_date",
    "due_date",
    "period_start",
    "period_end",
    "currency",
    "amount_excl_tax",
    "tax_amount",
    "amount_incl_tax",
    "amount_open",
    "payment_status",
    "billed_amount_excl_tax",
    "billed_tax_amount",
    "source_hash",
)


def _tax_error(row: schemas.InvoiceRow) -> str | None:
    """The invoice's tax against its lines' rates, within rounding tolerance (invoicing.vat)."""
    if not row.lines:
        return None
    lines = [(line.amount, line.tax_rate) for line in row.lines]
    expected, tolerance = vat.expected_tax(lines), vat.tax_tolerance(len(lines))
    if abs(row.tax_amount - expected) <= tolerance:
        return None
    return (
        f"{row.tax_amount} does not agree with the lines' VAT rates: {expected} expected "
        f"(at most {tolerance} apart, a cent per line)"
    )


def _lines(invoice: Invoice, row: schemas.InvoiceRow) -> list[InvoiceLine]:
    """The row's lines, each with its share of the invoice's tax, as billed."""
    vats = vat.line_vats([(line.amount, line.tax_rate) for line in row.lines], row.tax_amount)
    return [
        InvoiceLine(
            invoice_id=invoice.pk,
            position=position,
            **line.model_dump(),
            tax_amount=line_vat,
            billed_amount=line.amount,
            billed_tax_amount=line_vat,
        )
        for position, (line, line_vat) in enumerate(zip(row.lines, vats, strict=True))
    ]


def import_invoices(raw: list) -> EntityResult:
    result = EntityResult(received=len(raw))
    good = validated(raw, schemas.InvoiceRow, result)
    customers = ids_of(Customer, (r.customer_external_id for _i, r in good))
    contracts = ids_of(Contract, (r.contract_external_id for _i, r in good), extra=("customer_id",))
    checked = []
    for index, row in good:
        errors = _invoice_errors(row, customers, contracts)
        if errors:
            result.refuse(index, row.external_id, errors)
        else:
            checked.append((index, row))
    refused = unique_field_conflicts(Invoice, "number", [(i, r, r.number) for i, r in checked], result)
    checked = [(i, r) for i, r in checked if i not in refused]

    existing = {
        external_id: (pk, source_hash)
        for external_id, pk, source_hash in Invoice.objects.filter(
            external_id__in=[r.external_id for _i, r in checked]
        ).values_list("external_id", "pk", "source_hash")
    }
    to_create, to_update, lines_for = [], [], {}
    now = timezone.now()
    for _index, row in checked:
        row_hash = digest(row)
        values = _invoice_values(row, customers, contracts, row_hash)
        current = existing.get(row.external_id)
        if current is None:
            invoice = Invoice(external_id=row.external_id, **values)
            to_create.append(invoice)
        elif current[1] == row_hash:
            result.unchanged += 1
            continue
        else:
            invoice = Invoice(pk=current[0], external_id=row.external_id, pdf="", updated_at=now, **values)
            to_update.append(invoice)
        lines_for[row.external_id] = (invoice, row)
    _write_invoices(to_create, to_update, lines_for)
    result.created += len(to_create)
    result.updated += len(to_update)
    return result


def _invoice_errors(row: schemas.InvoiceRow, customers: dict, contracts: dict) -> dict[str, list[str]]:
    """What refuses the row: an unknown customer or contract, another customer's contract, or a
    tax amount that does not agree with the lines."""
    errors = {}
    customer_id = customers.get(row.customer_external_id)
    if customer_id is None:
        errors["customer_external_id"] = ["unknown customer"]
    if row.contract_external_id:
        contract = contracts.get(row.contract_external_id)
        if contract is None:
            errors["contract_external_id"] = ["unknown contract"]
        elif customer_id is not None and contract[1] != customer_id:
            errors["contract_external_id"] = ["this contract belongs to another customer"]
    if tax_error := _tax_error(row):
        errors["tax_amount"] = [tax_error]
    return errors


def _invoice_values(row: schemas.InvoiceRow, customers: dict, contracts: dict, row_hash: str) -> dict:
    """The invoice's fields (INVOICE_FIELDS) from the row; billed amounts start as the row's."""
    return {
        "number": row.number,
        "customer_id": customers[row.customer_external_id],
        "contract_id": contracts[row.contract_external_id][0] if row.contract_external_id else None,
        "kind": row.kind,
        "issue_date": row.issue_date,
        "due_date": row.due_date,
        "period_start": row.period_start,
        "period_end": row.period_end,
        "currency": row.currency,
        "amount_excl_tax": row.amount_excl_tax,
        "tax_amount": row.tax_amount,
        "amount_incl_tax": row.amount_incl_tax,
        "amount_open": row.amount_open,
        "payment_status": row.payment_status,
        "billed_amount_excl_tax": row.amount_excl_tax,
        "billed_tax_amount": row.tax_amount,
        "source_hash": row_hash,
    }


def _write_invoices(to_create: list[Invoice], to_update: list[Invoice], lines_for: dict) -> None:
    """New invoices created, changed ones rewritten with their lines replaced; a changed invoice's
    PDF is out of date, so it is dropped (its file once the import commits)."""
    Invoice.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        stale_pdfs = [
            name
            for name in Invoice.objects.filter(pk__in=[i.pk for i in to_update])
            .exclude(pdf="")
            .values_list("pdf", flat=True)
        ]
        bulk_update_values(Invoice, to_update, [*INVOICE_FIELDS, "pdf", "updated_at"])
        for name in stale_pdfs:
            delete_after_commit(name)
        InvoiceLine.objects.filter(invoice_id__in=[invoice.pk for invoice in to_update]).delete()
    InvoiceLine.objects.bulk_create(
        [line for invoice, row in lines_for.values() for line in _lines(invoice, row)],
        batch_size=BATCH * 2,
    )


TRANSACTION_FIELDS = (
    "customer_id",
    "contract_id",
    "invoice_id",
    "kind",
    "date",
    "description",
    "amount",
    "currency",
    "method",
    "comments",
)


def import_transactions(raw: list) -> EntityResult:
    result = EntityResult(received=len(raw))
    good = validated(raw, schemas.TransactionRow, result)
    customers = ids_of(Customer, (r.customer_external_id for _i, r in good))
    contracts = ids_of(Contract, (r.contract_external_id for _i, r in good), extra=("customer_id",))
    invoices = ids_of(Invoice, (r.invoice_external_id for _i, r in good), extra=("customer_id",))
    rows = []
    for index, row in good:
        errors = {}
        customer_id = customers.get(row.customer_external_id)
        if customer_id is None:
            errors["customer_external_id"] = ["unknown customer"]
        for name, lookup, ref in (
            ("contract_external_id", contracts, row.contract_external_id),
            ("invoice_external_id", invoices, row.invoice_external_id),
        ):
            if ref and ref not in lookup:
                errors[name] = ["unknown reference"]
            elif ref and customer_id is not None and lookup[ref][1] != customer_id:
                errors[name] = ["belongs to another customer"]
        if errors:
            result.refuse(index, row.external_id, errors)
            continue
        rows.append(
            (
                index,
                row,
                {
                    "customer_id": customer_id,
                    "contract_id": contracts[row.contract_external_id][0]
                    if row.contract_external_id
                    else None,
                    "invoice_id": invoices[row.invoice_external_id][0] if row.invoice_external_id else None,
                    "kind": row.kind,
                    "date": row.date,
                    "description": row.description,
                    "amount": row.amount,
                    "currency": row.currency,
                    "method": row.method,
                    "comments": row.comments,
                },
            )
        )
    upsert(Transaction, rows, result, TRANSACTION_FIELDS)
    return result
