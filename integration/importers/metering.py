"""Meters and tariffs, the consumption side of the billing system's data."""

from __future__ import annotations

from contracts.models import Contract, Location

from .. import schemas
from .base import EntityResult, ids_of, upsert, validated

METER_FIELDS = ("number", "location_id", "service_id", "interval_minutes", "active")


def import_meters(raw: list) -> EntityResult:
    from consumption.models import Meter, Service

    result = EntityResult(received=len(raw))
    good = validated(raw, schemas.MeterRow, result)
    locations = ids_of(Location, (r.location_external_id for _i, r in good))
    services = dict(Service.objects.values_list("code", "pk"))
    rows = []
    for index, row in good:
        if row.location_external_id not in locations:
            result.refuse(index, row.external_id, {"location_external_id": ["unknown location"]})
        elif row.service not in services:
            result.refuse(
                index, row.external_id, {"service": ["this organisation does not measure this service"]}
            )
        else:
            rows.append(
                (
                    index,
                    row,
                    {
                        "number": row.number,
                        "location_id": locations[row.location_external_id],
                        "service_id": services[row.service],
                        "interval_minutes": row.interval_minutes,
                        "active": row.active,
                    },
                )
            )
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
    from consumption.models import Tariff

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
