"""Bulk ingestion of meter readings: COPY into a temporary table, upsert, refresh the aggregates.

Rows are validated in Python (one pass, no query per row); good rows go to PostgreSQL with COPY and
are merged with ``INSERT … ON CONFLICT`` (idempotent per meter and timestamp). The days and months
the batch touches are then recomputed from the readings (``aggregates``), so late and corrected
readings are reflected.

One batch holds at most one reading per meter, kind and moment (``_deduplicate``): identical copies
are stored once and reported as duplicates, an actual reading replaces an estimate of the same
moment (reported too), and different values for one moment refuse all of them. The answer's counts
add up: received = accepted + error_count + duplicate_count.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.parsers import load_json

from .aggregates import refresh_aggregates
from .models import Meter, Source
from .selectors import exact

FIELDS = ("meter", "timestamp", "kind", "value", "source")
KINDS = ("interval", "register")
SOURCES = {"actual": Source.ACTUAL, "estimated": Source.ESTIMATED, "a": Source.ACTUAL, "e": Source.ESTIMATED}
MAX_ERRORS_REPORTED = 1000
# No meter data before this year: older timestamps are typing errors (and 0001-01-01 with a
# positive offset cannot even be converted to UTC).
MIN_YEAR = 2000
# What one interval may hold: a million kWh (or m³, GJ) in one interval is far beyond any
# building, and keeps a month of 5-minute intervals well inside the aggregates' 14 integer digits.
MAX_INTERVAL_VALUE = Decimal("1000000")
# Register (meter index) values: the column holds 13 integer digits.
MAX_REGISTER_VALUE = Decimal("1e12")
# Decimals stored (every reading and aggregate column): in MWh the seventh decimal is 0.1 Wh, the
# resolution four decimals give in kWh; in GJ it is 0.03 Wh. A value with more is refused, never rounded.
MAX_DECIMALS = 7
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STEP = Decimal(1).scaleb(-MAX_DECIMALS)


@dataclass
class IngestResult:
    received: int = 0
    accepted: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    # Rows not stored because another row of the batch holds the same reading (or replaces it).
    duplicates: list[dict] = field(default_factory=list)
    duplicate_count: int = 0
    days_refreshed: int = 0
    months_refreshed: int = 0

    def refuse(self, index: int, message: str, field_name: str = "non_field_errors") -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_REPORTED:
            self.errors.append({"index": index, "errors": {field_name: [message]}})

    def discard(self, index: int, *, kept: int, reason: str) -> None:
        self.duplicate_count += 1
        if len(self.duplicates) < MAX_ERRORS_REPORTED:
            self.duplicates.append({"index": index, "kept": kept, "reason": reason})

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "accepted": self.accepted,
            "error_count": self.error_count,
            "errors": self.errors,
            "duplicate_count": self.duplicate_count,
            "duplicates": self.duplicates,
            "days_refreshed": self.days_refreshed,
            "months_refreshed": self.months_refreshed,
        }


def rows_from_csv(text: str) -> Iterator[dict]:
    """CSV with a header line: meter,timestamp,kind,value,source (source optional)."""
    yield from csv.DictReader(io.StringIO(text))


def rows_from_json(data) -> Iterable[dict]:
    """The rows of a JSON body: a list, or an object holding only that list under "readings" (any
    other shape is refused, never taken for an empty batch: a misspelt key must not lose readings)."""
    if isinstance(data, dict):
        if set(data) != {"readings"}:
            raise ValueError(_('expected {"readings": [...]} or a list of readings'))
        data = data["readings"]
    if not isinstance(data, list):
        raise ValueError(_("expected a list of readings"))
    return data


class TimestampError(ValueError):
    pass


def _parse_timestamp(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except (TypeError, ValueError) as exc:
        raise TimestampError(_("not an ISO 8601 timestamp")) from exc
    if moment.tzinfo is None:
        raise TimestampError(_("the timestamp needs a UTC offset, e.g. 2026-03-01T00:15:00+01:00"))
    if moment.year < MIN_YEAR:
        raise TimestampError(_("the timestamp is before %(year)s") % {"year": MIN_YEAR})
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:  # e.g. 9999-12-31T23:00:00-05:00
        raise TimestampError(_("not an ISO 8601 timestamp")) from exc


@dataclass(frozen=True)
class MeterBounds:
    """A meter as validation needs it: its id, interval and the moments it was in place."""

    pk: int
    interval_minutes: int
    not_before: datetime | None = None
    not_after: datetime | None = None  # exclusive


def meter_bounds(organisation) -> dict[str, MeterBounds]:
    """External id -> meter, with installation and removal days as moments of the organisation's calendar."""
    zone = organisation.zone

    def midnight(day: date | None) -> datetime | None:
        return datetime.combine(day, time.min, zone).astimezone(UTC) if day else None

    return {
        external_id: MeterBounds(
            pk, minutes, midnight(installed), midnight(removed + timedelta(days=1) if removed else None)
        )
        for external_id, pk, minutes, installed, removed in Meter.objects.values_list(
            "external_id", "pk", "interval_minutes", "installed_on", "removed_on"
        )
    }


