"""Meter readings a resident submits outside a move (issue 19): options, checks at entry, decisions.

Only meters that are not read remotely can be read by the resident: a meter counts as read
remotely when actual interval data of the last ``REMOTE_DAYS`` days is stored for it. The meter must
be at one of the resident's locations, for a service their contract delivers there, on the day
read. The value goes through the same checks as a move's readings (``entered_readings``): below the
last known reading or above a later one is an error; above the plausible maximum is a warning the
resident may confirm (the reading is then kept with the warning, for staff to look at).

Staff accept (stored as an actual register reading through the ingestion, so the aggregates
follow) or reject with a reason the resident is emailed. The billing system hears of each step
through the changes feed (``self_service.meter_readings``, which integration sits below).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communications.services import queue_email
from core.errors import FieldErrors, RuleViolation

from .entered_readings import check_entered_readings, register_bounds
from .ingestion import ingest
from .models import IntervalReading, Meter, Source, SubmittedReading
from .photos import checked_photo
from .selectors import FAR_FUTURE, FAR_PAST, occupancy

REMOTE_DAYS = 7
MAX_DAYS_BACK = 60


def read_remotely(meter_ids: list[int]) -> set[int]:
    """The meters among these with actual interval data in the last ``REMOTE_DAYS`` days (one query)."""
    since = timezone.now() - timedelta(days=REMOTE_DAYS)
    return set(
        IntervalReading.objects.filter(meter_id__in=meter_ids, start__gte=since, source=Source.ACTUAL)
        .values_list("meter_id", flat=True)
        .distinct()
    )


def readable_meters(*, customer, day: date) -> list[Meter]:
    """The resident's meters they may read on ``day``: at a location they occupy then, of a service
    their contract delivers there, in place that day and not read remotely."""
    services_at: dict[int, set[str]] = {}
    for row in occupancy(customer=customer):
        first = max(filter(None, (row.contract.start_date, row.move_in_date)), default=FAR_PAST)
        last = min(filter(None, (row.contract.end_date, row.move_out_date)), default=FAR_FUTURE)
        if first <= day <= last:
            services_at.setdefault(row.location_id, set()).update(row.services)
    meters = [
        meter
        for meter in Meter.objects.filter(location_id__in=list(services_at), active=True).select_related(
            "service", "location"
        )
        if meter.service.code in services_at[meter.location_id]
        and (meter.installed_on is None or meter.installed_on <= day)
        and (meter.removed_on is None or day <= meter.removed_on)
    ]
    remote = read_remotely([meter.pk for meter in meters])
    return [meter for meter in meters if meter.pk not in remote]


def reading_options(*, customer, organisation) -> list[dict]:
    """What the resident can read today: per meter its number, service, unit, address and last
    actual reading (or None)."""
    meters = readable_meters(customer=customer, day=timezone.localdate(timezone=organisation.zone))
    bounds = register_bounds([meter.pk for meter in meters], timezone.now())
    return [
        {
            "meter_id": meter.pk,
            "meter_number": meter.number,
            "service": meter.service.code,
            "unit": meter.service.unit,
            "address": meter.location.one_line,
            "last_reading": (
                {"value": known.value, "taken_at": known.taken_at}
                if (known := bounds[meter.pk].previous)
                else None
            ),
        }
        for meter in meters
    ]


def moment_of(day: date, organisation) -> datetime:
    """When a reading of ``day`` counts: 23:59 that day, or now for today (never in the future)."""
    return min(timezone.make_aware(datetime.combine(day, time(23, 59)), organisation.zone), timezone.now())


@dataclass(frozen=True)
class Entry:
    meter_id: int
    value: Decimal
    read_on: date
    photo: object = None
    confirmed: bool = False


def _check_day(entry: Entry, organisation, errors: FieldErrors) -> None:
    today = timezone.localdate(timezone=organisation.zone)
    if entry.read_on > today:
        errors.add("read_on", _("The reading day cannot be in the future."), "invalid_date")
    elif entry.read_on < today - timedelta(days=MAX_DAYS_BACK):
        errors.add(
            "read_on",
            _("Enter a reading of the last %(days)s days.") % {"days": MAX_DAYS_BACK},
            "invalid_date",
        )


def _check_value(entry: Entry, moment: datetime, organisation, errors: FieldErrors) -> str:
    """Errors (below the last reading, above a later one) are added; the warning (implausibly
    high) is returned, and is an error too unless the resident confirmed the value."""
    problems = check_entered_readings(
        readings=[{"meter_id": entry.meter_id, "value": entry.value}],
        moment=moment,
        organisation=organisation,
    )
    problem = problems.get(entry.meter_id)
    if problem is None:
        return ""
    bounds = register_bounds([entry.meter_id], moment)[entry.meter_id]
    out_of_bounds = (bounds.previous is not None and entry.value < bounds.previous.value) or (
        bounds.following is not None and entry.value > bounds.following.value
    )
    if out_of_bounds:
        errors.add("value", problem, "reading_refused")
    elif not entry.confirmed:
        errors.add("value", problem, "reading_implausible")
    return problem


@transaction.atomic
def submit(*, customer, user, organisation, entry: Entry) -> SubmittedReading:
    """Check the reading at entry and keep it for staff (errors: ``RuleViolation`` per field)."""
    errors = FieldErrors()
    _check_day(entry, organisation, errors)
    errors.raise_if_any()
    meter = next(
        (
            meter
            for meter in readable_meters(customer=customer, day=entry.read_on)
            if meter.pk == entry.meter_id
        ),
        None,
    )
    if meter is None:
        errors.add("meter_id", _("You cannot submit a reading for this meter."), "unknown_meter")
        errors.raise_if_any()
    if SubmittedReading.objects.filter(meter=meter, status=SubmittedReading.Status.SUBMITTED).exists():
        raise RuleViolation(
            _("A reading of this meter is waiting for our check already."),
            code="already_submitted",
            field="meter_id",
            http_status=409,
        )
    moment = moment_of(entry.read_on, organisation)
    warning = _check_value(entry, moment, organisation, errors)
    photo = checked_photo(entry.photo) if entry.photo else None
    errors.raise_if_any()
    reading = SubmittedReading(
        customer=customer,
        meter=meter,
        value=entry.value,
        read_on=entry.read_on,
        taken_at=moment,
        warning=warning[:500],
        submitted_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if photo is not None:
        reading.photo.save(photo.name, photo, save=False)
    reading.save()
    return reading


def _open(reading: SubmittedReading) -> SubmittedReading:
    reading = (
        SubmittedReading.objects.select_for_update().select_related("meter", "customer").get(pk=reading.pk)
    )
    if reading.status != SubmittedReading.Status.SUBMITTED:
        raise RuleViolation(_("This reading is already decided."), code="not_submitted", http_status=409)
    return reading


@transaction.atomic
def accept(*, reading: SubmittedReading, staff_user, organisation) -> SubmittedReading:
    """Store the reading as an actual register reading through the ingestion (aggregates follow);
    a reading the ingestion refuses is a 400 ``reading_refused`` with its reason, nothing changes."""
    reading = _open(reading)
    result = ingest(
        rows=[
            {
                "meter": reading.meter.external_id,
                "timestamp": reading.taken_at.isoformat(),
                "kind": "register",
                "value": format(reading.value.normalize(), "f"),
            }
        ],
        organisation=organisation,
    )
    if result.errors:
        reasons = [message for messages in result.errors[0]["errors"].values() for message in messages]
        raise RuleViolation(
            _("The reading cannot be recorded: %(reason)s") % {"reason": "; ".join(reasons)},
            code="reading_refused",
        )
    reading.status, reading.decided_at, reading.decided_by = (
        SubmittedReading.Status.ACCEPTED,
        timezone.now(),
        staff_user,
    )
    reading.save(update_fields=["status", "decided_at", "decided_by"])
    return reading


@transaction.atomic
def reject(*, reading: SubmittedReading, staff_user, organisation, reason: str) -> SubmittedReading:
    """Refuse the reading; the resident is emailed the reason (outbox)."""
    reading = _open(reading)
    if not (reason or "").strip():
        raise RuleViolation(
            _("Say why the reading is rejected; the resident receives it."), code="required", field="reason"
        )
    reading.status, reading.decided_at, reading.decided_by, reading.reason = (
        SubmittedReading.Status.REJECTED,
        timezone.now(),
        staff_user,
        reason.strip()[:500],
    )
    reading.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    _notify_rejected(reading, organisation)
    return reading


def _notify_rejected(reading: SubmittedReading, organisation) -> None:
    customer = reading.customer
    account = getattr(customer, "portal_account", None)
    email = account.login_email if account else customer.email
    if not email:
        return
    queue_email(
        template="meter_reading_rejected",
        to=email,
        language=account.language if account else customer.language,
        organisation=organisation,
        context={
            "customer_name": customer.display_name,
            "meter_number": reading.meter.number,
            "value": format(reading.value.normalize(), "f"),
            "reading_date": reading.read_on,
            "reason": reading.reason,
            "reference": reading.reference,
        },
    )


def change_data(reading: SubmittedReading) -> dict:
    """What the billing system is told of a reading (changes feed)."""
    return {
        "reading": reading.reference,
        "status": reading.status,
        "meter_external_id": reading.meter.external_id,
        "meter_number": reading.meter.number,
        "value": format(reading.value.normalize(), "f"),
        "read_on": reading.read_on,
        "taken_at": reading.taken_at,
        "warning": reading.warning,
        "reason": reading.reason,
    }
