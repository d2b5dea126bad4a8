"""Bulk ingestion of meter readings: check every row, COPY, merge where needed, refresh the aggregates.

Rows are validated in Python (``reading_checks``: one pass, no query per row; each distinct
timestamp and value text is parsed once per batch). Interval readings not stored yet go straight into their table with COPY
while the rest of the batch is still being checked; a batch holding a stored moment is merged
with ``INSERT … ON CONFLICT`` instead (``reading_writes``), so ingestion stays idempotent per meter
and timestamp and an estimate never replaces an actual reading. The days and months the batch
touches are then recomputed from the readings (``aggregates``), so late and corrected readings are
reflected; a day the COPY filled entirely is summed from the rows sent instead of being read back.

One batch holds at most one reading per meter, kind and moment (``batch_duplicates``): identical
copies are stored once and reported as duplicates, an actual reading replaces an estimate of the
same moment (reported too), and different values for one moment refuse all of them. The answer's
counts add up: received = accepted + error_count + duplicate_count.
"""

from __future__ import annotations

import csv
import gc
import io
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.parsers import load_json

from .aggregates import refresh_aggregates, tally_days
from .batch_duplicates import FirstSeen, deduplicate, settle
from .models import Meter, Source
from .reading_checks import MeterBounds, Refused, RowChecker
from .reading_writes import CHUNK_ROWS, amend, copy_new, merge, store
from .selectors import exact

FIELDS = ("meter", "timestamp", "kind", "value", "source")
MAX_ERRORS_REPORTED = 1000


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
    # (meter_id, moment, value, source, index, moment's COPY field, local day, value's COPY field,
    # moment - EPOCH): see ``reading_writes``. The fields are shared by every row of the same
    # timestamp or value.
    intervals: list[tuple] = field(default_factory=list)
    registers: list[tuple] = field(default_factory=list)
    seen: FirstSeen = field(default_factory=FirstSeen)  # the intervals' first row per meter and moment


def _validate(
    rows: Iterable[dict], check: RowChecker, parsed: _Parsed, result: IngestResult
) -> Iterator[list]:
    """Check every row; good ones go to ``parsed`` by kind, each other row is refused with its first
    problem. Yields, chunk by chunk, the interval rows that are the first of their meter and moment
    (``parsed.seen``), for PostgreSQL to store while the next chunk is checked."""
    chunk, intervals, first_seen = [], parsed.intervals, parsed.seen.add
    usual, reading = check.usual, check.reading
    index = -1
    for index, raw in enumerate(rows):
        row = usual(raw, index)
        if row is None:  # not the usual row: checked in full
            try:
                interval, meter, stamp, value, source = reading(raw)
            except Refused as refusal:
                result.refuse(index, refusal.message, refusal.field_name)
                continue
            row = (meter.pk, stamp[0], value[0], source, index, stamp[1], stamp[2], value[1], stamp[4])
            if not interval:
                parsed.registers.append(row)
                continue
        if first_seen(row, len(intervals), row[8]):
            chunk.append(row)
            if len(chunk) == CHUNK_ROWS:
                yield chunk
                chunk = []
        intervals.append(row)
    result.received += index + 1
    if chunk:
        yield chunk


def _check_registers(registers: list[tuple], result: IngestResult) -> list[tuple]:
    """Registers only go up: check each meter's batch against itself and its stored neighbours."""
    by_meter: dict[int, list] = defaultdict(list)
    for row in registers:
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


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while a batch is checked and stored. A batch makes a
    container or two per row and none of them in a cycle, yet the allocations set off full
    collections that walk every object of the process: in a 300,000-row batch about 0.35 s of the
    0.85 s of checking. Reference counting still frees everything; cycles made meanwhile (by any
    thread) wait for the next collection after the batch. Left off when it was off already."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@transaction.atomic
def ingest(*, rows: Iterable[dict], organisation) -> IngestResult:
    """Validate, store and aggregate a batch of readings for this organisation's meters."""
    with _without_cycle_collection():
        return _ingest(rows, organisation)


def _ingest(rows: Iterable[dict], organisation) -> IngestResult:
    result = IngestResult()
    parsed = _Parsed()
    check = RowChecker(meter_bounds(organisation), timezone.now(), organisation.zone)
    interval = ("incoming_intervals", "consumption_intervalreading", "start")
    new_days: dict[tuple, list] = {}  # what the COPY inserts, per meter and day (``tally_days``)
    with connection.cursor() as cursor:
        # New intervals go straight into their table while the batch is being checked.
        copied = copy_new(
            cursor,
            chunks=tally_days(_validate(rows, check, parsed, result), new_days),
            table=interval[1],
            moment=interval[2],
        )
        settled = settle(parsed.intervals, parsed.seen.clashes, result)
        registers = (
            _check_registers(deduplicate(parsed.registers, result), result) if parsed.registers else []
        )
        if copied:
            amend(
                cursor,
                table=interval[1],
                moment=interval[2],
                replaced=settled.replaced,
                withdrawn=settled.withdrawn,
            )
            for row in itertools.chain(settled.withdrawn, (first for first, _row in settled.replaced)):
                new_days.pop((row[0], row[6]), None)  # changed after the COPY: read back
            refused = []
        else:
            new_days.clear()
            refused = merge(
                cursor, rows=settled.rows, incoming=interval[0], table=interval[1], moment=interval[2]
            )
        touched = _stored(settled.rows, refused, result)
        if registers:
            refused = store(
                cursor,
                rows=registers,
                incoming="incoming_registers",
                table="consumption_registerreading",
                moment="taken_at",
            )
            touched |= _stored(registers, refused, result)
        if touched:
            result.days_refreshed, result.months_refreshed = refresh_aggregates(
                cursor, meter_days=touched, time_zone=organisation.time_zone, new_days=new_days
            )
    return result


def _stored(rows: list[tuple], refused: list[int], result: IngestResult) -> set[tuple[int, date]]:
    """Count the rows stored and report those refused; returns the (meter, local day) pairs stored."""
    for index in sorted(refused):
        result.refuse(
            index, _("an actual reading is stored for this time; an estimate does not replace it"), "source"
        )
    result.accepted += len(rows) - len(refused)
    if refused:
        skip = set(refused)
        return {(row[0], row[6]) for row in rows if row[4] not in skip}
    return {(row[0], row[6]) for row in rows}


def load(text: str, content_type: str) -> Iterable[dict]:
    if content_type.startswith("text/csv"):
        return rows_from_csv(text)
    return rows_from_json(load_json(text))  # core.parsers: not too deep, no refused characters