@dataclass
class _Parsed:
    intervals: list[tuple[int, datetime, Decimal, str, int]] = field(default_factory=list)
    registers: list[tuple[int, datetime, Decimal, str, int]] = field(default_factory=list)


class _Refused(Exception):
    """Why one row is refused, and the field to blame."""

    def __init__(self, message: str, field_name: str = "non_field_errors"):
        super().__init__(message)
        self.message, self.field_name = message, field_name


def _validate(rows: Iterable[dict], meters: dict[str, MeterBounds], result: IngestResult) -> _Parsed:
    """The rows that pass every check, by kind; each other row is refused with its first problem."""
    parsed = _Parsed()
    now = timezone.now()
    for index, raw in enumerate(rows):
        result.received += 1
        try:
            kind, meter, moment, value, source = _reading(raw, meters, now)
        except _Refused as refusal:
            result.refuse(index, refusal.message, refusal.field_name)
            continue
        rows_of_kind = parsed.intervals if kind == "interval" else parsed.registers
        rows_of_kind.append((meter.pk, moment, value, source, index))
    return parsed


def _reading(raw: object, meters: dict[str, MeterBounds], now: datetime) -> tuple:
    """One row checked in the order its problems are reported: (kind, meter, moment, value, source)."""
    if not isinstance(raw, dict):
        raise _Refused(_("each reading must be an object"))
    meter = meters.get(str(raw.get("meter", "")).strip())
    if meter is None:
        raise _Refused(_("unknown meter"), "meter")
    moment = _moment(raw, meter, now)
    kind = str(raw.get("kind") or "interval").strip()
    if kind not in KINDS:
        raise _Refused(_("kind must be interval or register"), "kind")
    value = _value(str(raw.get("value", "")).strip())
    source = SOURCES.get(str(raw.get("source") or "actual").strip().lower())
    if source is None:
        raise _Refused(_("source must be actual or estimated"), "source")
    if kind == "interval":
        _check_interval(value, moment, meter)
    return kind, meter, moment, value, source


def _moment(raw: dict, meter: MeterBounds, now: datetime) -> datetime:
    """The row's timestamp in UTC: not in the future, and while the meter was in place."""
    try:
        moment = _parse_timestamp(raw.get("timestamp", ""))
    except TimestampError as exc:
        raise _Refused(str(exc), "timestamp") from None
    if moment > now:
        raise _Refused(_("the timestamp is in the future"), "timestamp")
    if (meter.not_before and moment < meter.not_before) or (meter.not_after and moment >= meter.not_after):
        raise _Refused(_("the meter was not in place at this time"), "timestamp")
    return moment


