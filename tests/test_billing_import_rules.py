"""Import rules found in review: rows updated in place, NUL refused, open amounts agree, documents idempotent."""

from __future__ import annotations

import base64
import copy
import io
import json
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context
from PIL import Image

from contracts.models import Contract, ContractLocation
from customers.models import Customer, CustomerAddress
from documents.models import Document
from documents.services import store_content
from documents.storage import atomic_with_files
from invoicing.models import Invoice
from moves.models import MoveOutRequest, RequestStatus
from tests.support.billing_data import billing_customer, invoice_row, minimal_pdf
from tests.support.integration import CUSTOMER, post

NUL = "must not contain NUL (\\u0000) characters"


def _contract(data: dict, key: str) -> dict:
    return copy.deepcopy(
        next(c for c in data["payload"]["contracts"] if c["external_id"] == f"{data['ext']}-{key}")
    )


def _moved_out(data: dict, day: date) -> tuple[ContractLocation, MoveOutRequest]:
    """What processing a move-out leaves behind: the location's move-out date and the request on it."""
    with schema_context("org_noord"):
        row = ContractLocation.objects.get(
            contract__external_id=f"{data['ext']}-K1", location__external_id=f"{data['ext']}-L1"
        )
        row.move_out_date = day
        row.save(update_fields=["move_out_date"])
        request = MoveOutRequest.objects.create(
            customer=row.contract.customer,
            contract_location=row,
            move_out_date=day,
            status=RequestStatus.APPROVED,
            readings=[{"meter_id": 1, "meter_number": "H1", "value": "1234.5"}],
            forwarding_address={"street": "Elsewhere 1", "postal_code": "1000", "city": "Brussel"},
        )
    return row, request


