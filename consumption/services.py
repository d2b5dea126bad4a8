"""Staff changes to meters: create, update, deactivate.

A meter's history belongs to the location and service it measured, so once readings are stored
its location, service and interval are fixed (a replacement is a new meter), and its installation
and removal days may not cut off stored readings.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import FieldErrors, RuleViolation

from .models import IntervalReading, Meter, RegisterReading, Service

FIXED_WITH_READINGS = ("location", "service", "interval_minutes")


def _midnight(day: date, organisation) -> datetime:
    return datetime.combine(day, time.min, organisation.zone).astimezone(UTC)


def _has_readings(meter: Meter, *, before: datetime | None = None, after: datetime | None = None) -> bool:
    """Any stored reading of the meter (strictly before ``before``, at or after ``after``)."""
    intervals = IntervalReading.objects.filter(meter=meter)
    registers = RegisterReading.objects.filter(meter=meter)
    if before is not None:
        intervals, registers = intervals.filter(start__lt=before), registers.filter(taken_at__lt=before)
    if after is not None:
        intervals, registers = intervals.filter(start__gte=after), registers.filter(taken_at__gte=after)
    return intervals.exists() or registers.exists()


def _service(code: str, errors: FieldErrors) -> Service | None:
    service = Service.objects.filter(code=code).first()
    if service is None:
        errors.add("service", _("This organisation does not measure this service."), "unknown_service")
    return service


def _check_external_id(external_id: str, errors: FieldErrors, meter: Meter | None = None) -> None:
    taken = Meter.objects.filter(external_id=external_id)
    if meter is not None:
        taken = taken.exclude(pk=meter.pk)
    if taken.exists():
        errors.add("external_id", _("Another meter has this external id."), "duplicate")


@transaction.atomic
def create_meter(
    *,
    external_id: str,
    number: str,
    location,
    service: str,
    interval_minutes: int = 15,
    installed_on: date | None = None,
) -> Meter:
    errors = FieldErrors()
    _check_external_id(external_id, errors)
    found = _service(service, errors)
    errors.raise_if_any()
    return Meter.objects.create(
        external_id=external_id,
        number=number,
        location=location,
        service=found,
        interval_minutes=interval_minutes,
        installed_on=installed_on,
    )


@transaction.atomic
def update_meter(*, meter: Meter, organisation, **changes) -> Meter:
    """Change any of external_id, number, location, service (code), interval_minutes, installed_on."""
    meter = Meter.objects.select_for_update().get(pk=meter.pk)
    errors = FieldErrors()
    if "external_id" in changes:
        _check_external_id(changes["external_id"], errors, meter)
    if "service" in changes:
        changes["service"] = _service(changes["service"], errors)
    changed = [
        name
        for name in FIXED_WITH_READINGS
        if name in changes and changes[name] is not None and changes[name] != getattr(meter, name)
    ]
    if changed and _has_readings(meter):
        for name in changed:
            errors.add(
                name,
                _("This cannot change once readings are stored; add a new meter instead."),
                "meter_has_readings",
            )
    if "installed_on" in changes and changes["installed_on"] is not None:
        installed_on = changes["installed_on"]
        if meter.removed_on and installed_on > meter.removed_on:
            errors.add("installed_on", _("The meter was removed before this day."), "invalid_date")
        elif _has_readings(meter, before=_midnight(installed_on, organisation)):
            errors.add("installed_on", _("Readings are stored before this day."), "readings_outside")
    errors.raise_if_any()
    if changes:
        for name, value in changes.items():
            setattr(meter, name, value)
        meter.save(update_fields=list(changes))
    return meter


@transaction.atomic
def deactivate_meter(*, meter: Meter, organisation, removed_on: date, today: date) -> Meter:
    """The meter was taken out on ``removed_on``: no readings are expected or accepted after it."""
    meter = Meter.objects.select_for_update().get(pk=meter.pk)
    if not meter.active:
        raise RuleViolation(_("This meter is already inactive."), code="meter_inactive")
    errors = FieldErrors()
    if removed_on > today:
        errors.add("removed_on", _("The removal day cannot be in the future."), "invalid_date")
    elif meter.installed_on and removed_on < meter.installed_on:
        errors.add("removed_on", _("The meter cannot be removed before it was installed."), "invalid_date")
    elif _has_readings(meter, after=_midnight(removed_on + timedelta(days=1), organisation)):
        errors.add("removed_on", _("Readings are stored after this day."), "readings_outside")
    errors.raise_if_any()
    meter.active, meter.removed_on = False, removed_on
    meter.save(update_fields=["active", "removed_on"])
    return meter
