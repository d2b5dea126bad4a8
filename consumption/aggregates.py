"""The daily and monthly aggregates, rebuilt from the stored readings in set-based SQL.

Day boundaries are computed in PostgreSQL in the organisation's time zone, so daylight-saving days
count 92 or 100 quarter hours; the expected intervals of a day or month follow its real length.
Only actual readings are aggregated.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction

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
SELECT b.meter_id, b.day, agg.value, agg.intervals,
       (extract(epoch FROM b.day_end - b.day_start) / (b.interval_minutes * 60))::int,
       reg.value, reg.taken_at
FROM bounds b
CROSS JOIN LATERAL (
    SELECT sum(r.value) AS value, count(*) AS intervals FROM consumption_intervalreading r
    WHERE r.meter_id = b.meter_id AND r.start >= b.day_start AND r.start < b.day_end AND r.source = 'a'
) agg
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
SELECT mo.meter_id, mo.month, agg.value, agg.intervals,
       (extract(epoch FROM ((mo.month + interval '1 month')::timestamp AT TIME ZONE %(tz)s)
                        - (mo.month::timestamp AT TIME ZONE %(tz)s)) / (mo.interval_minutes * 60))::int,
       agg.days_with_data
FROM months mo
CROSS JOIN LATERAL (
    SELECT sum(d.value) AS value, coalesce(sum(d.actual_intervals), 0) AS intervals,
           count(*) FILTER (WHERE d.actual_intervals > 0) AS days_with_data
    FROM consumption_dailyconsumption d
    WHERE d.meter_id = mo.meter_id AND d.day >= mo.month AND d.day < (mo.month + interval '1 month')::date
) agg
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
def recompute(*, meter_ids: list[int], first_day: date, last_day: date, organisation) -> tuple[int, int]:
    """Rebuild the aggregates of some meters over local days (after a repair or a time-zone change).

    The days are a series of the organisation's calendar dates: stepping a timestamp by 24 hours
    would skip a day after a daylight-saving change.
    """
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS recompute_moments")
        cursor.execute(
            "CREATE TEMP TABLE recompute_moments (meter_id int, moment timestamptz) ON COMMIT DROP"
        )
        cursor.execute(
            "INSERT INTO recompute_moments SELECT m, (g::date)::timestamp AT TIME ZONE %s "
            "FROM unnest(%s::int[]) m, generate_series(%s::date, %s::date, interval '1 day') g",
            [organisation.time_zone, meter_ids, first_day, last_day],
        )
        return refresh_aggregates(cursor, incoming="recompute_moments", time_zone=organisation.time_zone)
