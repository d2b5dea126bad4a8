"""Consumption as a resident is shown it: from the aggregates, actual data only, per service.

Every value is limited to the period the customer occupied the location (the contract's and the
contract location's dates) and the meter was in place, so a new resident never sees a
predecessor's consumption. Periods without actual data are ``None`` with a flag, never zero.

Completeness is actual intervals over *expected* intervals, and the expected intervals are
computed from the meter windows and the organisation's calendar (23- and 25-hour days included),
not from the aggregate rows found: a location or a day without any data counts as missing.
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q

from contracts.models import Contract, ContractLocation

from .models import DailyConsumption, Meter, MonthlyConsumption, Tariff

FAR_PAST, FAR_FUTURE = date(1900, 1, 1), date(9999, 12, 31)


class ConsumptionQueryError(ValueError):
    """A request the data cannot answer (unknown service or location)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MeterWindow:
    """The days (inclusive) one meter counts for one contract of the customer."""

    meter_id: int
    meter_number: str
    location_id: int
    location: str
    contract_id: int
    first_day: date
    last_day: date  # inclusive
    interval_minutes: int = 15


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
    """The customer's meters of ``service``, each limited to occupancy and to the meter's own dates.

    Windows of one meter never overlap: a day two contracts share (a contract ending on the day the
    next one starts) counts once, for the earlier contract.
    """
    rows = occupancy(customer=customer)
    known_locations = {row.location_id for row in rows}
    if location_ids is not None:
        unknown = set(location_ids) - known_locations
        if unknown:
            raise ConsumptionQueryError("unknown location", "locations")
        rows = [row for row in rows if row.location_id in set(location_ids)]
    by_location = occupied(rows, service)
    meters = Meter.objects.filter(location_id__in=list(by_location), service__code=service).select_related(
        "location"
    )
    return windows_of(by_location, meters)


def occupied(rows: Iterable[ContractLocation], service: str) -> dict[int, set[tuple[date, date, int]]]:
    """location id -> the (first day, last day, contract id) the rows deliver ``service`` there."""
    by_location: dict[int, set[tuple[date, date, int]]] = defaultdict(set)
    for row in rows:
        if service not in row.services:
            continue  # this contract does not deliver the service here
        first = max(filter(None, (row.contract.start_date, row.move_in_date)), default=FAR_PAST)
        ends = [day for day in (row.contract.end_date, row.move_out_date) if day]
        last = min(ends) if ends else FAR_FUTURE
        by_location[row.location_id].add((first, last, row.contract_id))
    return by_location


def windows_of(
    by_location: dict[int, set[tuple[date, date, int]]], meters: Iterable[Meter]
) -> list[MeterWindow]:
    """Each meter's windows within the occupancy ``occupied`` found (meters with their location)."""
    windows = []
    for meter in meters:
        covered: date | None = None
        for first, last, contract_id in sorted(by_location.get(meter.location_id, ())):
            first = max(first, meter.installed_on or FAR_PAST)
            last = min(last, meter.removed_on or FAR_FUTURE)
            if covered is not None:
                if covered >= FAR_FUTURE:
                    break
                first = max(first, covered + timedelta(days=1))
            if first > last:
                continue
            windows.append(
                MeterWindow(
                    meter.pk,
                    meter.number,
                    meter.location_id,
                    meter.location.one_line,
                    contract_id,
                    first,
                    last,
                    meter.interval_minutes,
                )
            )
            covered = last
    return windows


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def local_seconds(first: date, last: date, zone: ZoneInfo) -> int:
    """Seconds from the local start of ``first`` to the local end of ``last`` (DST included)."""
    start = datetime.combine(first, time.min, zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, zone).astimezone(UTC)
    return int((end - start).total_seconds())


def expected_intervals(window: MeterWindow, first: date, last: date, zone: ZoneInfo) -> int:
    return local_seconds(first, last, zone) // (window.interval_minutes * 60)


@dataclass
class Cell:
    """Actual consumption and intervals, and the intervals expected, of one contract and period."""

    value: Decimal = Decimal("0")
    actual: int = 0
    expected: int = 0

    def add(self, value, actual: int) -> None:
        if value is not None:
            self.value += value
        self.actual += actual

    def merge(self, other: Cell) -> None:
        self.value += other.value
        self.actual += other.actual
        self.expected += other.expected

    @property
    def completeness(self) -> float:
        if self.actual == 0:
            return 0.0
        return min(1.0, self.actual / self.expected) if self.expected else 1.0

    @property
    def complete(self) -> bool:
        """Every expected interval has actual data (counted, not rounded)."""
        return self.actual > 0 and self.actual >= self.expected


def _window_of(windows: list[MeterWindow], day: date) -> MeterWindow | None:
    return next((w for w in windows if w.first_day <= day <= w.last_day), None)


