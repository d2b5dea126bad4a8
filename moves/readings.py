"""Meter readings of a moving day: the moment they count, checking them early, recording them.

A move-in reading counts at 00:00 of the move-in day, a final reading at 23:59 of the move-out
day, both in the organisation's time zone. Consumption ingestion refuses moments in the future, so
readings of a day that has not come (or not ended) yet are checked now against what is stored and
recorded by ``moves.tasks.complete_due_moves`` once their moment has passed.

A refusal is a ``ReadingsRefused`` carrying, per meter, the reading and why (``refused`` rows:
meter_id, meter_number, value, reason, field); one about the value is the resident's to correct
(``moves.corrections``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from consumption.entered_readings import register_bounds
from consumption.ingestion import ingest
from consumption.models import Meter
from core.errors import RuleViolation


def move_in_moment(day: date, organisation) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), organisation.zone)


def move_out_moment(day: date, organisation) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59)), organisation.zone)


def is_due(moment: datetime) -> bool:
    """The moment has passed, so ingestion accepts a reading taken then."""
    return moment <= timezone.now()


def plain(value) -> str:
    """1234.500 -> 1234.5, 9000.000 -> 9000 (never 9E+3)."""
    return format(Decimal(str(value)).normalize(), "f")


def _numbers(readings: list[dict]) -> dict[int, str]:
    return dict(
        Meter.objects.filter(pk__in=[row["meter_id"] for row in readings]).values_list("pk", "number")
    )


def precheck(readings: list[dict], moment: datetime) -> list[dict]:
    """What ingestion would refuse later that is already known now: a register below the last
    actual reading stored before the moment or above the first one after it (two queries)."""
    bounds = register_bounds([row["meter_id"] for row in readings], moment)
    numbers = _numbers(readings)
    refused = []
    for row in readings:
        value, known = Decimal(str(row["value"])), bounds.get(row["meter_id"])
        if known is None:
            continue
        if known.previous is not None and value < known.previous.value:
            reason = _("below the last recorded reading (%(previous)s)") % {
                "previous": plain(known.previous.value)
            }
        elif known.following is not None and value > known.following.value:
            reason = _("above a later recorded reading (%(following)s)") % {
                "following": plain(known.following.value)
            }
        else:
            continue
        refused.append(
            {
                "meter_id": row["meter_id"],
                "meter_number": numbers.get(row["meter_id"], ""),
                "value": str(row["value"]),
                "reason": reason,
                "field": "value",
            }
        )
    return refused


def record(readings: list[dict], moment: datetime, organisation) -> list[dict]:
    """Store the readings through the consumption ingestion; returns the ones it refused, with why."""

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
                "field": next(iter(error["errors"])),
            }
        )
    missing = [row for row in readings if row["meter_id"] not in meters]
    refused += [
        {
            "meter_id": row["meter_id"],
            "meter_number": "",
            "value": str(row["value"]),
            "reason": "unknown meter",
            "field": "meter_id",
        }
        for row in missing
    ]
    return refused


def refusal_messages(refused: list[dict]) -> list[str]:
    return [
        _("Meter %(number)s: the reading %(value)s was refused (%(reason)s).")
        % {
            "number": row["meter_number"] or row["meter_id"],
            "value": plain(row["value"]),
            "reason": row["reason"],
        }
        for row in refused
    ]


class ReadingsRefused(RuleViolation):
    """Readings the consumption ingestion refuses (400 ``reading_refused``); ``refused`` says which."""

    def __init__(self, refused: list[dict], note: str = ""):
        problems = refusal_messages(refused)
        self.refused = refused
        detail = " ".join(filter(None, [problems[0], note]))
        super().__init__(detail, code="reading_refused", errors={"detail": detail, "readings": problems})

    def with_note(self, note: str) -> ReadingsRefused:
        """The same refusal, telling staff what happened next (e.g. the resident was asked)."""
        return ReadingsRefused(self.refused, note)


def raise_if_refused(refused: list[dict]) -> None:
    """Staff learn at once why a reading cannot be recorded; nothing of the decision is written."""
    if refused:
        raise ReadingsRefused(refused)
