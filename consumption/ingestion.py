"""Bulk ingestion of meter readings: COPY into a temporary table, upsert, refresh the aggregates.

Rows are validated in Python (one pass, no query per row); good rows go to PostgreSQL with COPY and
are merged with ``INSERT … ON CONFLICT`` (idempotent per meter and timestamp). The days and months
the batch touches are then recomputed from the readings in set-based SQL, in the organisation's
time zone, so late and corrected readings are reflected and daylight-saving days count 92 or 100
quarter hours.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone

from .models import Meter, Source

FIELDS = ("meter", "timestamp", "kind", "value", "source")
KINDS = ("interval", "register")
SOURCES = {"actual": Source.ACTUAL, "estimated": Source.ESTIMATED, "a": Source.ACTUAL, "e": Source.ESTIMATED}
MAX_ERRORS_REPORTED = 1000


@dataclass
class IngestResult:
    received: int = 0
    accepted: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    days_refreshed: int = 0
    months_refreshed: int = 0

    def refuse(self, index: int, message: str, field_name: str = "non_field_errors") -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_REPORTED:
            self.errors.append({"index": index, "errors": {field_name: [message]}})

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "accepted": self.accepted,
            "error_count": self.error_count,
            "errors": self.errors,
            "days_refreshed": self.days_refreshed,
            "months_refreshed": self.months_refreshed,
        }


def rows_from_csv(text: str) -> Iterator[dict]:
    """CSV with a header line: meter,timestamp,kind,value,source (source optional)."""
    yield from csv.DictReader(io.StringIO(text))


def rows_from_json(data) -> Iterable[dict]:
    if isinstance(data, dict):
        data = data.get("readings", [])
    if not isinstance(data, list):
        raise ValueError("expected a list of readings")
    return data


def _parse_timestamp(value: str) -> datetime:
    moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("the timestamp needs a UTC offset, e.g. 2026-03-01T00:15:00+01:00")
    return moment.astimezone(UTC)


@dataclass
class _Parsed:
    intervals: list[tuple[int, datetime, Decimal, str, int]] = field(default_factory=list)
    registers: list[tuple[int, datetime, Decimal, str, int]] = field(default_factory=list)


def _validate(rows: Iterable[dict], meters: dict[str, tuple[int, int]], result: IngestResult) -> _Parsed:
    parsed = _Parsed()
    now = timezone.now()
    for index, raw in enumerate(rows):
        result.received += 1
        if not isinstance(raw, dict):
            result.refuse(index, "each reading must be an object")
            continue
        meter = meters.get(str(raw.get("meter", "")).strip())
        if meter is None:
            result.refuse(index, "unknown meter", "meter")
            continue
        meter_id, interval_minutes = meter
        try:
            moment = _parse_timestamp(raw.get("timestamp", ""))
        except (TypeError, ValueError) as exc:
            result.refuse(
                index, str(exc) if "offset" in str(exc) else "not an ISO 8601 timestamp", "timestamp"
            )
            continue
        if moment > now:
            result.refuse(index, "the timestamp is in the future", "timestamp")
            continue
        kind = str(raw.get("kind") or "interval").strip()
        if kind not in KINDS:
            result.refuse(index, "kind must be interval or register", "kind")
            continue
        try:
            value = Decimal(str(raw.get("value", "")).strip())
        except InvalidOperation:
            result.refuse(index, "not a number", "value")
            continue
        if not value.is_finite() or abs(value) >= Decimal("1e12"):
            result.refuse(index, "not a usable number", "value")
            continue
        source = SOURCES.get(str(raw.get("source") or "actual").strip().lower())
        if source is None:
            result.refuse(index, "source must be actual or estimated", "source")
            continue
        if kind == "interval":
            if value < 0:
                result.refuse(index, "interval consumption cannot be negative", "value")
                continue
            if moment.second or moment.microsecond or (moment.minute % interval_minutes):
                result.refuse(
                    index,
                    f"not the start of one of the meter's {interval_minutes}-minute intervals",
                    "timestamp",
                )
                continue
            parsed.intervals.append((meter_id, moment, value, source, index))
        else:
            parsed.registers.append((meter_id, moment, value, source, index))
    return parsed


def _check_registers(parsed: _Parsed, result: IngestResult) -> list[tuple]:
    """Registers only go up: check each meter's batch against itself and its stored neighbours."""
    by_meter: dict[int, list] = defaultdict(list)
    for row in parsed.registers:
        by_meter[row[0]].append(row)
    accepted = []
    with connection.cursor() as cursor:
        for meter_id, rows in by_meter.items():
            rows.sort(key=lambda row: row[1])
            latest_per_moment = {row[1]: row for row in rows}  # the last row for a timestamp wins
            first, last = rows[0][1], rows[-1][1]
            cursor.execute(
                "(SELECT taken_at, value FROM consumption_registerreading WHERE meter_id = %s AND taken_at < %s "
                " AND source = 'a' ORDER BY taken_at DESC LIMIT 1) UNION ALL "
                "(SELECT taken_at, value FROM consumption_registerreading WHERE meter_id = %s AND taken_at > %s "
                " AND source = 'a' ORDER BY taken_at LIMIT 1) UNION ALL "
                "(SELECT taken_at, value FROM consumption_registerreading WHERE meter_id = %s "
                " AND taken_at BETWEEN %s AND %s AND source = 'a')",
                [meter_id, first, meter_id, last, meter_id, first, last],
            )
            stored = {moment: value for moment, value in cursor.fetchall()}
            timeline = {moment: ("db", value) for moment, value in stored.items()}
            for moment, row in latest_per_moment.items():
                timeline[moment] = ("batch", row)
            ordered = sorted(timeline)
            # The smallest stored value after each moment: a new reading may not exceed it. (Within
            # the batch, rows are checked in time order, so the later of two conflicting rows is refused.)
            ceiling, lowest = {}, None
            for moment in reversed(ordered):
                origin, item = timeline[moment]
                ceiling[moment] = lowest
                if origin == "db":
                    lowest = item if lowest is None else min(lowest, item)
            previous = None
            for moment in ordered:
                origin, item = timeline[moment]
                if origin == "db":
                    previous = item
                    continue
                row = item
                if row[3] == Source.ACTUAL:
                    if previous is not None and row[2] < previous:
                        result.refuse(
                            row[4],
                            f"the register goes backwards (below {previous.quantize(Decimal('0.001'))})",
                            "value",
                        )
                        continue
                    if ceiling[moment] is not None and row[2] > ceiling[moment]:
                        result.refuse(
                            row[4],
                            f"the register would go backwards after it (above {ceiling[moment].quantize(Decimal('0.001'))})",
                            "value",
                        )
                        continue
                    previous = row[2]
                accepted.append(row)
    return accepted


