"""Meter readings of a moving day: the moment they count, checking them early, recording them.

A move-in reading counts at 00:00 of the move-in day, a final reading at 23:59 of the move-out
day, both in the organisation's time zone. Consumption ingestion refuses moments in the future, so
readings of a day that has not come (or not ended) yet are checked now against what is stored and
recorded by ``moves.tasks.complete_due_moves`` once their moment has passed.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import RuleViolation
from consumption.models import Meter, RegisterReading, Source


def move_in_moment(day: date, organisation) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), organisation.zone)


def move_out_moment(day: date, organisation) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59)), organisation.zone)


def is_due(moment: datetime) -> bool:
    """The moment has passed, so ingestion accepts a reading taken then."""
    return moment <= timezone.now()


def _plain(value) -> str:
    """1234.500 -> 1234.5, 9000.000 -> 9000 (never 9E+3)."""
    return format(Decimal(str(value)).normalize(), "f")


def _numbers(readings: list[dict]) -> dict[int, str]:
    return dict(
        Meter.objects.filter(pk__in=[row["meter_id"] for row in readings]).values_list("pk", "number")
    )


def precheck(readings: list[dict], moment: datetime) -> list[str]:
    """What ingestion would refuse later that is already known now: a register below the last
    actual reading stored before the moment (one query for all meters)."""
    ids = [row["meter_id"] for row in readings]
    latest = dict(
        RegisterReading.objects.filter(meter_id__in=ids, taken_at__lt=moment, source=Source.ACTUAL)
        .order_by("meter_id", "-taken_at")
        .distinct("meter_id")
        .values_list("meter_id", "value")
    )
    numbers = _numbers(readings) if latest else {}
    problems = []
    for row in readings:
        previous = latest.get(row["meter_id"])
        if previous is not None and Decimal(str(row["value"])) < previous:
            problems.append(
                _(
                    "Meter %(number)s: the reading %(value)s is below the last recorded reading (%(previous)s)."
                )
                % {
                    "number": numbers.get(row["meter_id"], row["meter_id"]),
                    "value": _plain(row["value"]),
                    "previous": _plain(previous),
                }
            )
    return problems


def record(readings: list[dict], moment: datetime, organisation) -> list[dict]:
    """Store the readings through the consumption ingestion; returns the ones it refused, with why."""
    from consumption.ingestion import ingest

    meters = {
        pk: (external_id, number)
        for pk, external_id, number in Meter.objects.filter(
            pk__in=[row["meter_id"] for row in readings]
        ).values_list("pk", "external_id", "number")
    }
    rows = [row for row in readings if row["meter_id"] in meters]
    result = ingest(
        rows=[
            {
                "meter": meters[row["meter_id"]][0],
                "timestamp": moment.isoformat(),
                "kind": "register",
                "value": str(row["value"]),
            }
            for row in rows
        ],
        organisation=organisation,
    )
    refused = []
    for error in result.errors:
        row = rows[error["index"]]
        reasons = [message for messages in error["errors"].values() for message in messages]
        refused.append(
            {
                "meter_id": row["meter_id"],
                "meter_number": meters[row["meter_id"]][1],
                "value": str(row["value"]),
                "reason": "; ".join(reasons),
            }
        )
    missing = [row for row in readings if row["meter_id"] not in meters]
    refused += [
        {
            "meter_id": row["meter_id"],
            "meter_number": "",
            "value": str(row["value"]),
            "reason": "unknown meter",
        }
        for row in missing
    ]
    return refused


def refusal_messages(refused: list[dict]) -> list[str]:
    return [
        _("Meter %(number)s: the reading %(value)s was refused (%(reason)s).")
        % {
            "number": row["meter_number"] or row["meter_id"],
            "value": _plain(row["value"]),
            "reason": row["reason"],
        }
        for row in refused
    ]


def raise_if_refused(problems: list[str]) -> None:
    """Staff learn at once why a reading cannot be recorded; nothing of the decision is written."""
    if problems:
        raise RuleViolation(
            problems[0],
            code="reading_refused",
            errors={"readings": problems},
        )
