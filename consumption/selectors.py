"""Consumption as a resident is shown it: from the aggregates, actual data only, per service.

Every value is limited to the period the customer occupied the location (the contract's and the
contract location's dates), so a new resident never sees a predecessor's consumption. Periods
without actual data are ``None`` with a flag, never zero; totals carry their completeness.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from contracts.models import ContractLocation

from .models import DailyConsumption, Meter, MonthlyConsumption

FAR_PAST, FAR_FUTURE = date(1900, 1, 1), date(9999, 12, 31)


class ConsumptionQueryError(ValueError):
    """A request the data cannot answer (unknown service or location)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MeterWindow:
    meter_id: int
    meter_number: str
    location_id: int
    location: str
    contract_id: int
    first_day: date
    last_day: date  # inclusive


def occupancy(*, customer) -> list[ContractLocation]:
    return list(
        ContractLocation.objects.filter(contract__customer=customer).select_related("contract", "location")
    )


def available_services(*, customer) -> list[dict]:
    """The services with meters at the customer's locations, and those locations."""
    rows = occupancy(customer=customer)
    location_ids = {row.location_id for row in rows}
    meters = Meter.objects.filter(location_id__in=location_ids).select_related("service", "location")
    services: dict[str, dict] = {}
    for meter in meters:
        entry = services.setdefault(
            meter.service.code, {"code": meter.service.code, "unit": meter.service.unit, "locations": {}}
        )
        entry["locations"][meter.location_id] = meter.location.one_line
    return [
        {
            **entry,
            "locations": [
                {"id": pk, "address": address} for pk, address in sorted(entry["locations"].items())
            ],
        }
        for entry in sorted(services.values(), key=lambda item: item["code"])
    ]


def meter_windows(*, customer, service: str, location_ids: list[int] | None = None) -> list[MeterWindow]:
    rows = occupancy(customer=customer)
    known_locations = {row.location_id for row in rows}
    if location_ids is not None:
        unknown = set(location_ids) - known_locations
        if unknown:
            raise ConsumptionQueryError("unknown location", "locations")
        rows = [row for row in rows if row.location_id in set(location_ids)]
    by_location: dict[int, list[tuple[date, date, int]]] = defaultdict(list)
    for row in rows:
        if service not in row.services:
            continue  # this contract does not deliver the service here
        first = max(filter(None, (row.contract.start_date, row.move_in_date)), default=FAR_PAST)
        ends = [day for day in (row.contract.end_date, row.move_out_date) if day]
        last = min(ends) if ends else FAR_FUTURE
        by_location[row.location_id].append((first, last, row.contract_id))
    meters = Meter.objects.filter(location_id__in=list(by_location), service__code=service).select_related(
        "location"
    )
    windows = []
    for meter in meters:
        for first, last, contract_id in sorted(set(by_location[meter.location_id])):
            windows.append(
                MeterWindow(
                    meter.pk,
                    meter.number,
                    meter.location_id,
                    meter.location.one_line,
                    contract_id,
                    first,
                    last,
                )
            )
    return windows


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class _Sum:
    value: Decimal = Decimal("0")
    actual: int = 0
    expected: int = 0
    any_row: bool = False

    def add(self, value, actual: int, expected: int) -> None:
        self.any_row = True
        if value is not None:
            self.value += value
        self.actual += actual
        self.expected += expected

    def as_point(self, label: str, *, future: bool) -> dict:
        if future:
            return {"period": label, "value": None, "no_data": True, "future": True, "completeness": 0.0}
        if self.actual == 0:
            return {"period": label, "value": None, "no_data": True, "future": False, "completeness": 0.0}
        completeness = min(1.0, self.actual / self.expected) if self.expected else 1.0
        return {
            "period": label,
            "value": str(self.value.quantize(Decimal("0.001"))),
            "no_data": False,
            "future": False,
            "completeness": round(completeness, 4),
        }


def _total(points: list[dict]) -> dict:
    values = [Decimal(point["value"]) for point in points if point["value"] is not None]
    past = [point for point in points if not point["future"]]
    completeness = sum(point["completeness"] for point in past) / len(past) if past else 0.0
    return {
        "value": str(sum(values, Decimal("0")).quantize(Decimal("0.001"))) if values else None,
        "periods_with_data": len(values),
        "periods": len(points),
        "completeness": round(completeness, 4),
        "complete": bool(past) and completeness >= 0.999 and len(past) == len(points),
    }


