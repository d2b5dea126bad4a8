"""Meter readings residents submit outside a move, and the billing system told of them.

The rules are consumption.submitted_readings'; this layer adds the changes feed
(integration.changes), which consumption sits below: a change ``meter_reading`` when the reading
is submitted and when staff accept or reject it.
"""

from __future__ import annotations

from django.db import transaction

from consumption import submitted_readings
from consumption.models import SubmittedReading
from integration.changes import record_change
from integration.models import PortalChange


def _record(reading: SubmittedReading) -> None:
    record_change(
        kind=PortalChange.Kind.METER_READING,
        customer=reading.customer,
        data=submitted_readings.change_data(reading),
    )


@transaction.atomic
def submit_reading(*, customer, user, organisation, entry: submitted_readings.Entry) -> SubmittedReading:
    reading = submitted_readings.submit(customer=customer, user=user, organisation=organisation, entry=entry)
    _record(reading)
    return reading


@transaction.atomic
def accept_reading(*, reading: SubmittedReading, staff_user, organisation) -> SubmittedReading:
    reading = submitted_readings.accept(reading=reading, staff_user=staff_user, organisation=organisation)
    _record(reading)
    return reading


@transaction.atomic
def reject_reading(*, reading: SubmittedReading, staff_user, organisation, reason: str) -> SubmittedReading:
    reading = submitted_readings.reject(
        reading=reading, staff_user=staff_user, organisation=organisation, reason=reason
    )
    _record(reading)
    return reading
