"""Costs and estimates from the contract's tariffs, per month of a year or per day of a period.

Everything here prices cells the selectors already read (``month_cells``/``day_cells``), split
by contract, so costs add one query (the tariffs) whatever the number of contracts.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from .models import Tariff
from .selectors import Cell, MeterWindow

CENT = Decimal("0.01")


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


def _price(tariff: Tariff, value: Decimal, fixed_share: Decimal = Decimal("1")) -> Decimal:
    """Consumption at the unit price plus ``fixed_share`` of the monthly fee, VAT included."""
    excl = value * tariff.unit_price + tariff.fixed_monthly * fixed_share
    return (excl * (1 + tariff.vat_rate / 100)).quantize(CENT, ROUND_HALF_UP)


def _by_contract(windows: list[MeterWindow]) -> dict[int, list[MeterWindow]]:
    grouped: dict[int, list[MeterWindow]] = defaultdict(list)
    for window in windows:
        grouped[window.contract_id].append(window)
    return grouped


def _occupied(windows: list[MeterWindow], first: date, last: date) -> bool:
    return any(w.first_day <= last and w.last_day >= first for w in windows)


def _add(target: dict, key: str, amount: Decimal) -> None:
    target[key] = str(Decimal(target[key] or 0) + amount)


def year_ago(day: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_costs(
    *, windows: list[MeterWindow], service: str, year: int, cells: dict[tuple[int, date], Cell]
) -> dict:
    """Per month: cost of the actual consumption, or an estimate where data is missing or to come.

    ``cells`` are ``month_cells`` of ``year`` and the year before. An estimate uses the same month
    of the previous year when that month is complete, else the average of this year's complete
    months (per contract).
    """
    by_contract = _by_contract(windows)
    tariffs = _tariffs(service=service, contract_ids=set(by_contract))
    months = [
        {"period": f"{year}-{m:02d}", "amount": None, "estimated_amount": None, "is_estimate": False}
        for m in range(1, 13)
    ]
    currency, priced = "EUR", False
    for contract_id, contract_windows in sorted(by_contract.items()):
        series = [cells.get((contract_id, date(year, m, 1)), Cell()) for m in range(1, 13)]
        complete = [cell.value for cell in series if cell.complete]
        average = sum(complete, Decimal("0")) / len(complete) if complete else None
        for index, cell in enumerate(series):
            first = date(year, index + 1, 1)
            last = first.replace(day=calendar.monthrange(year, index + 1)[1])
            tariff = _tariff_for(tariffs, contract_id, first)
            if tariff is None or not _occupied(contract_windows, first, last):
                continue
            priced, currency = True, tariff.currency
            target = months[index]
            if cell.complete:
                _add(target, "amount", _price(tariff, cell.value))
                continue
            reference = cells.get((contract_id, date(year - 1, index + 1, 1)), Cell())
            estimate = reference.value if reference.complete else average
            if estimate is not None:
                _add(target, "estimated_amount", _price(tariff, estimate))
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


def day_costs(
    *,
    windows: list[MeterWindow],
    service: str,
    first: date,
    last: date,
    cells: dict[tuple[int, date], Cell],
) -> dict:
    """Per day from ``first`` to ``last``: cost of the actual consumption, or an estimate.

    ``cells`` are ``day_cells`` of the period and of the same days a year earlier. Each day
    carries its share of the monthly fixed fee. An estimate uses the same day a year earlier when
    it is complete, else the average of the period's complete days (per contract).
    """
    by_contract = _by_contract(windows)
    tariffs = _tariffs(service=service, contract_ids=set(by_contract))
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    points = [
        {"period": day.isoformat(), "amount": None, "estimated_amount": None, "is_estimate": False}
        for day in days
    ]
    currency, priced = "EUR", False
    for contract_id, contract_windows in sorted(by_contract.items()):
        series = [cells.get((contract_id, day), Cell()) for day in days]
        complete = [cell.value for cell in series if cell.complete]
        average = sum(complete, Decimal("0")) / len(complete) if complete else None
        for day, cell, target in zip(days, series, points, strict=True):
            tariff = _tariff_for(tariffs, contract_id, day)
            if tariff is None or not _occupied(contract_windows, day, day):
                continue
            priced, currency = True, tariff.currency
            share = Decimal(1) / calendar.monthrange(day.year, day.month)[1]
            if cell.complete:
                _add(target, "amount", _price(tariff, cell.value, share))
                continue
            reference = cells.get((contract_id, year_ago(day)), Cell())
            estimate = reference.value if reference.complete else average
            if estimate is not None:
                _add(target, "estimated_amount", _price(tariff, estimate, share))
                target["is_estimate"] = True
    actual = sum((Decimal(p["amount"]) for p in points if p["amount"]), Decimal("0"))
    estimated = sum((Decimal(p["estimated_amount"]) for p in points if p["estimated_amount"]), Decimal("0"))
    return {
        "available": priced,
        "currency": currency,
        "days": points,
        "actual_total": str(actual.quantize(CENT)),
        "estimated_total": str((actual + estimated).quantize(CENT)),
    }