def month_cells(
    *,
    windows: list[MeterWindow],
    years: Iterable[int],
    today: date,
    zone: ZoneInfo,
    months: set[date] | None = None,
) -> dict[tuple[int, date], Cell]:
    """(contract id, first day of month) -> cell, for every month of ``years`` (only ``months``,
    first days, when given).

    Two queries whatever the number of years and contracts: monthly aggregates for the months a
    window covers whole, daily aggregates for the months a window cuts.
    """
    cells: dict[tuple[int, date], Cell] = defaultdict(Cell)
    whole: dict[tuple[int, date], int] = {}
    partial: dict[int, list[MeterWindow]] = defaultdict(list)
    condition = Q()
    for window in windows:
        for year in sorted(set(years)):
            for month in range(1, 13):
                first, last = month_bounds(year, month)
                start, end = max(first, window.first_day), min(last, window.last_day)
                if start > end or start > today or (months is not None and first not in months):
                    continue
                cell = cells[(window.contract_id, first)]
                cell.expected += expected_intervals(window, start, min(end, today), zone)
                if (start, end) == (first, last):
                    whole[(window.meter_id, first)] = window.contract_id
                else:
                    partial[window.meter_id].append(replace(window, first_day=start, last_day=end))
                    condition |= Q(meter_id=window.meter_id, day__gte=start, day__lte=end)
    if whole:
        rows = MonthlyConsumption.objects.filter(
            meter_id__in={meter for meter, _month in whole}, month__in={month for _meter, month in whole}
        ).values_list("meter_id", "month", "value", "actual_intervals")
        for meter_id, month, value, actual in rows:
            contract_id = whole.get((meter_id, month))
            if contract_id is not None:
                cells[(contract_id, month)].add(value, actual)
    if partial:
        rows = DailyConsumption.objects.filter(condition).values_list(
            "meter_id", "day", "value", "actual_intervals"
        )
        for meter_id, day, value, actual in rows:
            window = _window_of(partial[meter_id], day)
            if window is not None:
                cells[(window.contract_id, day.replace(day=1))].add(value, actual)
    return cells


def day_cells(
    *, windows: list[MeterWindow], ranges: Iterable[tuple[date, date]], today: date, zone: ZoneInfo
) -> dict[tuple[int, date], Cell]:
    """(contract id, day) -> cell for every day of the ranges (which may overlap), in one query."""
    wanted: set[date] = set()
    for first, last in ranges:
        wanted.update(first + timedelta(days=offset) for offset in range((last - first).days + 1))
    days = sorted(day for day in wanted if day <= today)
    cells: dict[tuple[int, date], Cell] = defaultdict(Cell)
    if not days:
        return cells
    day_seconds = {day: local_seconds(day, day, zone) for day in days}
    by_meter: dict[int, list[MeterWindow]] = defaultdict(list)
    for window in windows:
        by_meter[window.meter_id].append(window)
        step = window.interval_minutes * 60
        for day in days:
            if window.first_day <= day <= window.last_day:
                cells[(window.contract_id, day)].expected += day_seconds[day] // step
    condition = Q()
    for first, last in _runs(days):
        for window in windows:
            start, end = max(first, window.first_day), min(last, window.last_day)
            if start <= end:
                condition |= Q(meter_id=window.meter_id, day__gte=start, day__lte=end)
    if condition:
        rows = DailyConsumption.objects.filter(condition).values_list(
            "meter_id", "day", "value", "actual_intervals"
        )
        for meter_id, day, value, actual in rows:
            window = _window_of(by_meter[meter_id], day)
            if window is not None and day in day_seconds:
                cells[(window.contract_id, day)].add(value, actual)
    return cells


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _by_period(cells: dict[tuple[int, date], Cell]) -> dict[date, Cell]:
    totals: dict[date, Cell] = defaultdict(Cell)
    for (_contract, period), cell in cells.items():
        totals[period].merge(cell)
    return totals


THREE_DECIMALS = Decimal("0.001")


def exact(value: Decimal) -> str:
    """A value as the API shows it: at least three decimals, and every decimal stored beyond them
    (readings keep seven, so a value in MWh or GJ is never rounded away)."""
    shown = value.quantize(THREE_DECIMALS)
    return str(shown if shown == value else value.normalize())


def _point(label: str, cell: Cell, *, future: bool) -> dict:
    if future or cell.actual == 0:
        return {"period": label, "value": None, "no_data": True, "future": future, "completeness": 0.0}
    return {
        "period": label,
        "value": exact(cell.value),
        "no_data": False,
        "future": False,
        "completeness": round(cell.completeness, 4),
    }


def _missing_days(label: str, cell: Cell) -> int:
    """The days of a period (a day, YYYY-MM-DD, or a month, YYYY-MM) without all their readings: a
    day is missing when any expected interval is; a month counts its missing share of its days,
    rounded up (the monthly aggregates do not say which days). Days no meter is expected to report
    (before a move-in) are not missing."""
    if cell.expected == 0 or cell.actual >= cell.expected:
        return 0
    if len(label) == 10:
        return 1
    days = calendar.monthrange(int(label[:4]), int(label[5:7]))[1]
    return min(days, math.ceil((cell.expected - cell.actual) * days / cell.expected))


