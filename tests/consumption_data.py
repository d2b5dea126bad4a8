"""Meters and readings for consumption tests, through the real import and ingestion."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django_tenants.utils import schema_context

from consumption.ingestion import ingest
from integration.importing import run_import
from tenants.models import Organisation

BRUSSELS = ZoneInfo("Europe/Brussels")


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
