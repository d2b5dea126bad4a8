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
from ..bulk import copy_rows, delete_by_key, ids_by_key, rows_by_key, upsert_rows
from .base import EntityResult, digest, ids_of, unique_field_conflicts, upsert, validated

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


LINE_FIELDS = (
    "invoice",
    "position",
    "meter_number",
    "rollup_description",
    "description",
    "period_start",
    "period_end",
    "units",
    "unit",
    "unit_price",
    "tax_rate",
    "amount",
    "tax_amount",
    "billed_amount",
    "billed_tax_amount",
)


def _lines(invoice_id: int, row: schemas.InvoiceRow) -> list[tuple]:
    """The row's lines (values in LINE_FIELDS' order), each with its share of the invoice's tax, as billed."""
    vats = vat.line_vats([(line.amount, line.tax_rate) for line in row.lines], row.tax_amount)
    return [
        (
            invoice_id,
            position,
            line.meter_number,
            line.rollup_description,
            line.description,
            line.period_start,
            line.period_end,
            line.units,
            line.unit,
            line.unit_price,
            line.tax_rate,
            line.amount,
            line_vat,
            line.amount,
            line_vat,
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
        external_id: (pk, source_hash, pdf)
        for external_id, pk, source_hash, pdf in rows_by_key(
            Invoice, "external_id", ["id", "source_hash", "pdf"], [r.external_id for _i, r in checked]
        )
    }
    written, changed = [], {}
    now = timezone.now()
    for _index, row in checked:
        row_hash = digest(row)
        current = existing.get(row.external_id)
        if current is not None and current[1] == row_hash:
            result.unchanged += 1
            continue
        values = _invoice_values(row, customers, contracts, row_hash)
        written.append((row.external_id, *(values[name] for name in INVOICE_FIELDS), "", now))
        if current is not None:
            changed[row.external_id] = current
    _write_invoices(written, changed, {row.external_id: row for _i, row in checked})
    result.created += len(written) - len(changed)
    result.updated += len(changed)
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


def _write_invoices(written: list[tuple], changed: dict, rows: dict) -> None:
    """New invoices created, changed ones rewritten with their lines replaced, in a few statements
    whatever the number (COPY and one upsert; integration.bulk); unchanged ones are not touched.

    ``written``: (external id, INVOICE_FIELDS…, pdf, updated_at) per new or changed invoice;
    ``changed``: external id -> (pk, source hash, pdf) of those that exist. A changed invoice's PDF
    is out of date, so it is dropped (its file once the import commits).
    """
    if not written:
        return
    upsert_rows(Invoice, "external_id", [*INVOICE_FIELDS, "pdf", "updated_at"], written)
    for _pk, _hash, pdf in changed.values():
        if pdf:
            delete_after_commit(pdf)
    created = ids_by_key(Invoice, "external_id", [row[0] for row in written if row[0] not in changed])
    ids = {**created, **{external_id: current[0] for external_id, current in changed.items()}}
    # Every written invoice's lines, not only the changed ones': one that another import created
    # after this one looked (the upsert then updated it) must not end up with both sets of lines.
    delete_by_key(InvoiceLine, "invoice", list(ids.values()))
    copy_rows(
        InvoiceLine,
        list(LINE_FIELDS),
        (line for external_id, pk in ids.items() for line in _lines(pk, rows[external_id])),
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