def year_series(*, windows: list[MeterWindow], year: int, today: date) -> dict:
    """12 monthly values (one query for whole months, one for months a window cuts)."""
    months = {m: _Sum() for m in range(1, 13)}
    whole, partial = defaultdict(list), defaultdict(list)
    for window in windows:
        for month in range(1, 13):
            first, last = _month_bounds(year, month)
            if window.last_day < first or window.first_day > last:
                continue
            target = whole if window.first_day <= first and window.last_day >= last else partial
            target[month].append(window)
    meter_months = {(w.meter_id, date(year, m, 1)) for m, ws in whole.items() for w in ws}
    if meter_months:
        rows = MonthlyConsumption.objects.filter(
            meter_id__in={meter for meter, _month in meter_months}, month__year=year
        ).values_list("meter_id", "month", "value", "actual_intervals", "expected_intervals")
        for meter_id, month, value, actual, expected in rows:
            if (meter_id, month) in meter_months:
                months[month.month].add(value, actual, expected)
    if partial:
        condition = Q()
        for month, ws in partial.items():
            first, last = _month_bounds(year, month)
            for window in ws:
                condition |= Q(
                    meter_id=window.meter_id,
                    day__gte=max(first, window.first_day),
                    day__lte=min(last, window.last_day),
                )
        for _meter_id, day, value, actual, expected in DailyConsumption.objects.filter(condition).values_list(
            "meter_id", "day", "value", "actual_intervals", "expected_intervals"
        ):
            months[day.month].add(value, actual, expected)
    points = [months[m].as_point(f"{year}-{m:02d}", future=date(year, m, 1) > today) for m in range(1, 13)]
    return {"points": points, "total": _total(points)}


def day_series(*, windows: list[MeterWindow], first: date, last: date, today: date) -> dict:
    """Daily values from ``first`` to ``last`` (one query)."""
    days = {first + timedelta(days=offset): _Sum() for offset in range((last - first).days + 1)}
    condition = Q()
    for window in windows:
        start, end = max(first, window.first_day), min(last, window.last_day)
        if start <= end:
            condition |= Q(meter_id=window.meter_id, day__gte=start, day__lte=end)
    if condition:
        for _meter, day, value, actual, expected in DailyConsumption.objects.filter(condition).values_list(
            "meter_id", "day", "value", "actual_intervals", "expected_intervals"
        ):
            days[day].add(value, actual, expected)
    points = [days[day].as_point(day.isoformat(), future=day > today) for day in sorted(days)]
    return {"points": points, "total": _total(points)}


def month_series(*, windows: list[MeterWindow], year: int, month: int, today: date) -> dict:
    first, last = _month_bounds(year, month)
    return day_series(windows=windows, first=first, last=last, today=today)


def register_profile(*, windows: list[MeterWindow], year: int, month: int) -> list[dict]:
    """Per meter: the last actual register reading of each day of the month."""
    first, last = _month_bounds(year, month)
    series = {}
    condition = Q()
    for window in windows:
        start, end = max(first, window.first_day), min(last, window.last_day)
        if start <= end:
            condition |= Q(meter_id=window.meter_id, day__gte=start, day__lte=end)
        series.setdefault(
            window.meter_id, {"meter_number": window.meter_number, "location": window.location, "points": []}
        )
    if condition:
        rows = (
            DailyConsumption.objects.filter(condition, register_value__isnull=False)
            .order_by("meter_id", "day")
            .values_list("meter_id", "register_at", "register_value")
        )
        for meter_id, moment, value in rows:
            series[meter_id]["points"].append({"x": moment.isoformat(), "y": str(value)})
    return list(series.values())


def change_percentage(current: dict, other: dict) -> float | None:
    if current["value"] is None or other["value"] is None or Decimal(other["value"]) == 0:
        return None
    return round(
        float((Decimal(current["value"]) - Decimal(other["value"])) / Decimal(other["value"]) * 100), 2
    )
