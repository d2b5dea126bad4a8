"""What goes into a resident's archive: their account and contact details, contracts, invoices and
payments (JSON, and CSV for a spreadsheet), consumption per day (CSV) and the PDFs (invoices and
documents). Every table is read with a fixed number of queries, whatever the number of rows; only
the PDFs are one file each.

Invoices follow what the portal shows: when the organisation does not show invoices to residents,
the archive holds none either (they are then asked of the organisation, which keeps them).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils.translation import gettext as _

from consumption.models import DailyConsumption
from consumption.selectors import available_services, meter_windows
from contracts.models import ContractLocation
from customers.models import Customer
from documents.models import Document
from invoicing.models import Invoice, InvoiceLine
from invoicing.pdf import invoice_pdf
from invoicing.selectors import resident_invoices, resident_transactions
from invoicing.visibility import Visibility

ADDRESS_FIELDS = ("street", "house_number", "box", "postal_code", "city", "country")


@dataclass(frozen=True)
class Table:
    """One table of the archive: written as ``<name>.json`` and ``<name>.csv``."""

    name: str
    columns: tuple[str, ...]
    rows: list[dict]


def _bank_account(customer: Customer) -> dict | None:
    bank = getattr(customer, "bank_account", None)
    if bank is None:
        return None
    fields = ("iban", "account_holder", "mandate_status", "mandate_reference", "mandate_signed_on")
    return {name: getattr(bank, name, None) for name in fields}


def account_record(*, customer: Customer, account) -> dict:
    addresses = {
        address.kind: {name: getattr(address, name) for name in ADDRESS_FIELDS}
        for address in customer.addresses.all()
    }
    return {
        "customer_number": customer.customer_number,
        "kind": customer.kind,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company_name": customer.company_name,
        "vat_number": customer.vat_number,
        "email": customer.email,
        "phone": customer.phone,
        "billing_preference": customer.billing_preference,
        "language": customer.language,
        "addresses": addresses,
        "bank_account": _bank_account(customer),
        "portal_account": {
            "login_email": account.login_email,
            "language": account.language,
        }
        if account
        else None,
    }


def contracts_table(*, customer: Customer) -> Table:
    rows = [
        {
            "contract_number": row.contract.number,
            "status": row.contract.status,
            "start_date": row.contract.start_date,
            "end_date": row.contract.end_date,
            "currency": row.contract.currency,
            "address": row.location.one_line,
            "services": " ".join(row.services),
            "move_in_date": row.move_in_date,
            "move_out_date": row.move_out_date,
            "advance_amount": getattr(getattr(row.contract, "advance_plan", None), "current_amount", None),
        }
        for row in ContractLocation.objects.filter(contract__customer=customer)
        .select_related("contract__advance_plan", "location")
        .order_by("contract__start_date", "contract__number", "pk")
    ]
    return Table("contracts", tuple(rows[0]) if rows else ("contract_number",), rows)


INVOICE_COLUMNS = (
    "number",
    "kind",
    "contract",
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
)
LINE_COLUMNS = (
    "invoice",
    "position",
    "description",
    "rollup_description",
    "meter_number",
    "period_start",
    "period_end",
    "units",
    "unit",
    "unit_price",
    "tax_rate",
    "amount",
    "tax_amount",
)


def invoice_tables(*, customer: Customer) -> tuple[Table, Table]:
    invoices = list(resident_invoices(customer=customer).order_by("issue_date", "id"))
    invoice_rows = [
        {
            **{name: getattr(invoice, name) for name in INVOICE_COLUMNS if name != "contract"},
            "contract": invoice.contract.number if invoice.contract else "",
        }
        for invoice in invoices
    ]
    lines = (
        InvoiceLine.objects.filter(invoice__in=[invoice.pk for invoice in invoices])
        .select_related("invoice")
        .order_by("invoice__issue_date", "invoice_id", "position", "pk")
    )
    line_rows = [
        {
            **{name: getattr(line, name) for name in LINE_COLUMNS if name != "invoice"},
            "invoice": line.invoice.number,
        }
        for line in lines
    ]
    return Table("invoices", INVOICE_COLUMNS, invoice_rows), Table("invoice_lines", LINE_COLUMNS, line_rows)


TRANSACTION_COLUMNS = ("date", "kind", "description", "amount", "currency", "method", "comments", "invoice")


def transactions_table(*, customer: Customer) -> Table:
    rows = [
        {
            **{name: getattr(row, name) for name in TRANSACTION_COLUMNS if name != "invoice"},
            "invoice": row.invoice.number if row.invoice else "",
        }
        for row in resident_transactions(customer=customer).order_by("date", "id")
    ]
    return Table("payments_and_transactions", TRANSACTION_COLUMNS, rows)


CONSUMPTION_COLUMNS = ("service", "unit", "meter", "address", "day", "value", "complete")


def consumption_table(*, customer: Customer) -> Table:
    """Each day each of the customer's meters counted for them (a query per service)."""
    rows = []
    for service in available_services(customer=customer):
        windows = meter_windows(customer=customer, service=service["code"])
        if not windows:
            continue
        condition = Q()
        for window in windows:
            condition |= Q(meter_id=window.meter_id, day__range=(window.first_day, window.last_day))
        meters = {window.meter_id: window for window in windows}
        for day in DailyConsumption.objects.filter(condition).order_by("meter_id", "day"):
            window = meters[day.meter_id]
            rows.append(
                {
                    "service": service["code"],
                    "unit": service["unit"],
                    "meter": window.meter_number,
                    "address": window.location,
                    "day": day.day,
                    "value": day.value,
                    "complete": day.actual_intervals >= day.expected_intervals,
                }
            )
    return Table("consumption_per_day", CONSUMPTION_COLUMNS, rows)


