"""Every writer of invoice lines keeps the money exact: the import, a changed advance and a move-out.

Property tests against PostgreSQL (fewer examples than the pure ones in test_vat.py, derandomized):
each example runs in a savepoint that is rolled back, on one customer with an active contract.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django_tenants.utils import schema_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configuration.models import BillingSettings, PortalPreferences
from contracts.models import AdvancePaymentPlan, Contract
from integration.importing import run_import
from invoicing.models import Invoice
from invoicing.services import end_advances_after
from invoicing.vat import CENT, expected_tax, proportion, vat_of
from self_service.advance import change_advance
from tests.support.billing_data import billing_customer, invoice_row
from tests.support.money import money, rates

pytestmark = pytest.mark.fuzz

DATABASE = settings(
    max_examples=20,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def billed(draw):
    """(net, rate) lines and how many cents the billing system's tax is off their own rounding."""
    lines = [(draw(money("0.01", "2000")), draw(rates)) for _ in range(draw(st.integers(1, 2)))]
    return lines, draw(st.sampled_from([0, 0, 1, -1]))


@pytest.fixture
def contract(db, noord):
    with schema_context("org_noord"):
        PortalPreferences.objects.current()
        PortalPreferences.objects.update(
            advance_changes_allowed=True, advance_range="fixed", advance_fixed_amount=Decimal("10000")
        )
        BillingSettings.objects.current()
        BillingSettings.objects.update(minimum_advance_amount=Decimal("0"))
    data = billing_customer(invoices=2)
    with schema_context("org_noord"):
        return data, Contract.objects.get(external_id=f"{data['ext']}-K1")


def _row(data: dict, bill, *, n: int = 7000, period: tuple[date, date] | None = None) -> dict:
    lines, offset = bill
    excl = sum(net for net, _rate in lines)
    tax = expected_tax(lines) + offset * CENT
    start = period[0] if period else date.today() + timedelta(days=20)
    row = invoice_row(
        data["ext"], f"{data['ext']}-K1", n, issue=start, due=start + timedelta(days=15), status="open"
    )
    row.update(
        amount_excl_tax=str(excl),
        tax_amount=str(tax),
        amount_incl_tax=str(excl + tax),
        lines=[
            {"description": f"Line {i}", "amount": str(net), "tax_rate": str(rate)}
            for i, (net, rate) in enumerate(lines)
        ],
    )
    if period:
        row.update(period_start=period[0].isoformat(), period_end=period[1].isoformat())
    return row


def _import(row: dict) -> None:
    result = run_import(payload={"invoices": [row]})
    assert result["error_count"] == 0, result


def _state(number: str) -> tuple:
    """The invoice's totals and lines, after checking that the lines add up to the totals."""
    invoice = Invoice.objects.prefetch_related("lines").get(number=number)
    lines = list(invoice.lines.all())
    assert invoice.amount_excl_tax + invoice.tax_amount == invoice.amount_incl_tax
    if lines:
        assert sum(line.amount for line in lines) == invoice.amount_excl_tax
        assert sum(line.tax_amount for line in lines) == invoice.tax_amount
        for line in lines:  # each line's VAT within a cent of its own rate (the import's tolerance)
            assert abs(line.tax_amount - vat_of(line.amount, line.tax_rate)) <= CENT
    return (
        (invoice.amount_excl_tax, invoice.tax_amount, invoice.amount_incl_tax, invoice.amount_open),
        [(line.amount, line.tax_amount, line.tax_rate) for line in lines],
    )


def test_the_import_stores_lines_that_add_up_and_re_sending_the_original_restores_it(contract):
    data, _contract = contract

    @DATABASE
    @given(first=billed(), others=st.lists(billed(), max_size=3))
    def check(first, others):
        with schema_context("org_noord"), transaction.atomic():
            row = _row(data, first)
            _import(row)
            original = _state(row["number"])
            for bill in [*others, first]:
                _import(_row(data, bill))
                _state(row["number"])
            assert _state(row["number"]) == original
            transaction.set_rollback(True)

    check()


def test_any_sequence_of_advance_changes_ending_at_the_original_restores_the_lines(contract, noord):
    data, advance_contract = contract

    @DATABASE
    @given(bill=billed(), changes=st.lists(money("0", "3000"), min_size=1, max_size=4))
    def check(bill, changes):
        with schema_context("org_noord"), transaction.atomic():
            row = _row(data, bill)
            _import(row)
            original = _state(row["number"])
            gross = Decimal(row["amount_incl_tax"])
            AdvancePaymentPlan.objects.filter(contract=advance_contract).update(current_amount=gross)
            for amount in [*changes, gross]:
                change_advance(organisation=noord, contract=advance_contract, amount=amount, actor_user=None)
                (_excl, _tax, incl, still_open), _lines = _state(row["number"])
                assert incl == still_open == amount
            assert _state(row["number"]) == original
            transaction.set_rollback(True)

    check()


def test_a_move_out_leaves_the_advance_of_its_month_adding_up(contract):
    data, ending = contract

    @DATABASE
    @given(bill=billed(), length=st.integers(2, 31), data_=st.data())
    def check(bill, length, data_):
        supplied = data_.draw(st.integers(1, length - 1))  # days up to and including the last one
        start = date.today() - timedelta(days=3)
        last_day = start + timedelta(days=supplied - 1)
        with schema_context("org_noord"), transaction.atomic():
            row = _row(data, bill, period=(start, start + timedelta(days=length - 1)))
            later = _row(
                data,
                bill,
                n=7001,
                period=(start + timedelta(days=length), start + timedelta(days=2 * length)),
            )
            _import(row)
            _import(later)
            result = end_advances_after(contract=ending, last_day=last_day)
            assert result == {"prorated": [row["number"]], "cancelled": [later["number"]]}
            (_excl, _tax, incl, still_open), _lines = _state(row["number"])
            assert incl == still_open == proportion(Decimal(row["amount_incl_tax"]), supplied, length)
            assert Invoice.objects.get(number=later["number"]).payment_status == "cancelled"
            transaction.set_rollback(True)

    check()
