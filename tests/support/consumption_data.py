"""Meters and readings for consumption tests, through the real import and ingestion."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_tenants.utils import schema_context

from consumption.ingestion import ingest
from integration.importing import run_import
from tenants.models import Organisation

BRUSSELS = ZoneInfo("Europe/Brussels")


def organisation_today() -> date:
    """The test organisations' date (Brussels), asked when used: the machine's may differ, and a
    run may cross midnight."""
    return timezone.localdate(timezone=BRUSSELS)


def add_meters(data: dict, schema: str = "org_noord") -> dict[str, str]:
    """Meters for the two locations of a ``billing_customer``: heating at both, cooling at L2."""
    ext = data["ext"]
    meters = {
        "heat1": f"{ext}-M-heat-1",
        "heat2": f"{ext}-M-heat-2",
        "cool2": f"{ext}-M-cool-2",
    }
    payload = {
        "meters": [
            {
                "external_id": meters["heat1"],
                "number": f"H1-{ext}",
                "location_external_id": f"{ext}-L1",
                "service": "heating",
            },
            {
                "external_id": meters["heat2"],
                "number": f"H2-{ext}",
                "location_external_id": f"{ext}-L2",
                "service": "heating",
            },
            {
                "external_id": meters["cool2"],
                "number": f"C2-{ext}",
                "location_external_id": f"{ext}-L2",
                "service": "cooling",
            },
        ]
    }
    with schema_context(schema):
        result = run_import(payload=payload)
    assert result["error_count"] == 0, result
    return meters


def quarter_hours(day: date, tz=BRUSSELS):
    """Every quarter-hour start of a local day (92, 96 or 100 of them)."""
    moment = datetime(day.year, day.month, day.day, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    moment_utc, end_utc = moment.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))
    while moment_utc < end_utc:
        yield moment_utc
        moment_utc += timedelta(minutes=15)


def day_rows(meter: str, day: date, value: str = "0.25", source: str = "actual", skip: int = 0) -> list[dict]:
    rows = [
        {
            "meter": meter,
            "timestamp": moment.isoformat(),
            "kind": "interval",
            "value": value,
            "source": source,
        }
        for moment in quarter_hours(day)
    ]
    return rows[skip:]


def ingest_rows(rows: list[dict], schema: str = "org_noord"):
    organisation = Organisation.objects.get(schema_name=schema)
    with schema_context(schema):
        return ingest(rows=rows, organisation=organisation)


_serial = itertools.count(1)


def spread_customer(
    *,
    locations: int,
    contracts: int = 1,
    schema: str = "org_noord",
    start_date: str = "2024-01-01",
    floor_area: int | None = None,
) -> dict:
    """A customer with ``contracts`` contracts over ``locations`` locations (round robin), heating
    at each, and a heating meter per location; shaped like ``billing_customer``'s answer plus
    ``meters`` (external ids, one per location in order) and ``locations`` (external ids)."""
    n = next(_serial)
    ext = f"sp{n}"
    location_ids = [f"{ext}-L{i}" for i in range(locations)]
    payload = _spread_payload(n, ext, location_ids, contracts, start_date, floor_area)
    with schema_context(schema):
        result = run_import(payload=payload)
    assert result["error_count"] == 0, result
    return {
        "ext": ext,
        "email": f"spread{n}@example.test",
        "number": f"S-{n:05d}",
        "payload": payload,
        "locations": location_ids,
        "meters": [f"{location}-heat" for location in location_ids],
    }


def _spread_payload(
    n: int, ext: str, location_ids: list[str], contracts: int, start_date: str, floor_area: int | None
) -> dict:
    """The import: the customer, its locations, contracts over them (round robin) and a heating
    meter at each location."""
    return {
        "customers": [
            {
                "external_id": ext,
                "customer_number": f"S-{n:05d}",
                "first_name": "Spread",
                "last_name": f"Out {n}",
                "email": f"spread{n}@example.test",
                "language": "en",
            }
        ],
        "locations": [
            {
                "external_id": location,
                "street": f"Spread street {n}",
                "house_number": str(i + 1),
                "postal_code": "9000",
                "city": "Gent",
                "building_type": "apartment",
                **({"floor_area_m2": floor_area} if floor_area else {}),
            }
            for i, location in enumerate(location_ids)
        ],
        "contracts": [
            {
                "external_id": f"{ext}-K{k}",
                "number": f"SK-{n:05d}-{k}",
                "customer_external_id": ext,
                "start_date": start_date,
                "locations": [
                    {"location_external_id": location, "services": ["heating"]}
                    for i, location in enumerate(location_ids)
                    if i % contracts == k
                ],
            }
            for k in range(contracts)
        ],
        "meters": [
            {
                "external_id": f"{location}-heat",
                "number": f"SH-{n}-{i}",
                "location_external_id": location,
                "service": "heating",
            }
            for i, location in enumerate(location_ids)
        ],
    }


def month_rows(meter: str, first: date, days: int, value: str = "0.25", source: str = "actual") -> list[dict]:
    """``day_rows`` for ``days`` consecutive days from ``first``."""
    return [
        row
        for offset in range(days)
        for row in day_rows(meter, first + timedelta(days=offset), value, source)
    ]


def integration_client(client_for, host: str = "portal.noord.test", admin_email: str | None = None):
    """An API client with a fresh integration token of the organisation at ``host``."""
    from tests.support.staff import as_staff_client

    slug = host.split(".")[1]
    admin = as_staff_client(client_for(host), admin_email or f"admin@{slug}.test")
    key = admin.post("/api/admin/integration/tokens/", {"name": "meters"}, format="json").json()["key"]
    client = client_for(host)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def enable_costs(data: dict, *, unit_price: str = "0.10", fixed: str = "10.00") -> None:
    """Cost visualisation on (operator feature and staff switch) and a heating tariff for ``data``."""
    from configuration.models import PortalPreferences
    from tenants.services import update_organisation

    update_organisation(
        organisation=Organisation.objects.get(slug="noord"), features={"cost_visualisation": True}
    )
    with schema_context("org_noord"):
        PortalPreferences.objects.current()
        PortalPreferences.objects.update(cost_visualisation=True)
        result = run_import(
            payload={
                "tariffs": [
                    {
                        "external_id": f"{data['ext']}-t-{unit_price}-{fixed}",
                        "service": "heating",
                        "unit_price": unit_price,
                        "fixed_monthly": fixed,
                        "vat_rate": "6",
                        "valid_from": "2020-01-01",
                    }
                ]
            }
        )
    assert result["error_count"] == 0, result


def apartments(ext: str) -> None:
    """Every location of ``ext`` becomes an 80 m² apartment."""
    from contracts.models import Location

    with schema_context("org_noord"):
        Location.objects.filter(external_id__startswith=ext).update(
            building_type="apartment", floor_area_m2=80
        )
