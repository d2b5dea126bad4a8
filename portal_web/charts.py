"""The value axis of the portal's charts: round steps, decided in one place.

A step is 1, 2, 2.5 or 5 times a power of ten (0, 500, 1,000, … rather than 0, 404, 808, …), the
smallest such step that covers the highest value in at most five steps; the axis ends at the first
tick at or above that value, so bars are scaled to a round top.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

ROUND_FACTORS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
MAX_STEPS = 5


@dataclass(frozen=True)
class ValueAxis:
    ticks: list[Decimal]  # from 0 up to ``top``, evenly spaced
    decimals: int  # what the labels need to show every tick exactly

    @property
    def top(self) -> Decimal:
        return self.ticks[-1]


def value_axis(peak: Decimal) -> ValueAxis:
    """Ticks for values from 0 to ``peak`` (an empty chart, peak 0, gets the axis of 1)."""
    if not peak > 0:
        peak = Decimal(1)
    magnitude = Decimal(1).scaleb((peak / MAX_STEPS).adjusted())
    step = next(
        factor * magnitude for factor in ROUND_FACTORS if math.ceil(peak / (factor * magnitude)) <= MAX_STEPS
    )
    decimals = max(0, -step.normalize().as_tuple().exponent)
    unit = Decimal(1).scaleb(-decimals)
    count = math.ceil(peak / step)
    return ValueAxis(ticks=[(step * index).quantize(unit) for index in range(count + 1)], decimals=decimals)