def _series(periods: list[tuple[str, Cell, bool]]) -> dict:
    """Points and their total; the total's completeness is weighted by expected intervals."""
    points = [_point(label, cell, future=future) for label, cell, future in periods]
    total = Cell()
    for _label, cell, future in periods:
        if not future:
            total.merge(cell)
    with_data = [point for point in points if point["value"] is not None]
    completeness = (
        (min(1.0, total.actual / total.expected) if total.expected else 0.0) if total.actual else 0.0
    )
    return {
        "points": points,
        "total": {
            "value": exact(total.value) if with_data else None,
            "periods_with_data": len(with_data),
            "periods": len(points),
            "completeness": round(completeness, 4),
            "complete": not any(future for _l, _c, future in periods) and total.complete,
            "missing_days": sum(_missing_days(label, cell) for label, cell, future in periods if not future),
        },
    }


def year_series(*, cells: dict[tuple[int, date], Cell], year: int, today: date) -> dict:
    """12 monthly values of all contracts together, from ``month_cells``."""
    totals = _by_period(cells)
    periods = []
    for month in range(1, 13):
        first = date(year, month, 1)
        periods.append((f"{year}-{month:02d}", totals.get(first, Cell()), first > today))
    return _series(periods)


def day_series(*, cells: dict[tuple[int, date], Cell], first: date, last: date, today: date) -> dict:
    """Daily values from ``first`` to ``last``, from ``day_cells``."""
    totals = _by_period(cells)
    periods = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        periods.append((day.isoformat(), totals.get(day, Cell()), day > today))
    return _series(periods)


def register_profile(*, windows: list[MeterWindow], year: int, month: int) -> list[dict]:
    """Per meter: the last actual register reading of each day of the month (one query)."""
    first, last = month_bounds(year, month)
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
            series[meter_id]["points"].append({"x": moment.isoformat(), "y": exact(value)})
    return list(series.values())


def change_percentage(current: dict, other: dict) -> float | None:
    """The change between two complete totals; None when either period misses readings (or is not
    over): a percentage would measure the gap, not the consumption."""
    if not (current["complete"] and other["complete"]):
        return None
    if current["value"] is None or other["value"] is None or Decimal(other["value"]) == 0:
        return None
    return round(
        float((Decimal(current["value"]) - Decimal(other["value"])) / Decimal(other["value"]) * 100), 2
    )


@dataclass(frozen=True)
class ServiceRow:
    """One service a contract delivers at one location: the resident's Services screen row."""

    place: ContractLocation
    service: str
    meters: list[Meter]


@dataclass(frozen=True)
class ContractServices:
    contract: Contract
    services: list[ServiceRow]
    tariffs: list[Tariff]  # per service, the one in force (the contract's own before the default)


def _meters_of(meters: list[Meter], place: ContractLocation, service: str) -> list[Meter]:
    """The location's meters of ``service`` in place while this contract ran there (not a
    predecessor's removed meter)."""
    first = max(filter(None, (place.contract.start_date, place.move_in_date)), default=FAR_PAST)
    ends = [day for day in (place.contract.end_date, place.move_out_date) if day]
    last = min(ends) if ends else FAR_FUTURE
    return [
        meter
        for meter in meters
        if meter.location_id == place.location_id
        and meter.service.code == service
        and (meter.installed_on or FAR_PAST) <= last
        and (meter.removed_on or FAR_FUTURE) >= first
    ]


def _tariff_in_force(tariffs: list[Tariff], contract: Contract, service: str, day: date) -> Tariff | None:
    ordered = sorted(tariffs, key=lambda tariff: tariff.contract_id is None)  # the contract's own first
    for tariff in ordered:
        if tariff.service != service or tariff.contract_id not in (None, contract.pk):
            continue
        if tariff.valid_from <= day and (tariff.valid_until is None or tariff.valid_until >= day):
            return tariff
    return None


def contract_services(
    *, contracts: Iterable[Contract], today: date, with_tariffs: bool = True
) -> list[ContractServices]:
    """Per contract (its ``contract_locations`` prefetched with their location): each service at each
    location with its meters, and the tariff of each service in force today (on its last day for an
    ended contract). Two queries whatever the number of contracts, locations and meters; one
    without the tariffs (an organisation that shows no costs shows no prices either)."""
    contracts = list(contracts)
    places = [place for contract in contracts for place in contract.contract_locations.all()]
    meters = list(
        Meter.objects.filter(location_id__in={place.location_id for place in places})
        .select_related("service")
        .order_by("number", "id")
    )
    tariffs = (
        list(Tariff.objects.filter(Q(contract_id__in=[c.pk for c in contracts]) | Q(contract__isnull=True)))
        if with_tariffs
        else []
    )
    result = []
    for contract in contracts:
        day = min(today, contract.end_date) if contract.end_date else today
        rows = [
            ServiceRow(place, service, _meters_of(meters, place, service))
            for place in contract.contract_locations.all()
            for service in place.services
        ]
        codes = sorted({row.service for row in rows})
        in_force = [_tariff_in_force(tariffs, contract, code, day) for code in codes]
        result.append(ContractServices(contract, rows, [tariff for tariff in in_force if tariff]))
    return result
