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


@dataclass(frozen=True)
class ChartFrame:
    """The bar chart's canvas in SVG units: the plot sits between the margins."""

    width: int = 760
    height: int = 276
    top: int = 28
    bottom: int = 36
    left: int = 56

    @property
    def plot(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def baseline(self) -> int:
        return self.height - self.bottom


FRAME = ChartFrame()


def _grid(axis: ValueAxis) -> list[dict]:
    """A grid line per tick, the highest first, with the y of its line and of its label."""
    steps = len(axis.ticks) - 1
    lines = []
    for step, tick in enumerate(reversed(axis.ticks)):
        y = FRAME.top + FRAME.plot * step / steps
        lines.append({"tick": tick, "y": round(y, 1), "label_y": round(y + 4, 1)})
    return lines


def _bar(name: str, item: dict, *, x: float, width: float, peak: Decimal) -> dict | None:
    """One bar, or the gap marker of a period without data; None when nothing is drawn (a future
    period, or a comparison period without a figure)."""
    if item["value"] is None:
        if item.get("future") or name == "other":
            return None
        return {"gap": True, "name": name, "item": item, "x": x, "y": FRAME.baseline - 3, "width": width}
    value = Decimal(item["value"])
    height = max(float(value / peak) * FRAME.plot, 1.0)
    return {
        "gap": False,
        "name": name,
        "item": item,
        "value": value,
        "incomplete": item.get("completeness", 1) < 0.999,
        "x": x,
        "y": round(FRAME.baseline - height, 1),
        "width": width,
        "height": round(height, 1),
    }


def bar_layout(points: list[dict], other: list[dict] | None = None) -> dict:
    """Where the bar chart's parts go: the value axis' grid, and per period its bars (the period's,
    then the comparison's beside it) and the x of its label. Periods are evenly spaced; bars are
    scaled to the axis' round top."""
    values = [Decimal(p["value"]) for p in [*points, *(other or [])] if p["value"] is not None]
    axis = value_axis(max(values, default=Decimal(0)))
    slot = (FRAME.width - FRAME.left) / max(len(points), 1)
    bar = slot * (0.38 if other else 0.7)
    columns = []
    for index, point in enumerate(points):
        x = FRAME.left + slot * index + (slot - (bar * (2 if other else 1))) / 2
        series = [("current", point)] + ([("other", other[index])] if other and index < len(other) else [])
        bars = [
            _bar(name, item, x=round(x + offset * bar, 1), width=round(bar, 1), peak=axis.top)
            for offset, (name, item) in enumerate(series)
        ]
        label_x = round(FRAME.left + slot * index + slot / 2, 1)
        columns.append({"point": point, "bars": [b for b in bars if b], "label_x": label_x})
    return {"frame": FRAME, "axis": axis, "grid": _grid(axis), "columns": columns}