def table_files(table: Table) -> Iterable[tuple[str, bytes]]:
    as_json = json.dumps(table.rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(table.columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(
        {key: json.loads(json.dumps(value, cls=DjangoJSONEncoder)) for key, value in row.items()}
        for row in table.rows
    )
    yield f"{table.name}.json", as_json.encode()
    yield f"{table.name}.csv", text.getvalue().encode()


def pdf_files(*, customer: Customer, organisation, language: str, invoices_visible: bool):
    """(archive name, storage name) of every invoice PDF (made first where missing) and document."""
    if invoices_visible:
        visibility = Visibility.current()
        for invoice in Invoice.objects.for_customer(customer).exclude(
            payment_status=Invoice.PaymentStatus.CANCELLED
        ):
            name, filename = invoice_pdf(
                invoice=invoice, organisation=organisation, language=language, visibility=visibility
            )
            yield f"invoices/{filename}", name
    for document in Document.objects.for_customer(customer).order_by("pk"):
        safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in document.filename)
        yield f"documents/{document.pk}-{safe}", document.file.name


def readme(*, customer: Customer) -> bytes:
    lines = [
        _("Your data in the customer portal, customer number %(number)s.")
        % {"number": customer.customer_number},
        "",
        _("account.json: your account, contact details and addresses."),
        _("contracts: your contracts and the addresses they cover."),
        _("invoices and invoice_lines: your invoices and their lines."),
        _("payments_and_transactions: payments, refunds and other transactions."),
        _("consumption_per_day: what each of your meters measured per day."),
        _("invoices/ and documents/: the PDFs and documents of your account."),
        _("Each table is there as JSON and as CSV (for a spreadsheet). Amounts and dates are exact."),
    ]
    return ("\n".join(lines) + "\n").encode()


def write_archive(
    target,
    *,
    customer: Customer,
    account,
    organisation,
    language: str,
    progress: Callable[[int], None],
) -> None:
    """Write the whole archive as a ZIP into ``target`` (a binary file), reporting per cent done."""
    invoices_visible = Visibility.current().invoices
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme(customer=customer))
        record = account_record(customer=customer, account=account)
        archive.writestr(
            "account.json", json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        tables = [contracts_table(customer=customer), transactions_table(customer=customer)]
        if invoices_visible:
            tables += invoice_tables(customer=customer)
        progress(20)
        tables.append(consumption_table(customer=customer))
        for table in tables:
            for name, content in table_files(table):
                archive.writestr(name, content)
        progress(40)
        files = list(
            pdf_files(
                customer=customer,
                organisation=organisation,
                language=language,
                invoices_visible=invoices_visible,
            )
        )
        for index, (name, stored) in enumerate(files, start=1):
            with default_storage.open(stored, "rb") as source:
                archive.writestr(name, source.read())
            progress(40 + 55 * index // len(files))
