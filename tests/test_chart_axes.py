"""Chart value axes step by round numbers (1, 2, 2.5 or 5 times a power of ten): unit tests of the one function
that picks them, and the consumption page drawing them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from portal_web.charts import value_axis
from tests.support.consumption_data import day_rows, ingest_rows
from tests.support.web import logged_in, text

ROUND_FACTORS = {Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)}


def is_round(step: Decimal) -> bool:
    """1, 2, 2.5 or 5 times a power of ten."""
    mantissa = step.scaleb(-step.adjusted())
    return mantissa.normalize() in ROUND_FACTORS


@pytest.mark.parametrize(
    ("peak", "ticks"),
    [
        ("1616", ["0", "500", "1000", "1500", "2000"]),  # was 0, 404, 808, 1,212, 1,616
        ("24", ["0", "5", "10", "15", "20", "25"]),
        ("96", ["0", "20", "40", "60", "80", "100"]),
        ("100", ["0", "20", "40", "60", "80", "100"]),
        ("7", ["0", "2", "4", "6", "8"]),
        ("9.6", ["0", "2", "4", "6", "8", "10"]),
        ("1", ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
        ("0.00384", ["0", "0.001", "0.002", "0.003", "0.004"]),
        ("12.5", ["0", "2.5", "5", "7.5", "10", "12.5"]),
        ("30926", ["0", "10000", "20000", "30000", "40000"]),
    ],
)
def test_value_axis_steps_are_round(peak, ticks):
    axis = value_axis(Decimal(peak))
    assert [Decimal(t) for t in ticks] == axis.ticks
    assert axis.top == axis.ticks[-1] >= Decimal(peak)


@pytest.mark.parametrize("peak", ["0.0007", "0.37", "3", "13", "47", "333", "404", "999", "1234.5", "87654"])
def test_any_peak_gets_two_to_five_round_steps_that_cover_it(peak):
    axis = value_axis(Decimal(peak))
    step = axis.ticks[1] - axis.ticks[0]
    assert is_round(step), step
    assert 2 <= len(axis.ticks) - 1 <= 5
    assert axis.ticks == [step * i for i in range(len(axis.ticks))]
    assert axis.ticks[-2] < Decimal(peak) <= axis.top


def test_an_empty_chart_still_has_an_axis():
    assert value_axis(Decimal(0)).ticks == value_axis(Decimal(1)).ticks


def test_the_consumption_page_labels_the_value_axis_with_round_steps(metered_home):
    data, meters, locations = metered_home
    # 404 kWh on one day, 1,616 on another: the peak that gave 404, 808, 1,212, 1,616.
    ingest_rows(day_rows(meters["heat1"], date(2026, 3, 2), value="4.2083333"))
    ingest_rows(day_rows(meters["heat1"], date(2026, 3, 3), value="16.8333333"))
    client = logged_in(data)
    body = text(client.get(f"/consumption/?service=heating&year=2026&month=3&locations={locations['L1']}"))
    svg = re.search(r'<svg class="chart".*?</svg>', body, re.S).group(0)
    labels = re.findall(r'<text class="axis" x="50" y="[\d.]+" text-anchor="end">([^<]+)</text>', svg)
    assert labels == ["2,000", "1,500", "1,000", "500", "0"]
