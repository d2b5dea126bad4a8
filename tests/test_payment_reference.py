"""Payment references: check digits right for every invoice, the same invoice always the same."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649

from invoicing.payment_reference import (
    BE_STRUCTURED,
    NO_REFERENCE,
    RF_CREDITOR,
    be_structured_reference,
    be_structured_valid,
    invoice_reference,
    rf_grouped,
    rf_reference,
    rf_valid,
)


def test_known_belgian_structured_communication():
    # 1234567890 mod 97 = 2: the published example +++123/4567/89002+++.
    assert be_structured_reference(1234567890) == "+++123/4567/89002+++"
    assert be_structured_valid("+++123/4567/89002+++")
    assert not be_structured_valid("+++123/4567/89003+++")
    # A multiple of 97 has check digits 97, never 00.
    assert be_structured_reference(97) == "+++000/0000/09797+++"


def test_known_creditor_reference():
    # The ISO 11649 example.
    assert rf_reference("539007547034") == "RF18539007547034"
    assert rf_grouped("RF18539007547034") == "RF18 5390 0754 7034"
    assert rf_valid("RF18 5390 0754 7034")
    assert not rf_valid("RF19539007547034")


@given(st.integers(min_value=1, max_value=10**12))
def test_belgian_reference_of_any_invoice_verifies(pk):
    reference = invoice_reference(scheme=BE_STRUCTURED, invoice_pk=pk)
    assert reference == invoice_reference(scheme=BE_STRUCTURED, invoice_pk=pk)
    assert be_structured_valid(reference)
    digits = reference.strip("+").replace("/", "")
    assert int(digits[10:]) == (int(digits[:10]) % 97 or 97)


@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=0, max_value=9999999999))
def test_one_changed_digit_is_caught(base, position_seed):
    digits = be_structured_reference(base % 10**10).strip("+").replace("/", "")
    position = position_seed % 12
    changed = digits[:position] + str((int(digits[position]) + 1) % 10) + digits[position + 1 :]
    assert not be_structured_valid(changed)


@given(st.integers(min_value=1, max_value=10**21 - 1))
def test_creditor_reference_of_any_invoice_verifies(pk):
    reference = invoice_reference(scheme=RF_CREDITOR, invoice_pk=pk)
    assert rf_valid(reference)
    assert iso11649.is_valid(reference)  # an independent implementation agrees


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=21))
def test_creditor_reference_of_any_body_verifies(body):
    assert iso11649.is_valid(rf_reference(body))


def test_no_scheme_no_reference():
    assert invoice_reference(scheme=NO_REFERENCE, invoice_pk=5) is None