def test_contract_re_sent_after_a_move_out_is_updated_in_place(integration):
    data = billing_customer()
    day = date.today() - timedelta(days=3)
    row, request = _moved_out(data, day)
    contract = _contract(data, "K1")
    contract.update(status="ended", end_date=day.isoformat())
    for location in contract["locations"]:
        location["move_out_date"] = day.isoformat()
    response = post(integration, {"contracts": [contract]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["error_count"] == 0, body
    assert (body["contracts"]["updated"], body["contracts"]["created"]) == (1, 0)
    with schema_context("org_noord"):
        rows = {
            r.location.external_id: r
            for r in ContractLocation.objects.filter(
                contract__external_id=contract["external_id"]
            ).select_related("location")
        }
        assert rows[f"{data['ext']}-L1"].pk == row.pk  # the very row the move-out refers to
        assert {r.move_out_date for r in rows.values()} == {day}
        assert MoveOutRequest.objects.get(pk=request.pk).contract_location_id == row.pk
        assert Contract.objects.get(external_id=contract["external_id"]).status == "ended"
    again = post(integration, {"contracts": [contract]}).json()
    assert (again["contracts"]["unchanged"], again["contracts"]["updated"]) == (1, 0)


def test_a_location_with_a_move_out_cannot_be_dropped_but_the_rest_is_saved(integration):
    data = billing_customer()
    row, _request = _moved_out(data, date.today() - timedelta(days=3))
    dropped = _contract(data, "K1")
    dropped["locations"] = [
        loc for loc in dropped["locations"] if loc["location_external_id"].endswith("-L2")
    ]
    other = _contract(data, "K2")
    other["locations"][0]["services"] = ["cooling", "heating"]
    body = post(integration, {"contracts": [dropped, other]}).json()
    assert body["contracts"]["errors"] == [
        {
            "index": 0,
            "external_id": dropped["external_id"],
            "errors": {
                "locations": [
                    f"“{data['ext']}-L1” cannot be removed from this contract: move out requests refer to it"
                ]
            },
        }
    ]
    assert body["contracts"]["updated"] == 1
    with schema_context("org_noord"):
        assert ContractLocation.objects.filter(pk=row.pk).exists()
        assert ContractLocation.objects.filter(contract__external_id=dropped["external_id"]).count() == 2
        assert ContractLocation.objects.get(contract__external_id=other["external_id"]).services == [
            "cooling",
            "heating",
        ]


def test_a_location_nothing_depends_on_is_removed_and_services_change_in_place(integration):
    data = billing_customer()
    contract = _contract(data, "K1")
    with schema_context("org_noord"):
        before = dict(
            ContractLocation.objects.filter(contract__external_id=contract["external_id"]).values_list(
                "location__external_id", "pk"
            )
        )
    contract["locations"] = [
        {"location_external_id": f"{data['ext']}-L1", "services": ["heating"], "move_in_date": "2024-01-01"}
    ]
    body = post(integration, {"contracts": [contract]}).json()
    assert (body["error_count"], body["contracts"]["updated"]) == (0, 1)
    with schema_context("org_noord"):
        [kept] = ContractLocation.objects.filter(contract__external_id=contract["external_id"])
        assert (kept.pk, kept.services, kept.move_in_date) == (
            before[f"{data['ext']}-L1"],
            ["heating"],
            date(2024, 1, 1),
        )


def _rows_with_nul() -> dict:
    return {
        "customers": [
            CUSTOMER,
            {**CUSTOMER, "external_id": "nul-1", "customer_number": "NUL-1", "last_name": "Null\u0000byte"},
            {
                **CUSTOMER,
                "external_id": "nul-2",
                "customer_number": "NUL-2",
                "addresses": [{"kind": "billing", "street": "A\u0000", "postal_code": "1", "city": "C"}],
            },
        ],
        "invoices": [
            invoice_row("imp-1", None, 1),
            {
                **invoice_row("imp-1", None, 2),
                "lines": [{**invoice_row("imp-1", None, 2)["lines"][0], "description": "He\u0000at"}],
            },
            {**invoice_row("imp-1", None, 3), "number": "F\u00003"},
        ],
    }


def test_the_api_refuses_an_import_holding_nul_and_names_every_field(integration):
    """Text no field may hold (core.characters) is refused with the body, before any row is read:
    400 with the place of each in the body, and nothing written."""
    body = json.dumps(_rows_with_nul())
    assert "\\u0000" in body
    response = post(integration, _rows_with_nul())
    assert response.status_code == 400, response.content
    refused = response.json()
    assert refused["code"] == "invalid_characters"
    assert set(refused["customers"]) == {"1", "2"}
    assert "U+0000" in refused["customers"]["1"]["last_name"][0]
    assert "U+0000" in refused["customers"]["2"]["addresses"]["0"]["street"][0]
    assert set(refused["invoices"]) == {"1", "2"}
    assert "U+0000" in refused["invoices"]["1"]["lines"]["0"]["description"][0]
    with schema_context("org_noord"):
        assert not Customer.objects.filter(external_id__in=["imp-1", "nul-1", "nul-2"]).exists()


def test_nul_characters_are_refused_per_row(integration):
    """Callers of the import service other than the API (which refuses the body as a whole) get the
    rows that hold NUL refused one by one, and the others imported."""
    from integration.importing import run_import

    with schema_context("org_noord"):
        result = run_import(payload=_rows_with_nul())
    assert result["customers"]["created"] == 1
    assert [(e["index"], e["errors"]) for e in result["customers"]["errors"]] == [
        (1, {"last_name": [NUL]}),
        (2, {"addresses.0.street": [NUL]}),
    ]
    assert result["invoices"]["created"] == 1
    assert [(e["index"], e["errors"]) for e in result["invoices"]["errors"]] == [
        (1, {"lines.0.description": [NUL]}),
        (2, {"number": [NUL]}),
    ]
    with schema_context("org_noord"):
        assert Customer.objects.filter(external_id__in=["imp-1", "nul-1", "nul-2"]).count() == 1


@pytest.mark.parametrize(
    ("status", "amount_open", "error"),
    [
        ("paid", "500.00", "must be 0 for a paid invoice"),
        ("cancelled", "1.00", "must be 0 for a cancelled invoice"),
        ("open", "40.00", "must equal amount_incl_tax for an open invoice (use partially_paid)"),
        ("partially_paid", "100.00", "must lie between 0 and amount_incl_tax for a partially paid invoice"),
        ("partially_paid", "0.00", "must lie between 0 and amount_incl_tax for a partially paid invoice"),
        ("partially_paid", "-10.00", "must lie between 0 and amount_incl_tax for a partially paid invoice"),
        (
            "awaiting_confirmation",
            "120.00",
            "must lie between 0 and amount_incl_tax for an invoice awaiting confirmation",
        ),
    ],
)
def test_open_amount_must_agree_with_the_payment_status(integration, status, amount_open, error):
    row = {**invoice_row("imp-1", None, 1, total="100.00", status=status), "amount_open": amount_open}
    body = post(integration, {"customers": [CUSTOMER], "invoices": [row]}).json()
    assert body["invoices"]["errors"] == [
        {"index": 0, "external_id": "imp-1-inv-1", "errors": {"amount_open": [error]}}
    ]
    with schema_context("org_noord"):
        assert not Invoice.objects.filter(external_id="imp-1-inv-1").exists()


@pytest.mark.parametrize(
    ("status", "amount_open", "total", "stored"),
    [
        ("partially_paid", "40.00", "100.00", "40.00"),
        ("paid", None, "100.00", "0.00"),
        ("open", None, "100.00", "100.00"),
        ("awaiting_confirmation", None, "-45.20", "-45.20"),
        ("awaiting_confirmation", "0.00", "100.00", "0.00"),
    ],
)
def test_consistent_open_amounts_are_accepted(integration, status, amount_open, total, stored):
    row = invoice_row("imp-1", None, 1, total=total, status=status)
    if amount_open is not None:
        row["amount_open"] = amount_open
    body = post(integration, {"customers": [CUSTOMER], "invoices": [row]}).json()
    assert body["error_count"] == 0, body
    with schema_context("org_noord"):
        assert str(Invoice.objects.get(external_id="imp-1-inv-1").amount_open) == stored


def test_partially_paid_needs_its_open_amount(integration):
    row = invoice_row("imp-1", None, 1, status="partially_paid")
    body = post(integration, {"customers": [CUSTOMER], "invoices": [row]}).json()
    assert body["invoices"]["errors"][0]["errors"] == {
        "non_field_errors": ["a partially paid invoice needs amount_open"]
    }


def test_addresses_are_updated_in_place(integration):
    billing = {
        "kind": "billing",
        "street": "Main street",
        "house_number": "1",
        "postal_code": "9000",
        "city": "Gent",
    }
    customer = {**CUSTOMER, "addresses": [billing]}
    assert post(integration, {"customers": [customer]}).json()["customers"]["created"] == 1
    with schema_context("org_noord"):
        first = CustomerAddress.objects.get(customer__external_id="imp-1")
    again = post(integration, {"customers": [customer]}).json()["customers"]
    assert (again["unchanged"], again["updated"]) == (1, 0)
    moved = {**customer, "addresses": [{**billing, "city": "Gentbrugge"}]}
    changed = post(integration, {"customers": [moved]}).json()["customers"]
    assert (changed["unchanged"], changed["updated"]) == (0, 1)
    with schema_context("org_noord"):
        same = CustomerAddress.objects.get(customer__external_id="imp-1")
        assert (same.pk, same.city) == (first.pk, "Gentbrugge")
    personal = {**billing, "kind": "personal", "street": "Home lane"}
    swapped = post(integration, {"customers": [{**customer, "addresses": [personal]}]}).json()["customers"]
    assert swapped["updated"] == 1
    with schema_context("org_noord"):
        assert list(
            CustomerAddress.objects.filter(customer__external_id="imp-1").values_list("kind", "street")
        ) == [("personal", "Home lane")]
    untouched = post(integration, {"customers": [{**CUSTOMER}]}).json()["customers"]  # no "addresses" key
    assert untouched["unchanged"] == 1
    with schema_context("org_noord"):
        assert CustomerAddress.objects.filter(customer__external_id="imp-1").count() == 1


def _document(content: bytes, **extra) -> dict:
    return {
        "external_id": "doc-1",
        "customer_external_id": "imp-1",
        "title": "Tariff sheet",
        "category": "tariff",
        "document_date": "2025-01-01",
        "filename": "tariffs.pdf",
        "content_base64": base64.b64encode(content).decode(),
        **extra,
    }


def _stored(schema: str = "org_noord") -> set[str]:
    with schema_context(schema):  # the storage keeps each organisation's files in its own folder
        return set(default_storage.listdir("documents")[1]) if default_storage.exists("documents") else set()


def test_the_same_document_three_times_is_stored_once(integration, django_capture_on_commit_callbacks):
    content = minimal_pdf(f"tariffs {uuid.uuid4().hex}")
    before = _stored()
    counts = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            body = post(integration, {"customers": [CUSTOMER], "documents": [_document(content)]}).json()
        counts.append(
            (body["documents"]["created"], body["documents"]["updated"], body["documents"]["unchanged"])
        )
    assert counts == [(1, 0, 0), (0, 0, 1), (0, 0, 1)]
    assert len(_stored() - before) == 1
    with schema_context("org_noord"):
        document = Document.objects.get(external_id="doc-1")
        first_file = document.file.name
        assert document.filename == "tariffs.pdf"

    with django_capture_on_commit_callbacks(execute=True):
        renamed = post(
            integration, {"documents": [_document(content, title="Tariffs 2025", filename="tarieven")]}
        ).json()
    assert renamed["documents"]["updated"] == 1
    with schema_context("org_noord"):
        document = Document.objects.get(external_id="doc-1")
        assert (document.title, document.filename, document.file.name) == (
            "Tariffs 2025",
            "tarieven.pdf",
            first_file,
        )

    new_content = minimal_pdf(f"tariffs {uuid.uuid4().hex}")
    with django_capture_on_commit_callbacks(execute=True):
        replaced = post(
            integration, {"documents": [_document(new_content, title="Tariffs 2025", filename="tarieven")]}
        ).json()
    assert replaced["documents"]["updated"] == 1
    with schema_context("org_noord"):
        document = Document.objects.get(external_id="doc-1")
        assert document.file.name != first_file
        assert document.file.read() == new_content
        assert not default_storage.exists(first_file)  # the replaced file went once the change was committed
    assert len(_stored() - before) == 1


def _write_then_fail(document: Document, written: list[str]) -> None:
    with atomic_with_files():
        store_content(document, minimal_pdf(uuid.uuid4().hex), "x.pdf")
        document.save()
        written.append(document.file.name)
        assert default_storage.exists(document.file.name)
        raise RuntimeError("the import failed after the file was written")


def test_files_written_in_a_transaction_that_rolls_back_are_removed(db):
    written: list[str] = []
    with schema_context("org_noord"):
        customer = Customer.objects.create(customer_number=f"RB-{uuid.uuid4().hex[:6]}", last_name="Rollback")
        document = Document(customer=customer, title="Will not stay", document_date=date(2025, 1, 1))
        with pytest.raises(RuntimeError, match="after the file was written"):
            _write_then_fail(document, written)
        assert len(written) == 1
        assert not default_storage.exists(written[0])
        assert not Document.objects.filter(title="Will not stay").exists()


def _png(size=(20, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 200, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


GOOD_PDF = minimal_pdf("fine")


@pytest.mark.parametrize(
    ("content", "accepted"),
    [
        (GOOD_PDF, "application/pdf"),
        (_png(), "image/png"),
        (_jpeg(), "image/jpeg"),
        (b"%PDF-<html><script>alert(1)</script></html>", None),
        (b"%PDF-1.4\n<html><script>alert(1)</script>\n%%EOF", None),  # no cross-reference at all
        (GOOD_PDF.replace(b"startxref\n", b"startxref\n9"), None),  # startxref points at nothing
        (GOOD_PDF[:-20], None),  # truncated: no trailer
        (_png()[:40], None),  # a PNG header and nothing that decodes
        (b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", None),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, None),  # JPEG magic bytes, no image
        (b"GIF89a" + _png()[8:], None),
    ],
)
def test_documents_are_checked_by_structure_not_magic_bytes(integration, content, accepted):
    body = post(integration, {"customers": [CUSTOMER], "documents": [_document(content)]}).json()
    if accepted:
        assert body["documents"]["created"] == 1, body["documents"]["errors"]
        with schema_context("org_noord"):
            assert Document.objects.get(external_id="doc-1").content_type == accepted
    else:
        assert body["documents"]["errors"][0]["errors"] == {
            "content_base64": ["Documents must be PDF, PNG or JPEG files."]
        }


def _taxed(n: int, tax: str, lines: list[tuple[str, str]]) -> dict:
    """An invoice of (net, rate) lines with the given tax total."""
    excl = sum(Decimal(net) for net, _rate in lines)
    return {
        **invoice_row("imp-1", None, n),
        "amount_excl_tax": str(excl),
        "tax_amount": tax,
        "amount_incl_tax": str(excl + Decimal(tax)),
        "lines": [
            {"description": f"Line {i}", "amount": net, "tax_rate": rate}
            for i, (net, rate) in enumerate(lines)
        ],
    }


def test_a_tax_total_that_disagrees_with_the_lines_rates_is_refused(integration):
    """A 21 % line of 10.00 with 0.00 VAT was accepted; beyond a cent per line it is the row's error."""
    rows = [
        _taxed(1, "0.00", [("10.00", "21")]),  # 2.10 expected
        _taxed(2, "2.10", [("10.00", "21")]),
        # Rounded per rate instead of per line: 3 x 0.333 = 0.999 -> 1.00 against 3 x 0.33 = 0.99.
        _taxed(3, "1.00", [("5.55", "6"), ("5.55", "6"), ("5.55", "6")]),
        _taxed(4, "1.02", [("5.55", "6"), ("5.55", "6"), ("5.55", "6")]),  # a cent per line is 0.03
        _taxed(5, "1.03", [("5.55", "6"), ("5.55", "6"), ("5.55", "6")]),  # 0.04 off: refused
        _taxed(6, "2.11", [("10.00", "21")]),
        _taxed(7, "2.12", [("10.00", "21")]),
    ]
    body = post(integration, {"customers": [CUSTOMER], "invoices": rows}).json()
    assert body["invoices"]["created"] == 4
    assert body["invoices"]["errors"] == [
        {
            "index": 0,
            "external_id": "imp-1-inv-1",
            "errors": {
                "tax_amount": [
                    "0.00 does not agree with the lines' VAT rates: 2.10 expected "
                    "(at most 0.01 apart, a cent per line)"
                ]
            },
        },
        {
            "index": 4,
            "external_id": "imp-1-inv-5",
            "errors": {
                "tax_amount": [
                    "1.03 does not agree with the lines' VAT rates: 0.99 expected "
                    "(at most 0.03 apart, a cent per line)"
                ]
            },
        },
        {
            "index": 6,
            "external_id": "imp-1-inv-7",
            "errors": {
                "tax_amount": [
                    "2.12 does not agree with the lines' VAT rates: 2.10 expected "
                    "(at most 0.01 apart, a cent per line)"
                ]
            },
        },
    ]
    with schema_context("org_noord"):
        stored = {
            invoice.number: [line.tax_amount for line in invoice.lines.all()]
            for invoice in Invoice.objects.filter(customer__external_id="imp-1").prefetch_related("lines")
        }
    # Each line's VAT is its own rate's, the difference of the total spread a cent at a time.
    assert stored == {
        "imp-1-F0002": [Decimal("2.10")],
        "imp-1-F0003": [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")],
        "imp-1-F0004": [Decimal("0.34"), Decimal("0.34"), Decimal("0.34")],
        "imp-1-F0006": [Decimal("2.11")],
    }
