"""Hypothesis strategies for money amounts and VAT rates."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

STANDARD_RATES = [Decimal(rate) for rate in ("0", "6", "9", "12", "21")]


rates = st.one_of(
    st.sampled_from(STANDARD_RATES), st.decimals(min_value=0, max_value=Decimal("99.99"), places=2)
)


def money(low: str = "-10000", high: str = "10000"):
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=2)