def _copy(cursor, table: str, rows: list[tuple]) -> None:
    with cursor.copy(f"COPY {table} (meter_id, moment, value, source, n) FROM STDIN") as copy:
        for meter_id, moment, value, source, index in rows:
            copy.write_row((meter_id, moment, value, source, index))


REFRESH_DAYS = """
WITH days AS (
    SELECT DISTINCT i.meter_id, (i.moment AT TIME ZONE %(tz)s)::date AS day, m.interval_minutes
    FROM {incoming} i JOIN consumption_meter m ON m.id = i.meter_id
), bounds AS (
    SELECT meter_id, day, interval_minutes,
           (day::timestamp AT TIME ZONE %(tz)s) AS day_start,
           ((day + 1)::timestamp AT TIME ZONE %(tz)s) AS day_end
    FROM days
)
INSERT INTO consumption_dailyconsumption
    (meter_id, day, value, actual_intervals, expected_intervals, register_value, register_at)
SELECT b.meter_id, b.day,
       (SELECT sum(r.value) FROM consumption_intervalreading r
         WHERE r.meter_id = b.meter_id AND r.start >= b.day_start AND r.start < b.day_end AND r.source = 'a'),
       (SELECT count(*) FROM consumption_intervalreading r
         WHERE r.meter_id = b.meter_id AND r.start >= b.day_start AND r.start < b.day_end AND r.source = 'a'),
       (extract(epoch FROM b.day_end - b.day_start) / (b.interval_minutes * 60))::int,
       reg.value, reg.taken_at
FROM bounds b
LEFT JOIN LATERAL (
    SELECT g.value, g.taken_at FROM consumption_registerreading g
    WHERE g.meter_id = b.meter_id AND g.taken_at >= b.day_start AND g.taken_at < b.day_end AND g.source = 'a'
    ORDER BY g.taken_at DESC LIMIT 1
) reg ON true
ON CONFLICT (meter_id, day) DO UPDATE SET
    value = EXCLUDED.value, actual_intervals = EXCLUDED.actual_intervals,
    expected_intervals = EXCLUDED.expected_intervals,
    register_value = EXCLUDED.register_value, register_at = EXCLUDED.register_at
"""

