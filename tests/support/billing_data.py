"""A customer with contracts, invoices, payments and documents, sent through the real import."""

from __future__ import annotations

import base64
import itertools
from datetime import date, timedelta
from decimal import Decimal

from django_tenants.utils import schema_context

from contracts.models import Contract, Location
from customers.models import Customer
from documents.models import Document
from integration.importing import run_import
from invoicing.models import Invoice, Transaction

_serial = itertools.count(1)


def minimal_pdf(text: str = "Test document") -> bytes:
    """A small PDF with a correct cross-reference table, as any real PDF writer makes it."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R>>",
    ]
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects.append(b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream\n")
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj" % number + obj + b"endobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return body


PDF_BYTES = minimal_pdf()


def invoice_row(
    customer_ext: str,
    contract_ext: str | None,
    n: int,
    *,
    total="100.00",
    issue=None,
    due=None,
    status="paid",
    kind="advance",
    prefix=None,
) -> dict:
    total = Decimal(total)
    excl = (total / Decimal("1.06")).quantize(Decimal("0.01"))
    issue = issue or date(2025, 1, 1) + timedelta(days=30 * n)
    prefix = prefix or customer_ext
    return {
        "external_id": f"{prefix}-inv-{n}",
        "number": f"{prefix}-F{n:04d}",
        "customer_external_id": customer_ext,
        "contract_external_id": contract_ext,
        "kind": kind,
        "issue_date": issue.isoformat(),
        "due_date": (due or issue + timedelta(days=14)).isoformat(),
        "amount_excl_tax": str(excl),
        "tax_amount": str(total - excl),
        "amount_incl_tax": str(total),
        "payment_status": status,
        "lines": [
            {
                "meter_number": "M-1",
                "rollup_description": "Warmte",
                "description": "Heat",
                "units": "120.5",
                "unit": "kWh",
                "unit_price": "0.132",
                "amount": str(excl),
                "tax_rate": "6",
            },
        ],
    }


def run_errors(schema: str, result: dict) -> list:
    """The stored errors of an import run, for an assertion message."""
    from integration.models import ImportRun

    with schema_context(schema):
        return ImportRun.objects.get(pk=result["run"]).errors


def billing_customer(schema: str = "org_noord", *, invoices: int = 5, email: str | None = None) -> dict:
    """Import a customer; returns the external ids used and the payload."""
    n = next(_serial)
    ext = f"bc{n}"
    email = email or f"billing{n}@example.test"
    payload = {
        "customers": _customers(ext, n, email),
        "locations": _locations(ext),
        "contracts": _contracts(ext, n),
        "invoices": _invoices(ext, invoices, date.today()),
        "transactions": _transactions(ext, invoices),
        "documents": _documents(ext),
    }
    with schema_context(schema):
        result = run_import(payload=payload)
    assert result["error_count"] == 0, run_errors(schema, result)
    return {"ext": ext, "email": email, "number": f"B-{n:05d}", "payload": payload}


def _customers(ext: str, n: int, email: str) -> list[dict]:
    """The customer, with a billing address."""
    return [
        {
            "external_id": ext,
            "customer_number": f"B-{n:05d}",
            "first_name": "Bill",
            "last_name": f"Payer {n}",
            "email": email,
            "language": "en",
            "addresses": [
                {
                    "kind": "billing",
                    "street": "Main street",
                    "house_number": "1",
                    "postal_code": "9000",
                    "city": "Gent",
                }
            ],
        }
    ]


def _locations(ext: str) -> list[dict]:
    """Two addresses, the second not connected yet."""
    return [
        {
            "external_id": f"{ext}-L1",
            "street": "Main street",
            "house_number": "1",
            "postal_code": "9000",
            "city": "Gent",
        },
        {
            "external_id": f"{ext}-L2",
            "street": "Side street",
            "house_number": "2",
            "postal_code": "9000",
            "city": "Gent",
            "connection_status": "pending",
        },
    ]


def _contracts(ext: str, n: int) -> list[dict]:
    """K1 (heating and hot tap water, with an advance) at both addresses; K2 (cooling) at the second."""
    return [
        {
            "external_id": f"{ext}-K1",
            "number": f"K-{n:05d}-1",
            "customer_external_id": ext,
            "start_date": "2024-01-01",
            "locations": [
                {"location_external_id": f"{ext}-L1", "services": ["heating", "hot_tap_water"]},
                {"location_external_id": f"{ext}-L2", "services": ["heating"]},
            ],
            "advance": {"original_amount": "100.00", "current_amount": "100.00"},
        },
        {
            "external_id": f"{ext}-K2",
            "number": f"K-{n:05d}-2",
            "customer_external_id": ext,
            "start_date": "2024-01-01",
            "locations": [{"location_external_id": f"{ext}-L2", "services": ["cooling"]}],
        },
    ]


def _invoices(ext: str, invoices: int, today: date) -> list[dict]:
    """``invoices`` paid ones, then one due soon, one not yet due, a credit note and one overdue."""
    return [
        *(invoice_row(ext, f"{ext}-K1", i) for i in range(invoices)),
        invoice_row(
            ext,
            f"{ext}-K1",
            9000,
            total="100.00",
            issue=today - timedelta(days=5),
            due=today + timedelta(days=10),
            status="open",
        ),
        invoice_row(
            ext,
            f"{ext}-K1",
            9001,
            total="100.00",
            issue=today,
            due=today + timedelta(days=40),
            status="open",
        ),
        invoice_row(
            ext,
            f"{ext}-K2",
            9002,
            total="-45.20",
            issue=today - timedelta(days=3),
            due=date(2031, 3, 7),
            status="awaiting_confirmation",
            kind="credit_note",
        ),
        invoice_row(
            ext,
            f"{ext}-K1",
            9003,
            total="100.00",
            issue=today - timedelta(days=60),
            due=today - timedelta(days=46),
            status="open",
        ),
    ]


def _transactions(ext: str, invoices: int) -> list[dict]:
    """A payment for every paid invoice, a reminder fee and two adjustments."""
    return [
        {
            "external_id": f"{ext}-pay-0",
            "customer_external_id": ext,
            "invoice_external_id": f"{ext}-inv-0",
            "kind": "payment",
            "date": "2025-01-10",
            "description": "Direct debit",
            "amount": "100.00",
            "method": "direct_debit",
        },
        # Every paid invoice was paid, as a billing system sends it (the second less the goodwill
        # adjustment on it), so the balance adds up both ways.
        *(
            {
                "external_id": f"{ext}-pay-{i}",
                "customer_external_id": ext,
                "invoice_external_id": f"{ext}-inv-{i}",
                "kind": "payment",
                "date": (date(2025, 1, 1) + timedelta(days=30 * i + 10)).isoformat(),
                "description": "Direct debit",
                "amount": "95.00" if i == 1 else "100.00",
                "method": "direct_debit",
            }
            for i in range(1, invoices)
        ),
        {
            "external_id": f"{ext}-fee",
            "customer_external_id": ext,
            "kind": "collection_fee",
            "date": "2025-02-10",
            "description": "Reminder fee",
            "amount": "7.50",
        },
        {
            "external_id": f"{ext}-adj",
            "customer_external_id": ext,
            "kind": "adjustment",
            "date": "2025-02-11",
            "description": "Internal adjustment",
            "amount": "-3.00",
        },
        {
            "external_id": f"{ext}-adj-inv",
            "customer_external_id": ext,
            "invoice_external_id": f"{ext}-inv-1",
            "kind": "adjustment",
            "date": "2025-02-12",
            "description": "Goodwill on invoice",
            "amount": "-5.00",
            "comments": "Agreed on the phone",
        },
    ]


def _documents(ext: str) -> list[dict]:
    """The contract, as a PDF."""
    return [
        {
            "external_id": f"{ext}-doc",
            "customer_external_id": ext,
            "contract_external_id": f"{ext}-K1",
            "title": "Your contract",
            "category": "contract",
            "document_date": "2024-01-01",
            "filename": "contract.pdf",
            "content_base64": base64.b64encode(PDF_BYTES).decode(),
        },
    ]


def object_ids(data: dict, schema: str = "org_noord") -> dict[str, int]:
    with schema_context(schema):
        customer = Customer.objects.get(customer_number=data["number"])
        return {
            "customer": customer.pk,
            "contract": Contract.objects.filter(customer=customer).order_by("pk").first().pk,
            "location": Location.objects.get(external_id=f"{data['ext']}-L1").pk,
            "invoice": Invoice.objects.filter(customer=customer).order_by("pk").first().pk,
            "transaction": Transaction.objects.filter(customer=customer).order_by("pk").first().pk,
            "document": Document.objects.get(customer=customer).pk,
        }
