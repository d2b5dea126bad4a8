"""One month's consumption, and the same month a year before, of many customers at once.

For the daily usage alert: the same meter windows and cells as the resident's reports
(``selectors``), but read for every customer together, so the number of queries depends on the
number of services, not on the number of customers or their data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from contracts.models import ContractLocation, Location

from .models import Meter
from .selectors import Cell, month_cells, occupied, windows_of


@dataclass
class CustomerMonth:
    """One customer's total of one service in the month and in the same month a year before."""

    customer_id: int
    service: str
    unit: str
    current: Cell = field(default_factory=Cell)
    year_before: Cell = field(default_factory=Cell)
    locations: list[Location] = field(default_factory=list)  # where the service's meters are
    own_locations: set[int] = field(default_factory=set)  # every location of the customer's contracts


def year_before(month: date) -> date:
    return month.replace(year=month.year - 1)


def _sum(cells, contract_ids: Iterable[int], month: date) -> Cell:
    total = Cell()
    for contract_id in contract_ids:
        if (contract_id, month) in cells:
            total.merge(cells[(contract_id, month)])
    return total


def month_totals(
    *, customer_ids: Iterable[int], month: date, today: date, zone: ZoneInfo
) -> list[CustomerMonth]:
    """Every (customer, service) with a meter in ``month`` (its first day): two queries, then two
    per service."""
    rows_by_customer: dict[int, list[ContractLocation]] = defaultdict(list)
    for row in ContractLocation.objects.filter(contract__customer_id__in=set(customer_ids)).select_related(
        "contract", "location"
    ):
        rows_by_customer[row.contract.customer_id].append(row)
    meters_at: dict[int, list[Meter]] = defaultdict(list)
    locations = {row.location_id for rows in rows_by_customer.values() for row in rows}
    for meter in Meter.objects.filter(location_id__in=locations).select_related("location", "service"):
        meters_at[meter.location_id].append(meter)
    found: dict[str, list[tuple[CustomerMonth, set[int]]]] = defaultdict(list)
    windows_by_service = defaultdict(list)
    for customer_id, rows in rows_by_customer.items():
        meters = [meter for location in {row.location_id for row in rows} for meter in meters_at[location]]
        for service in sorted({meter.service.code for meter in meters}):
            mine = [meter for meter in meters if meter.service.code == service]
            windows = windows_of(occupied(rows, service), mine)
            by_pk = {meter.pk: meter for meter in mine}
            if not windows:
                continue
            totals = CustomerMonth(
                customer_id,
                service,
                mine[0].service.unit,
                locations=list({w.location_id: by_pk[w.meter_id].location for w in windows}.values()),
                own_locations={row.location_id for row in rows},
            )
            found[service].append((totals, {window.contract_id for window in windows}))
            windows_by_service[service].extend(windows)
    months = {month, year_before(month)}
    for service, entries in found.items():
        cells = month_cells(
            windows=windows_by_service[service],
            years=sorted({day.year for day in months}),
            today=today,
            zone=zone,
            months=months,
        )
        for totals, contract_ids in entries:
            totals.current = _sum(cells, contract_ids, month)
            totals.year_before = _sum(cells, contract_ids, year_before(month))
    return [totals for entries in found.values() for totals, _ids in entries]
