"""Ingestion's two ways of writing: new readings COPYed while the batch is checked, and the merge
taken when a stored reading holds one of the batch's moments (issue 20, target 2). Both must give
the same answer, rows and aggregates."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import schema_context

import consumption.ingestion
from consumption.models import DailyConsumption, IntervalReading, Meter, MonthlyConsumption
from tenants.models import Organisation
from tests.support.billing_data import billing_customer
from tests.support.consumption_data import add_meters, day_rows, ingest_rows

REPLACES = "an actual reading for this time in this batch replaces this estimate"
KEEPS_ACTUAL = "an actual reading is stored for this time; an estimate does not replace it"


@pytest.fixture
def meters(db):
    return add_meters(billing_customer())


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 50 rows, so a batch of a few days spans many COPY writes."""
    monkeypatch.setattr(consumption.ingestion, "CHUNK_ROWS", 50)


def stored(meter: str) -> dict:
    with schema_context("org_noord"):
        return {
            start: (value, source)
            for start, value, source in IntervalReading.objects.filter(meter__external_id=meter).values_list(
                "start", "value", "source"
            )
        }


def aggregates_match_readings(meter: str) -> None:
    """Every daily and monthly aggregate equals the sum of the stored actual readings."""
    zone = Organisation.objects.get(schema_name="org_noord").time_zone
    with schema_context("org_noord"), connection.cursor() as cursor:
        cursor.execute(
            "SELECT (start AT TIME ZONE %s)::date, sum(value), count(*) "
            "FROM consumption_intervalreading r JOIN consumption_meter m ON m.id = r.meter_id "
            "WHERE m.external_id = %s AND source = 'a' GROUP BY 1",
            [zone, meter],
        )
        raw = {day: (total, count) for day, total, count in cursor.fetchall()}
        days = {
            row.day: (row.value, row.actual_intervals)
            for row in DailyConsumption.objects.filter(meter__external_id=meter, actual_intervals__gt=0)
        }
        months: dict[date, Decimal] = {}
        for day, (total, _count) in raw.items():
            months[day.replace(day=1)] = months.get(day.replace(day=1), Decimal(0)) + total
        monthly = {
            row.month: row.value
            for row in MonthlyConsumption.objects.filter(meter__external_id=meter, actual_intervals__gt=0)
        }
    assert days == raw
    assert monthly == months


def test_a_later_actual_reading_replaces_an_estimate_already_sent_to_the_table(meters, small_chunks):
    """New readings are COPYed while the batch is checked: an estimate written in an early chunk
    is replaced by the actual reading of a later chunk, and a moment whose rows disagree is
    withdrawn, as when the whole batch is checked first."""
    heat = meters["heat1"]
    first_day = day_rows(heat, date(2026, 1, 5), value="9", source="estimated")
    second_day = day_rows(heat, date(2026, 1, 6), value="1")
    later = [
        {**first_day[0], "value": "2", "source": "actual"},  # replaces the estimate at index 0
        {**second_day[10], "value": "5"},  # disagrees with index 96 + 10: neither is stored
    ]
    result = ingest_rows(first_day + second_day + later)
    assert (result.received, result.accepted, result.error_count, result.duplicate_count) == (194, 191, 2, 1)
    assert result.duplicates == [{"index": 0, "kept": 192, "reason": REPLACES}]
    assert sorted(error["index"] for error in result.errors) == [106, 193]
    rows = stored(heat)
    assert len(rows) == 191
    assert sorted(rows.items())[0][1] == (Decimal("2"), "a")
    aggregates_match_readings(heat)
    with schema_context("org_noord"):
        assert DailyConsumption.objects.get(meter__external_id=heat, day=date(2026, 1, 5)).value == Decimal(
            "2"
        )
        assert DailyConsumption.objects.get(meter__external_id=heat, day=date(2026, 1, 6)).value == Decimal(
            "95"
        )


def test_a_stored_reading_late_in_the_batch_sends_it_all_through_the_merge(meters, small_chunks):
    """A stored actual reading at the batch's last moment: many chunks are COPYed before the
    primary key refuses, the savepoint is rolled back and the merge stores the rest, refuses the
    estimate over the actual reading, and still reports a bad row that came after it."""
    heat = meters["heat1"]
    days = [date(2026, 2, 1) + timedelta(days=n) for n in range(5)]
    batch = [row for day in days for row in day_rows(heat, day, value="0.5")]
    ingest_rows([batch[-1]])  # the last quarter hour, actual, stored first
    batch[-1] = {**batch[-1], "value": "7", "source": "estimated"}
    result = ingest_rows([*batch, {"meter": heat, "timestamp": "yesterday", "value": "1"}])
    assert (result.received, result.accepted, result.error_count) == (len(batch) + 1, len(batch) - 1, 2)
    assert sorted((e["index"], e["errors"]) for e in result.errors) == [
        (len(batch) - 1, {"source": [KEEPS_ACTUAL]}),
        (len(batch), {"timestamp": ["not an ISO 8601 timestamp"]}),
    ]
    assert set(stored(heat).values()) == {(Decimal("0.5"), "a")}
    assert len(stored(heat)) == len(batch)
    aggregates_match_readings(heat)


