"""Readings staff could not record go back to the resident, who corrects them.

Approving a move-in or processing a move-out fails when the consumption ingestion refuses a reading
(below one stored since, above a later one). When every refusal is about the value, the resident
can fix it: the request gets status ``correction``, ``readings_refused`` holds each reading with
the reason in the resident's language (the entry rule's message, naming the meter's last reading
and its date), and the resident is emailed how to correct it. Corrected readings are checked like
at entry and submit the request again. Other refusals (a meter not in place that day, …) stay with
staff, who may also reject or cancel a request waiting for a correction.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import serializers

from communications.services import queue_email
from consumption.entered_readings import check_entered_readings, reading_errors
from core.errors import RuleViolation
from credentials.models import OneTimeToken
from credentials.services import issue_one_time_token
from memberships.services.common import portal_link

from . import readings as moving_day
from .models import MoveInRequest, MoveOutRequest, RequestStatus
from .steps import ReadingSerializer
from .validation import validated


def resident_can_fix(refused: list[dict]) -> bool:
    return bool(refused) and all(row.get("field") == "value" for row in refused)


def _to_correct(refused: list[dict], *, moment: datetime, organisation, language: str) -> list[dict]:
    """The refused readings, each with why in the resident's language."""
    with translation.override(language):
        problems = check_entered_readings(readings=refused, moment=moment, organisation=organisation)
        fallback = _(
            "This reading does not fit the stored readings of this meter. "
            "Check the meter and enter the reading it shows."
        )
        return [
            {
                "meter_id": row["meter_id"],
                "meter_number": row["meter_number"],
                "value": moving_day.plain(row["value"]),
                "reason": problems.get(row["meter_id"], fallback),
            }
            for row in refused
        ]


def _lines(rows: list[dict], language: str) -> str:
    with translation.override(language):
        return "\n".join(
            _("Meter %(number)s, your reading %(value)s: %(reason)s")
            % {"number": row["meter_number"], "value": row["value"], "reason": row["reason"]}
            for row in rows
        )


@transaction.atomic
def ask_move_in_correction(*, request_id: int, refused: list[dict], organisation) -> bool:
    """Staff could not approve: the applicant is asked (email with a resume link) to correct the
    readings. Returns whether they were asked (only for a submitted request and a value refusal)."""
    request = (
        MoveInRequest.objects.select_for_update(of=("self",))
        .select_related("location")
        .filter(pk=request_id, status=RequestStatus.SUBMITTED)
        .first()
    )
    if request is None or not resident_can_fix(refused) or not request.email:
        return False
    moment = moving_day.move_in_moment(request.move_in_date, organisation)
    request.readings_refused = _to_correct(
        refused, moment=moment, organisation=organisation, language=request.language
    )
    request.status = RequestStatus.CORRECTION
    request.save(update_fields=["readings_refused", "status", "updated_at"])
    issued = issue_one_time_token(
        purpose=OneTimeToken.Purpose.MOVE_IN_RESUME, subject=f"move_in:{request.pk}", email=request.email
    )
    queue_email(
        template="move_in_reading_correction",
        to=request.email,
        language=request.language,
        organisation=organisation,
        context={
            "reference": f"MI-{request.pk:06d}",
            "address": request.location.one_line,
            "readings": _lines(request.readings_refused, request.language),
            "correction_url": portal_link(organisation, f"/move-in/resume/{issued.raw}"),
            "expires_at": issued.token.expires_at,
        },
    )
    return True


@transaction.atomic
def ask_move_out_correction(*, request_id: int, refused: list[dict], organisation) -> bool:
    """Staff could not process: the resident is asked (email, and the move-out page) to correct the
    final readings. Returns whether they were asked."""
    from .move_out import recipient  # move_out asks this module for corrections

    request = (
        MoveOutRequest.objects.select_for_update(of=("self",))
        .select_related("contract_location__location", "customer")
        .filter(pk=request_id, status=RequestStatus.SUBMITTED)
        .first()
    )
    if request is None or not resident_can_fix(refused):
        return False
    email, language = recipient(request.customer)
    moment = moving_day.move_out_moment(request.move_out_date, organisation)
    request.readings_refused = _to_correct(
        refused, moment=moment, organisation=organisation, language=language
    )
    request.status = RequestStatus.CORRECTION
    request.save(update_fields=["readings_refused", "status"])
    if email:
        queue_email(
            template="move_out_reading_correction",
            to=email,
            language=language,
            organisation=organisation,
            context={
                "customer_name": request.customer.display_name,
                "reference": f"MO-{request.pk:06d}",
                "address": request.contract_location.location.one_line,
                "move_out_date": request.move_out_date,
                "readings": _lines(request.readings_refused, language),
                "correction_url": portal_link(organisation, "/move-out/"),
            },
        )
    return True


def check_entered(readings: list[dict], *, moment: datetime, organisation) -> None:
    """Readings a resident enters pass the entry rule, or are refused per reading (400, field
    ``readings``: ``[{}, {"value": [why]}, …]`` in their order)."""
    problems = check_entered_readings(readings=readings, moment=moment, organisation=organisation)
    if problems:
        raise RuleViolation(
            next(iter(problems.values())),
            code="invalid",
            errors={"readings": reading_errors(problems, readings)},
        )


class CorrectedReadings(serializers.Serializer):
    readings = ReadingSerializer(many=True)


def typed_readings(readings: list[dict]) -> list[dict]:
    """Final readings as typed on the page, as numbers the way the API's serializer takes them (one
    error per reading, under ``readings``)."""
    return validated(CorrectedReadings, {"readings": readings}, message=_("Check the final readings."))[
        "readings"
    ]


@transaction.atomic
def correct_move_out(*, request: MoveOutRequest, readings: list[dict], organisation) -> MoveOutRequest:
    """The resident sends the final readings again: same meters, checked like at entry; the
    move-out is submitted anew for staff to process."""
    request = MoveOutRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if request.status != RequestStatus.CORRECTION:
        raise RuleViolation(
            _("This move-out is not waiting for a corrected reading."),
            code="not_awaiting_correction",
            http_status=409,
        )
    numbers = {row["meter_id"]: row["meter_number"] for row in request.readings}
    given = [row["meter_id"] for row in readings]
    if sorted(given) != sorted(numbers):
        raise RuleViolation(
            _("Give one final reading for every meter of this move-out: %(numbers)s.")
            % {"numbers": ", ".join(sorted(numbers.values()))},
            code="invalid",
            field="readings",
        )
    moment = moving_day.move_out_moment(request.move_out_date, organisation)
    check_entered(readings, moment=moment, organisation=organisation)
    request.readings = [
        {"meter_id": row["meter_id"], "meter_number": numbers[row["meter_id"]], "value": str(row["value"])}
        for row in readings
    ]
    request.readings_refused, request.status = [], RequestStatus.SUBMITTED
    request.save(update_fields=["readings", "readings_refused", "status"])
    return request
