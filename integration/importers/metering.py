"""Meters and tariffs, the consumption side of the billing system's data."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from consumption.models import IntervalReading, Meter, RegisterReading, Service, Tariff
from contracts.models import Contract, Location

from .. import schemas
from .base import EntityResult, ids_of, upsert, validated

METER_FIELDS = ("number", "location_id", "service_id", "interval_minutes", "active", "removed_on")
# What a meter's stored readings belong to (as the staff admin rules, consumption.services): the
# model field and the row field its error is reported under.
FIXED_WITH_READINGS = {
    "location_id": "location_external_id",
    "service_id": "service",
    "interval_minutes": "interval_minutes",
}
HAS_READINGS = "cannot change once readings are stored; add a new meter instead"


def _meter_values(row: schemas.MeterRow, current, location_id: int, service_id: int) -> dict:
    """The stored fields a row asks for; what it leaves out keeps the stored value.

    A meter staff deactivated stays inactive unless the row says ``active: true``, which also
    clears its removal day (readings are expected again).
    """
    if current is None:
        active = True if row.active is None else row.active
        return {
            "number": row.number,
            "location_id": location_id,
            "service_id": service_id,
            "interval_minutes": row.interval_minutes or 15,
            "active": active,
            "removed_on": None,
        }
    active = current.active if row.active is None else row.active
    return {
        "number": row.number,
        "location_id": location_id,
        "service_id": service_id,
        "interval_minutes": row.interval_minutes or current.interval_minutes,
        "active": active,
        "removed_on": None if active and not current.active else current.removed_on,
    }


def _meters_with_readings(pks: set[int]) -> set[int]:
    """Which of these meters have stored readings; two queries, and none when nothing is asked.

    The meters are locked first (FOR UPDATE waits for an ingestion inserting readings for them),
    so a reading committed meanwhile is seen by the check that follows.
    """

    if not pks:
        return set()
    list(Meter.objects.select_for_update().filter(pk__in=pks).values_list("pk", flat=True))
    return set(
        Meter.objects.filter(pk__in=pks)
        .filter(
            Exists(IntervalReading.objects.filter(meter=OuterRef("pk")))
            | Exists(RegisterReading.objects.filter(meter=OuterRef("pk")))
        )
        .values_list("pk", flat=True)
    )


def import_meters(raw: list) -> EntityResult:

    result = EntityResult(received=len(raw))
    good = validated(raw, schemas.MeterRow, result)
    locations = ids_of(Location, (r.location_external_id for _i, r in good))
    services = dict(Service.objects.values_list("code", "pk"))
    existing = Meter.objects.in_bulk([row.external_id for _i, row in good], field_name="external_id")
    candidates = []
    for index, row in good:
        if row.location_external_id not in locations:
            result.refuse(index, row.external_id, {"location_external_id": ["unknown location"]})
        elif row.service not in services:
            result.refuse(
                index, row.external_id, {"service": ["this organisation does not measure this service"]}
            )
        else:
            current = existing.get(row.external_id)
            values = _meter_values(row, current, locations[row.location_external_id], services[row.service])
            fixed = (
                [name for name in FIXED_WITH_READINGS if values[name] != getattr(current, name)]
                if current is not None
                else []
            )
            candidates.append((index, row, values, current, fixed))
    with_readings = _meters_with_readings({current.pk for _i, _r, _v, current, fixed in candidates if fixed})
    rows = []
    for index, row, values, current, fixed in candidates:
        if fixed and current.pk in with_readings:
            result.refuse(
                index, row.external_id, {FIXED_WITH_READINGS[name]: [HAS_READINGS] for name in fixed}
            )
        else:
            rows.append((index, row, values))
    upsert(Meter, rows, result, METER_FIELDS)
    return result


TARIFF_FIELDS = (
    "contract_id",
    "service",
    "unit_price",
    "fixed_monthly",
    "vat_rate",
    "currency",
    "valid_from",
    "valid_until",
)


def import_tariffs(raw: list) -> EntityResult:

    result = EntityResult(received=len(raw))
    good = validated(raw, schemas.TariffRow, result)
    contracts = ids_of(Contract, (r.contract_external_id for _i, r in good))
    rows = []
    for index, row in good:
        if row.contract_external_id and row.contract_external_id not in contracts:
            result.refuse(index, row.external_id, {"contract_external_id": ["unknown contract"]})
            continue
        values = row.model_dump(exclude={"external_id", "contract_external_id"})
        values["contract_id"] = contracts.get(row.contract_external_id) if row.contract_external_id else None
        rows.append((index, row, values))
    upsert(Tariff, rows, result, TARIFF_FIELDS)
    return result