def test_days_filled_by_one_batch_and_days_completed_later_aggregate_their_readings(meters, small_chunks):
    """A day the COPY fills entirely is summed as it is checked instead of being read back (daylight
    saving days too, estimates not counted); a day completed by a later batch, or sharing a day with
    an older reading, is read back, so each daily and monthly aggregate stays the sum of its readings."""
    heat = meters["heat1"]
    short, long, plain = date(2026, 3, 29), date(2026, 10, 25), date(2026, 6, 1)
    first = day_rows(heat, short, value="0.25") + day_rows(heat, long, value="0.5")
    first += [
        {**row, "source": "estimated"} if n % 7 == 0 else row for n, row in enumerate(day_rows(heat, plain))
    ]
    later = day_rows(heat, date(2026, 6, 2), value="1")
    result = ingest_rows(first + later[:40])
    assert (result.accepted, result.error_count, result.days_refreshed) == (92 + 100 + 96 + 40, 0, 4)
    assert ingest_rows(later[40:]).accepted == 56
    aggregates_match_readings(heat)
    with schema_context("org_noord"):
        days = {
            row.day: (row.value, row.actual_intervals, row.expected_intervals)
            for row in DailyConsumption.objects.filter(meter__external_id=heat)
        }
    assert days[short] == (Decimal("23"), 92, 92)
    assert days[long] == (Decimal("50"), 100, 100)
    assert days[plain] == (Decimal("0.25") * 82, 82, 96)
    assert days[date(2026, 6, 2)] == (Decimal("96"), 96, 96)


def test_re_ingesting_a_batch_changes_nothing_and_corrections_update_the_aggregates(meters, small_chunks):
    heat = meters["heat1"]
    batch = day_rows(heat, date(2026, 3, 2), value="0.25") + day_rows(heat, date(2026, 3, 3), value="0.25")
    first = ingest_rows(batch)
    again = ingest_rows(batch)
    assert (first.accepted, again.accepted, again.error_count) == (192, 192, 0)
    assert len(stored(heat)) == 192
    aggregates_match_readings(heat)
    corrected = ingest_rows([{**row, "value": "0.5"} for row in batch[96:]])
    assert corrected.accepted == 96
    aggregates_match_readings(heat)
    with schema_context("org_noord"):
        assert DailyConsumption.objects.get(meter__external_id=heat, day=date(2026, 3, 3)).value == Decimal(
            "48"
        )


def test_texts_parsed_once_per_batch_are_still_checked_per_row(meters):
    """A timestamp or value text is parsed once per batch, but what depends on the row (its meter's
    dates and interval, its kind) is checked for every row."""
    heat1, heat2 = meters["heat1"], meters["heat2"]
    with schema_context("org_noord"):
        Meter.objects.filter(external_id=heat2).update(installed_on=date(2026, 1, 6))
    noon = "2026-01-05T12:00:00+01:00"
    rows = [
        {"meter": heat1, "timestamp": noon, "kind": "register", "value": "2000000"},
        {
            "meter": heat1,
            "timestamp": noon,
            "kind": "interval",
            "value": "2000000",
        },  # too much for an interval
        {"meter": heat2, "timestamp": noon, "value": "1"},  # heat2 was not installed yet
        {"meter": heat1, "timestamp": noon, "value": "1"},
        {"meter": heat1, "timestamp": "2026-01-05T12:05:00+01:00", "value": "1"},  # not a quarter hour
        {"meter": heat2, "timestamp": "2026-01-06T12:00:00+01:00", "value": "1"},
    ]
    result = ingest_rows(rows)
    assert (result.received, result.accepted) == (6, 3)
    assert [(e["index"], list(e["errors"])) for e in result.errors] == [
        (1, ["value"]),
        (2, ["timestamp"]),
        (4, ["timestamp"]),
    ]
    assert result.errors[1]["errors"]["timestamp"] == ["the meter was not in place at this time"]
    assert len(stored(heat1)) == 1
    assert len(stored(heat2)) == 1


def test_a_malformed_row_source_after_rows_were_sent_stores_nothing(meters, small_chunks):
    """The rows are read while earlier chunks are already being COPYed: an error of the source
    (a malformed CSV line deep in the file) still reaches the caller as itself, and nothing of
    the batch is stored."""
    heat = meters["heat1"]
    good = day_rows(heat, date(2026, 4, 7), value="1") + day_rows(heat, date(2026, 4, 8), value="1")

    def rows():
        yield from good
        raise csv.Error("line 193: unexpected end of data")

    organisation = Organisation.objects.get(schema_name="org_noord")
    with schema_context("org_noord"), pytest.raises(csv.Error, match="line 193"):
        consumption.ingestion.ingest(rows=rows(), organisation=organisation)
    assert stored(heat) == {}
    with schema_context("org_noord"):
        assert not DailyConsumption.objects.filter(meter__external_id=heat).exists()
