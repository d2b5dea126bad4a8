"""Costs and estimates from the contract's tariffs, and comparison with similar customers."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Q

from contracts.models import Location

from .models import Tariff
from .selectors import MeterWindow, year_series

CENT = Decimal("0.01")
MIN_PEER_GROUP = 5
PEER_CACHE_SECONDS = 3600
AREA_BANDS = [(0, 50), (50, 75), (75, 100), (100, 150), (150, 250), (250, 500), (500, 1000), (1000, 10**9)]


def _tariffs(*, service: str, contract_ids: set[int]) -> dict[int | None, list[Tariff]]:
    found: dict[int | None, list[Tariff]] = defaultdict(list)
    for tariff in Tariff.objects.filter(
        Q(contract_id__in=contract_ids) | Q(contract__isnull=True), service=service
    ):
        found[tariff.contract_id].append(tariff)
    return found


def _tariff_for(tariffs: dict, contract_id: int, day: date) -> Tariff | None:
    for candidate in (*tariffs.get(contract_id, []), *tariffs.get(None, [])):
        if candidate.valid_from <= day and (candidate.valid_until is None or candidate.valid_until >= day):
            return candidate
    return None


def _price(tariff: Tariff, value: Decimal) -> Decimal:
    excl = value * tariff.unit_price + tariff.fixed_monthly
    return (excl * (1 + tariff.vat_rate / 100)).quantize(CENT, ROUND_HALF_UP)


def year_costs(
    *, windows: list[MeterWindow], service: str, year: int, today: date, previous: dict | None = None
) -> dict:
    """Per month: cost of the actual consumption, or an estimate where data is missing or to come.

    An estimate uses the same month of the previous year when that month is complete, else the
    average of this year's complete months. One consumption query per contract, one for tariffs.
    """
    by_contract: dict[int, list[MeterWindow]] = defaultdict(list)
    for window in windows:
        by_contract[window.contract_id].append(window)
    tariffs = _tariffs(service=service, contract_ids=set(by_contract))
    months = [
        {"period": f"{year}-{m:02d}", "amount": None, "estimated_amount": None, "is_estimate": False}
        for m in range(1, 13)
    ]
    currency, priced = "EUR", False
    for contract_id, contract_windows in by_contract.items():
        series = year_series(windows=contract_windows, year=year, today=today)["points"]
        last_year = year_series(windows=contract_windows, year=year - 1, today=today)["points"]
        complete = [
            Decimal(p["value"]) for p in series if p["value"] is not None and p["completeness"] >= 0.999
        ]
        average = sum(complete, Decimal("0")) / len(complete) if complete else None
        for index, point in enumerate(series):
            month_start = date(year, index + 1, 1)
            occupied = any(
                w.first_day <= month_start.replace(day=28) and w.last_day >= month_start
                for w in contract_windows
            )
            tariff = _tariff_for(tariffs, contract_id, month_start)
            if tariff is None or not occupied:
                continue
            priced, currency = True, tariff.currency
            target = months[index]
            if point["value"] is not None and point["completeness"] >= 0.999:
                target["amount"] = str(
                    Decimal(target["amount"] or 0) + _price(tariff, Decimal(point["value"]))
                )
                continue
            reference = last_year[index]
            estimate = (
                Decimal(reference["value"])
                if reference["value"] is not None and reference["completeness"] >= 0.999
                else average
            )
            if estimate is not None:
                target["estimated_amount"] = str(
                    Decimal(target["estimated_amount"] or 0) + _price(tariff, estimate)
                )
                target["is_estimate"] = True
    actual = sum((Decimal(m["amount"]) for m in months if m["amount"]), Decimal("0"))
    estimated = sum((Decimal(m["estimated_amount"]) for m in months if m["estimated_amount"]), Decimal("0"))
    return {
        "available": priced,
        "currency": currency,
        "months": months,
        "actual_total": str(actual.quantize(CENT)),
        "estimated_year_total": str((actual + estimated).quantize(CENT)),
    }


def _band(area: int) -> tuple[int, int]:
    return next(band for band in AREA_BANDS if band[0] <= area < band[1])


def _peer_stats(
    *, service: str, year: int, building_type: str, band: tuple[int, int]
) -> dict[int, tuple[int, float]]:
    """month -> (locations in the group, average consumption per m²), over complete months only."""
    key = f"peers:{connection.schema_name}:{service}:{year}:{building_type}:{band[0]}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT extract(month FROM mc.month)::int, count(DISTINCT l.id), avg(mc.value / l.floor_area_m2)
            FROM consumption_monthlyconsumption mc
            JOIN consumption_meter mt ON mt.id = mc.meter_id
            JOIN consumption_service s ON s.id = mt.service_id
            JOIN contracts_location l ON l.id = mt.location_id
            WHERE s.code = %s AND mc.month >= %s AND mc.month < %s
              AND l.building_type = %s AND l.floor_area_m2 >= %s AND l.floor_area_m2 < %s
              AND mc.value IS NOT NULL AND mc.actual_intervals >= mc.expected_intervals
            GROUP BY 1
            """,
            [service, date(year, 1, 1), date(year + 1, 1, 1), building_type, band[0], band[1]],
        )
        stats = {month: (count, float(per_m2)) for month, count, per_m2 in cursor.fetchall()}
    cache.set(key, stats, PEER_CACHE_SECONDS)
    return stats


def peer_comparison(*, windows: list[MeterWindow], service: str, year: int, points: list[dict]) -> dict:
    """How similar customers (same service, building type and size band) used energy, per month.

    Anonymous averages only, and only for groups of at least ``MIN_PEER_GROUP`` locations.
    """
    locations = list(Location.objects.filter(pk__in={w.location_id for w in windows}))
    areas = [location.floor_area_m2 for location in locations if location.floor_area_m2]
    if not locations or len(areas) != len(locations):
        return {"available": False, "reason": "no_floor_area", "months": []}
    building_type = max(
        {loc.building_type for loc in locations},
        key=lambda t: sum(loc.building_type == t for loc in locations),
    )
    area = sum(areas)
    band = _band(area // len(areas))
    stats = _peer_stats(service=service, year=year, building_type=building_type, band=band)
    months = []
    for index, point in enumerate(points, start=1):
        count, per_m2 = stats.get(index, (0, 0.0))
        enough = count >= MIN_PEER_GROUP
        months.append(
            {
                "period": point["period"],
                "group_size": count if enough else None,
                "similar_value": str(Decimal(str(per_m2 * area)).quantize(Decimal("0.001")))
                if enough
                else None,
                "reason": None if enough else "group_too_small",
            }
        )
    return {
        "available": any(month["similar_value"] for month in months),
        "reason": None if any(month["similar_value"] for month in months) else "group_too_small",
        "building_type": building_type,
        "floor_area_band": {"from": band[0], "to": band[1]},
        "minimum_group_size": MIN_PEER_GROUP,
        "months": months,
    }