REFRESH_MONTHS = """
WITH months AS (
    SELECT DISTINCT i.meter_id, date_trunc('month', (i.moment AT TIME ZONE %(tz)s))::date AS month, m.interval_minutes
    FROM {incoming} i JOIN consumption_meter m ON m.id = i.meter_id
)
INSERT INTO consumption_monthlyconsumption
    (meter_id, month, value, actual_intervals, expected_intervals, days_with_data)
SELECT mo.meter_id, mo.month,
       (SELECT sum(d.value) FROM consumption_dailyconsumption d
         WHERE d.meter_id = mo.meter_id AND d.day >= mo.month AND d.day < (mo.month + interval '1 month')::date),
       coalesce((SELECT sum(d.actual_intervals) FROM consumption_dailyconsumption d
         WHERE d.meter_id = mo.meter_id AND d.day >= mo.month AND d.day < (mo.month + interval '1 month')::date), 0),
       (extract(epoch FROM ((mo.month + interval '1 month')::timestamp AT TIME ZONE %(tz)s)
                        - (mo.month::timestamp AT TIME ZONE %(tz)s)) / (mo.interval_minutes * 60))::int,
       (SELECT count(*) FROM consumption_dailyconsumption d
         WHERE d.meter_id = mo.meter_id AND d.day >= mo.month AND d.day < (mo.month + interval '1 month')::date
           AND d.actual_intervals > 0)
FROM months mo
ON CONFLICT (meter_id, month) DO UPDATE SET
    value = EXCLUDED.value, actual_intervals = EXCLUDED.actual_intervals,
    expected_intervals = EXCLUDED.expected_intervals, days_with_data = EXCLUDED.days_with_data
"""


def refresh_aggregates(cursor, *, incoming: str, time_zone: str) -> tuple[int, int]:
    cursor.execute(REFRESH_DAYS.format(incoming=incoming), {"tz": time_zone})
    days = cursor.rowcount
    cursor.execute(REFRESH_MONTHS.format(incoming=incoming), {"tz": time_zone})
    return days, cursor.rowcount


@transaction.atomic
def ingest(*, rows: Iterable[dict], organisation) -> IngestResult:
    """Validate, store and aggregate a batch of readings for this organisation's meters."""
    result = IngestResult()
    meters = {
        external_id: (pk, minutes)
        for external_id, pk, minutes in Meter.objects.values_list("external_id", "pk", "interval_minutes")
    }
    parsed = _validate(rows, meters, result)
    registers = _check_registers(parsed, result) if parsed.registers else []
    with connection.cursor() as cursor:
        # ON COMMIT DROP only drops at the outermost commit; a caller's transaction may hold older ones.
        cursor.execute("DROP TABLE IF EXISTS incoming_readings, incoming_intervals, incoming_registers")
        cursor.execute(
            "CREATE TEMP TABLE incoming_readings (meter_id int, moment timestamptz, value numeric, source char(1), n int) "
            "ON COMMIT DROP"
        )
        if parsed.intervals:
            cursor.execute("CREATE TEMP TABLE incoming_intervals (LIKE incoming_readings) ON COMMIT DROP")
            _copy(cursor, "incoming_intervals", parsed.intervals)
            cursor.execute(
                "INSERT INTO consumption_intervalreading (meter_id, start, value, source) "
                "SELECT DISTINCT ON (meter_id, moment) meter_id, moment, value, source FROM incoming_intervals "
                "ORDER BY meter_id, moment, n DESC "
                "ON CONFLICT (meter_id, start) DO UPDATE SET value = EXCLUDED.value, source = EXCLUDED.source "
                "WHERE (consumption_intervalreading.value, consumption_intervalreading.source) "
                "IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.source)"
            )
            cursor.execute("INSERT INTO incoming_readings SELECT * FROM incoming_intervals")
        if registers:
            cursor.execute("CREATE TEMP TABLE incoming_registers (LIKE incoming_readings) ON COMMIT DROP")
            _copy(cursor, "incoming_registers", registers)
            cursor.execute(
                "INSERT INTO consumption_registerreading (meter_id, taken_at, value, source) "
                "SELECT DISTINCT ON (meter_id, moment) meter_id, moment, value, source FROM incoming_registers "
                "ORDER BY meter_id, moment, n DESC "
                "ON CONFLICT (meter_id, taken_at) DO UPDATE SET value = EXCLUDED.value, source = EXCLUDED.source"
            )
            cursor.execute("INSERT INTO incoming_readings SELECT * FROM incoming_registers")
        result.accepted = len(parsed.intervals) + len(registers)
        if result.accepted:
            result.days_refreshed, result.months_refreshed = refresh_aggregates(
                cursor, incoming="incoming_readings", time_zone=organisation.time_zone
            )
    return result


@transaction.atomic
def recompute(*, meter_ids: list[int], start: datetime, end: datetime, organisation) -> tuple[int, int]:
    """Rebuild the aggregates of some meters over a period (after a repair or a time-zone change)."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS recompute_moments")
        cursor.execute(
            "CREATE TEMP TABLE recompute_moments (meter_id int, moment timestamptz) ON COMMIT DROP"
        )
        cursor.execute(
            "INSERT INTO recompute_moments SELECT m, g FROM unnest(%s::int[]) m, "
            "generate_series(%s::timestamptz, %s::timestamptz, interval '1 day') g",
            [meter_ids, start, end],
        )
        return refresh_aggregates(cursor, incoming="recompute_moments", time_zone=organisation.time_zone)


def load(text: str, content_type: str) -> Iterable[dict]:
    if content_type.startswith("text/csv"):
        return rows_from_csv(text)
    return rows_from_json(json.loads(text))