def _value(text: str) -> Decimal:
    """A finite number within range, with no more decimals than are stored."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _Refused(_("not a number"), "value") from None
    if not value.is_finite() or abs(value) >= MAX_REGISTER_VALUE:
        raise _Refused(_("not a usable number"), "value")
    # Nine characters without an exponent hold seven decimals at most ("0.1234567"): only
    # longer texts are compared with their value at seven decimals (below 1e12, so it fits).
    if (len(text) > 9 or "e" in text or "E" in text) and value != value.quantize(_STEP):
        raise _Refused(
            _(
                "more than %(decimals)s decimals: values are stored with at most %(decimals)s; round the value at the source"
            )
            % {"decimals": MAX_DECIMALS},
            "value",
        )
    return value


def _check_interval(value: Decimal, moment: datetime, meter: MeterBounds) -> None:
    """An interval's consumption: not negative, plausible, at the start of one of the meter's intervals."""
    if value < 0:
        raise _Refused(_("interval consumption cannot be negative"), "value")
    if value > MAX_INTERVAL_VALUE:
        raise _Refused(
            _("more than %(maximum)s in one interval is not a plausible reading")
            % {"maximum": f"{MAX_INTERVAL_VALUE:,}"},
            "value",
        )
    if moment.second or moment.microsecond or (moment.minute % meter.interval_minutes):
        raise _Refused(
            _("not the start of one of the meter's %(minutes)s-minute intervals")
            % {"minutes": meter.interval_minutes},
            "timestamp",
        )


def _deduplicate(rows: list[tuple], result: IngestResult) -> list[tuple]:
    """At most one row per meter and moment (rows of one kind). One dictionary pass, no query.

    Identical copies (same value and source): the first is kept, the others are reported as
    duplicates. An actual reading replaces estimates of the same moment (reported as duplicates).
    Different values where one must win: every row of that moment is refused (which one is right
    cannot be told), so nothing is stored for it.
    """
    # Per meter, moment -> the first row's position: no key tuple per row, and the moment as its
    # distance from 1970 (a timedelta hashes at a third of the cost of an aware datetime).
    first: dict[int, dict[timedelta, int]] = {}
    clashes: dict[int, list[int]] = {}
    for position, row in enumerate(rows):
        seen = first.get(row[0])
        if seen is None:
            seen = first[row[0]] = {}
        kept = seen.setdefault(row[1] - EPOCH, position)
        if kept != position:
            clashes.setdefault(kept, []).append(position)
    if not clashes:
        return rows
    dropped: set[int] = set()
    for kept, others in clashes.items():
        group = [rows[kept]] + [rows[position] for position in others]
        dropped.update(others)
        actual = [row for row in group if row[3] == Source.ACTUAL]
        contenders = actual or group
        if len({row[2] for row in contenders}) > 1:
            dropped.add(kept)
            for row in group:
                result.refuse(
                    row[4],
                    _(
                        "another row of this batch has a different value for this meter and time; none is stored"
                    ),
                    "value",
                )
            continue
        winner = contenders[0]
        if winner is not group[0]:  # an actual reading after an estimate of the same moment
            dropped.add(kept)
            dropped.discard(others[group.index(winner) - 1])
        for row in group:
            if row is winner:
                continue
            reason = (
                _("an actual reading for this time in this batch replaces this estimate")
                if row[3] != winner[3]
                else _("the same reading as another row of this batch; stored once")
            )
            result.discard(row[4], kept=winner[4], reason=reason)
    return [row for position, row in enumerate(rows) if position not in dropped]


def _check_registers(parsed: _Parsed, result: IngestResult) -> list[tuple]:
    """Registers only go up: check each meter's batch against itself and its stored neighbours."""
    by_meter: dict[int, list] = defaultdict(list)
    for row in parsed.registers:
        by_meter[row[0]].append(row)
    accepted = []
    with connection.cursor() as cursor:
        for meter_id, rows in by_meter.items():
            rows.sort(key=lambda row: row[1])  # one row per moment (``_deduplicate``)
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
            for row in rows:
                timeline[row[1]] = ("batch", row)
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
                            _("the register goes backwards (below %(value)s)") % {"value": exact(previous)},
                            "value",
                        )
                        continue
                    if ceiling[moment] is not None and row[2] > ceiling[moment]:
                        result.refuse(
                            row[4],
                            _("the register would go backwards after it (above %(value)s)")
                            % {"value": exact(ceiling[moment])},
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


INGEST_WORK_MEM = "64MB"

KEEP_ACTUALS = """
DELETE FROM {incoming} i USING {table} r
WHERE i.source = 'e' AND r.meter_id = i.meter_id AND r.{moment} = i.moment AND r.source = 'a'
RETURNING i.n
"""

# The batch holds one row per meter and moment (``_deduplicate``), so no DISTINCT ON (and its sort).
UPSERT = """
INSERT INTO {table} (meter_id, {moment}, value, source)
SELECT meter_id, moment, value, source FROM {incoming}
ON CONFLICT (meter_id, {moment}) DO UPDATE SET value = EXCLUDED.value, source = EXCLUDED.source
WHERE ({table}.value, {table}.source) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.source)
  AND NOT ({table}.source = 'a' AND EXCLUDED.source = 'e')
"""


def _store(cursor, *, rows: list[tuple], incoming: str, table: str, moment: str, result: IngestResult) -> int:
    """COPY, upsert and stage one kind of reading; returns how many rows were accepted.

    An actual reading replaces an estimate or corrects an actual one; an estimate never replaces
    a stored actual reading (the row is refused). The rows are unique per meter and moment.
    """
    cursor.execute(f"CREATE TEMP TABLE {incoming} (LIKE incoming_readings) ON COMMIT DROP")
    _copy(cursor, incoming, rows)
    refused = 0
    if any(row[3] == Source.ESTIMATED for row in rows):
        cursor.execute(KEEP_ACTUALS.format(incoming=incoming, table=table, moment=moment))
        for (index,) in cursor.fetchall():
            refused += 1
            result.refuse(
                index,
                _("an actual reading is stored for this time; an estimate does not replace it"),
                "source",
            )
    cursor.execute(UPSERT.format(incoming=incoming, table=table, moment=moment))
    cursor.execute(f"INSERT INTO incoming_readings SELECT * FROM {incoming}")  # noqa: S608 - a constant name
    return len(rows) - refused


@transaction.atomic
def ingest(*, rows: Iterable[dict], organisation) -> IngestResult:
    """Validate, store and aggregate a batch of readings for this organisation's meters."""
    result = IngestResult()
    parsed = _validate(rows, meter_bounds(organisation), result)
    parsed.intervals = _deduplicate(parsed.intervals, result)
    parsed.registers = _deduplicate(parsed.registers, result)
    registers = _check_registers(parsed, result) if parsed.registers else []
    with connection.cursor() as cursor:
        # A batch of a few hundred thousand rows is sorted (duplicates) and grouped (aggregates):
        # with the server's default 4 MB those spill to disk. Only for this transaction.
        cursor.execute(f"SET LOCAL work_mem = '{INGEST_WORK_MEM}'")
        # ON COMMIT DROP only drops at the outermost commit; a caller's transaction may hold older ones.
        cursor.execute("DROP TABLE IF EXISTS incoming_readings, incoming_intervals, incoming_registers")
        cursor.execute(
            "CREATE TEMP TABLE incoming_readings (meter_id int, moment timestamptz, value numeric, source char(1), n int) "
            "ON COMMIT DROP"
        )
        if parsed.intervals:
            result.accepted += _store(
                cursor,
                rows=parsed.intervals,
                incoming="incoming_intervals",
                table="consumption_intervalreading",
                moment="start",
                result=result,
            )
        if registers:
            result.accepted += _store(
                cursor,
                rows=registers,
                incoming="incoming_registers",
                table="consumption_registerreading",
                moment="taken_at",
                result=result,
            )
        if result.accepted:
            # The staged readings' local days, read from the temporary table on this connection.
            cursor.execute(
                "SELECT DISTINCT meter_id, (moment AT TIME ZONE %s)::date FROM incoming_readings",
                [organisation.time_zone],
            )
            result.days_refreshed, result.months_refreshed = refresh_aggregates(
                cursor, meter_days=cursor.fetchall(), time_zone=organisation.time_zone
            )
    return result


def load(text: str, content_type: str) -> Iterable[dict]:
    if content_type.startswith("text/csv"):
        return rows_from_csv(text)
    return rows_from_json(load_json(text))  # core.parsers: not too deep, no refused characters
