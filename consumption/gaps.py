"""Data gaps for staff: per meter, the days without complete actual data, paginated in SQL.

A meter is only expected to report from its installation day; without one, from its first actual
reading; without any reading, from the first day its location was occupied with its service.
Days after the removal day or after yesterday (today is still running) are never gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import F, Q

from contracts.models import Location

from .models import DailyConsumption

_METERS = """
WITH meters AS (
    SELECT mt.id, mt.number, mt.location_id, s.code AS service,
           COALESCE(
               mt.installed_on,
               (SELECT d.day FROM consumption_dailyconsumption d
                 WHERE d.meter_id = mt.id AND d.actual_intervals > 0 ORDER BY d.day LIMIT 1),
               (SELECT min(GREATEST(c.start_date, COALESCE(cl.move_in_date, c.start_date)))
                  FROM contracts_contractlocation cl JOIN contracts_contract c ON c.id = cl.contract_id
                 WHERE cl.location_id = mt.location_id AND s.code = ANY(cl.services))
           ) AS counted_from,
           LEAST(%(end)s::date, %(yesterday)s::date, COALESCE(mt.removed_on, %(end)s::date)) AS last_day
    FROM consumption_meter mt JOIN consumption_service s ON s.id = mt.service_id
    WHERE (%(location)s::bigint IS NULL OR mt.location_id = %(location)s::bigint)
      AND (%(meter)s::bigint IS NULL OR mt.id = %(meter)s::bigint)
), spans AS (
    SELECT meters.*, GREATEST(%(start)s::date, counted_from) AS first_day
    FROM meters WHERE counted_from IS NOT NULL
), counted AS (
    SELECT spans.*, (last_day - first_day + 1) - (
        SELECT count(*) FROM consumption_dailyconsumption d
        WHERE d.meter_id = spans.id AND d.day BETWEEN spans.first_day AND spans.last_day
          AND d.actual_intervals > 0 AND d.actual_intervals >= d.expected_intervals
    ) AS missing
    FROM spans WHERE first_day <= last_day
)
"""

# Constant SQL only: every value is a parameter.
_COUNT = _METERS + "SELECT count(*) FROM counted WHERE missing > 0"  # noqa: S608
_PAGE = (
    _METERS  # noqa: S608
    + "SELECT id, number, location_id, service, first_day, last_day, missing FROM counted "
    "WHERE missing > 0 ORDER BY number, id LIMIT %(limit)s OFFSET %(offset)s"
)


@dataclass(frozen=True)
class MeterGaps:
    meter_id: int
    meter: str
    location_id: int
    service: str
    first_day: date
    last_day: date
    missing: int


class GapList:
    """The meters with gaps as a lazily counted and sliced sequence, for a paginator."""

    def __init__(
        self,
        *,
        start: date,
        end: date,
        today: date,
        location_id: int | None = None,
        meter_id: int | None = None,
    ):
        self.params = {
            "start": start,
            "end": end,
            "yesterday": today - timedelta(days=1),
            "location": location_id,
            "meter": meter_id,
        }

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(_COUNT, self.params)
            return cursor.fetchone()[0]

    def __getitem__(self, page: slice) -> list[MeterGaps]:
        limit = None if page.stop is None else page.stop - (page.start or 0)
        with connection.cursor() as cursor:
            cursor.execute(
                _PAGE,
                {**self.params, "limit": limit, "offset": page.start or 0},
            )
            return [MeterGaps(*row) for row in cursor.fetchall()]


def describe(meters: list[MeterGaps]) -> list[dict]:
    """A page of meters with their addresses and incomplete days (two queries)."""
    if not meters:
        return []
    condition = Q()
    for meter in meters:
        condition |= Q(meter_id=meter.meter_id, day__gte=meter.first_day, day__lte=meter.last_day)
    complete = set(
        DailyConsumption.objects.filter(
            condition, actual_intervals__gt=0, actual_intervals__gte=F("expected_intervals")
        ).values_list("meter_id", "day")
    )
    locations = Location.objects.in_bulk({meter.location_id for meter in meters})
    rows = []
    for meter in meters:
        days = (
            meter.first_day + timedelta(days=offset)
            for offset in range((meter.last_day - meter.first_day).days + 1)
        )
        rows.append(
            {
                "meter": meter.meter,
                "meter_id": meter.meter_id,
                "location_id": meter.location_id,
                "location": locations[meter.location_id].one_line,
                "service": meter.service,
                "counted_from": meter.first_day,
                "counted_to": meter.last_day,
                "incomplete_day_count": meter.missing,
                "incomplete_days": [day for day in days if (meter.meter_id, day) not in complete],
            }
        )
    return rows
