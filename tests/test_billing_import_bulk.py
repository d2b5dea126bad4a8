"""The invoice import's set-based writes: only changed invoices are rewritten (their lines replaced,
the others' rows and line ids untouched), in one call with new ones and refused ones; and the
decimal VAT arithmetic gives exactly what fractions give."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import connection
from django_tenants.utils import schema_context
from hypothesis import given, settings
from hypothesis import strategies as st

from invoicing.models import Invoice, InvoiceLine
from invoicing.vat import line_vats, vat_of
from tests.support.billing_data import invoice_row
from tests.support.integration import CUSTOMER, post
from tests.support.money import money, rates

PURE = settings(max_examples=500, derandomize=True, database=None, deadline=None)


def _line_ids(external_id: str) -> list[int]:
    return list(
        InvoiceLine.objects.filter(invoice__external_id=external_id)
        .order_by("position")
        .values_list("pk", flat=True)
    )


def test_only_changed_invoices_are_rewritten_and_their_lines_replaced(integration):
    rows = [invoice_row("imp-1", None, n) for n in range(3)]
    first = post(integration, {"customers": [CUSTOMER], "invoices": rows}).json()
    assert first["invoices"]["created"] == 3
    with schema_context("org_noord"):
        before = {row["external_id"]: _line_ids(row["external_id"]) for row in rows}
        stamps = dict(Invoice.objects.values_list("external_id", "updated_at"))
        Invoice.objects.filter(external_id=rows[2]["external_id"]).update(pdf="invoices/old.pdf")
    changed = invoice_row("imp-1", None, 1, total="50.00", status="open")
    changed["lines"] = [
        {"description": "Part A", "amount": "20.00", "tax_rate": "6"},
        {"description": "Part B", "amount": str(Decimal(changed["amount_excl_tax"]) - 20), "tax_rate": "6"},
    ]
    renamed = {**rows[2], "due_date": None}
    new = invoice_row("imp-1", None, 7)
    bad = {**invoice_row("imp-1", None, 8), "tax_amount": "1.00", "amount_incl_tax": None}
    body = post(integration, {"invoices": [rows[0], changed, renamed, new, bad]}).json()
    assert {k: body["invoices"][k] for k in ("created", "updated", "unchanged")} == {
        "created": 1,
        "updated": 2,
        "unchanged": 1,
    }
    assert [e["index"] for e in body["invoices"]["errors"]] == [4]
    with schema_context("org_noord"):
        assert _line_ids(rows[0]["external_id"]) == before[rows[0]["external_id"]]
        unchanged = Invoice.objects.get(external_id=rows[0]["external_id"])
        assert unchanged.updated_at == stamps[rows[0]["external_id"]]
        replaced = _line_ids(changed["external_id"])
        assert len(replaced) == 2
        assert not set(replaced) & set(before[changed["external_id"]])
        invoice = Invoice.objects.get(external_id=changed["external_id"])
        assert (invoice.amount_incl_tax, invoice.amount_open, invoice.payment_status) == (
            Decimal("50.00"),
            Decimal("50.00"),
            "open",
        )
        assert invoice.updated_at > stamps[changed["external_id"]]
        assert [
            (line.description, line.tax_amount, line.billed_tax_amount) for line in invoice.lines.all()
        ] == [
            ("Part A", Decimal("1.20"), Decimal("1.20")),
            ("Part B", Decimal("1.63"), Decimal("1.63")),
        ]
        other = Invoice.objects.get(external_id=renamed["external_id"])
        assert other.due_date is None
        assert other.pdf.name == ""
        assert _line_ids(renamed["external_id"]) != before[renamed["external_id"]]
        created = Invoice.objects.get(external_id=new["external_id"])
        assert created.lines.count() == 1
        assert created.source_hash
        assert not Invoice.objects.filter(external_id=bad["external_id"]).exists()
        # The temporary table is gone: a second import in the same transaction makes its own.
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('pg_temp.incoming_invoicing_invoice')")
            assert cursor.fetchone() == (None,)
    again = post(integration, {"invoices": [rows[0], changed, renamed, new]}).json()
    assert again["invoices"]["unchanged"] == 4


def test_every_line_field_is_stored_as_sent(integration):
    row = invoice_row("imp-1", None, 1)
    row["lines"] = [
        {
            "meter_number": "M-7",
            "rollup_description": "Heat",
            "description": "Consumption",
            "period_start": "2025-01-01",
            "period_end": "2025-01-31",
            "units": "12.345",
            "unit": "kWh",
            "unit_price": "0.12345",
            "tax_rate": "6",
            "amount": row["amount_excl_tax"],
        }
    ]
    assert post(integration, {"customers": [CUSTOMER], "invoices": [row]}).json()["invoices"]["created"] == 1
    with schema_context("org_noord"):
        line = InvoiceLine.objects.get(invoice__external_id=row["external_id"])
        assert (line.position, line.meter_number, line.rollup_description, line.description) == (
            0,
            "M-7",
            "Heat",
            "Consumption",
        )
        assert (str(line.period_start), str(line.period_end), line.units, line.unit, line.unit_price) == (
            "2025-01-01",
            "2025-01-31",
            Decimal("12.345"),
            "kWh",
            Decimal("0.12345"),
        )
        assert line.amount == line.billed_amount == Decimal(row["amount_excl_tax"])
        assert line.tax_amount == line.billed_tax_amount == Decimal(row["tax_amount"])


def _fraction_vat(net: Decimal, rate: Decimal) -> Decimal:
    exact = Fraction(net) * Fraction(rate) / 100
    cents = int(abs(exact) * 100 + Fraction(1, 2))
    return (Decimal(cents if exact >= 0 else -cents) / 100).quantize(Decimal("0.01"))


@PURE
@given(money("-99999999.99", "99999999.99"), rates)
def test_decimal_vat_equals_the_fraction_rule(net, rate):
    vat = vat_of(net, rate)
    assert vat == _fraction_vat(net, rate)
    assert str(vat) == str(_fraction_vat(net, rate))  # no "-0.00"
    assert vat == (net * rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@PURE
@given(
    st.lists(st.tuples(money("-5000", "5000"), rates), min_size=1, max_size=6),
    st.integers(min_value=-12, max_value=12),
)
def test_line_vats_share_the_tax_by_the_fraction_rule(lines, cents_off):
    """The difference goes a cent at a time to the lines whose rounding lost most, ties in line order."""
    vats = [_fraction_vat(net, rate) for net, rate in lines]
    tax = sum(vats, start=Decimal("0.00")) + Decimal(cents_off) / 100
    step = 1 if cents_off > 0 else -1
    lost = [
        (Fraction(net) * Fraction(rate) / 100 - Fraction(vat)) * step
        for (net, rate), vat in zip(lines, vats, strict=True)
    ]
    order = sorted(range(len(vats)), key=lambda i: (-lost[i], i))
    extra = [0] * len(vats)
    for k in range(abs(cents_off)):
        extra[order[k % len(order)]] += step
    expected = [vat + Decimal(cents) / 100 for vat, cents in zip(vats, extra, strict=True)]
    assert line_vats(lines, tax) == expected
    assert sum(line_vats(lines, tax)) == tax
