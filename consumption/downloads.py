"""A resident's consumption as a file (CSV or XLSX): one row per meter and day, for a chosen period
and services, limited to the days the customer occupied the location (``meter_windows``), exactly as
stored (no rounding), dates in ISO form. A fixed number of queries whatever the period: the
occupancy and meters per requested service, then one query for every row, read in chunks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook

from contracts.energy_services import ENERGY_SERVICES

from .models import DailyConsumption, Service
from .selectors import MeterWindow, meter_windows

MAX_DAYS = 3 * 366  # three years, leap days included


@dataclass(frozen=True)
class Selection:
    first: date
    last: date
    services: tuple[str, ...]
    meter_ids: frozenset[int] | None = None  # None: every meter of the services


def columns() -> list[str]:
    """The header row, in the request's language."""
    return [_("Date"), _("Service"), _("Unit"), _("Meter"), _("Address"), _("Consumption")]


def _windows(customer, selection: Selection) -> list[tuple[MeterWindow, str]]:
    found = []
    for service in selection.services:
        for window in meter_windows(customer=customer, service=service):
            if selection.meter_ids is None or window.meter_id in selection.meter_ids:
                found.append((window, service))
    return found


def service_labels() -> dict[str, str]:
    """The services' names in the request's language, taken before a streamed answer starts (the
    request's language is no longer active while the rows are written)."""
    return {code: str(label) for code, label in ENERGY_SERVICES.items()}


def rows(*, customer, selection: Selection, labels: dict[str, str]) -> Iterator[list]:
    """Data rows (no header): day, service label, unit, meter number, address, exact value."""
    windows = _windows(customer, selection)
    parts = {}
    for window, service in windows:
        first, last = max(window.first_day, selection.first), min(window.last_day, selection.last)
        if first <= last:
            parts[(window.meter_id, first, last)] = (window, service)
    if not parts:
        return
    units = dict(Service.objects.filter(code__in=selection.services).values_list("code", "unit"))
    by_meter: dict[int, list[tuple[date, date, MeterWindow, str]]] = {}
    for (meter_id, first, last), (window, service) in parts.items():
        by_meter.setdefault(meter_id, []).append((first, last, window, service))
    condition = reduce(or_, (Q(meter_id=m, day__range=(f, la)) for (m, f, la) in parts))
    queryset = (
        DailyConsumption.objects.filter(condition, value__isnull=False)
        .order_by("day", "meter_id")
        .values_list("meter_id", "day", "value")
    )
    for meter_id, day, value in queryset.iterator(chunk_size=2000):
        for first, last, window, service in by_meter[meter_id]:
            if first <= day <= last:
                label = str(ENERGY_SERVICES.get(service, service))
                yield [
                    day.isoformat(),
                    label,
                    units.get(service, ""),
                    window.meter_number,
                    window.location,
                    value,
                ]
                break


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(*, customer, selection: Selection) -> Iterator[str]:
    """The CSV text in pieces (a streamed answer); values as stored, with a point as decimal mark.
    The header and labels are translated now; the rows are read while the answer streams."""
    header, labels = columns(), service_labels()
    return _csv_stream(header, rows(customer=customer, selection=selection, labels=labels))


def _csv_stream(header: list[str], data: Iterator[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)  # the BOM lets spreadsheet programs read UTF-8
    for row in data:
        yield writer.writerow([*row[:5], format(row[5], "f")])


def xlsx_bytes(*, customer, selection: Selection) -> bytes:
    """The workbook (write-only: rows go straight to the file). Values are written as the stored
    decimals (the file holds their exact digits), dates as dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Consumption"))
    sheet.append(columns())
    for row in rows(customer=customer, selection=selection, labels=service_labels()):
        sheet.append([date.fromisoformat(row[0]), *row[1:]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def period_problem(first: date, last: date) -> str | None:
    if last < first:
        return _("The end date is before the start date.")
    if last - first > timedelta(days=MAX_DAYS):
        return _("Choose a period of at most three years.")
    return None


def meters_are_the_customers(*, customer, selection: Selection) -> bool:
    """Every meter asked for is one of the customer's, for one of the services asked for."""
    known = {window.meter_id for window, _service in _windows(customer, replace(selection, meter_ids=None))}
    return bool(selection.meter_ids) and selection.meter_ids <= known
