"""Meters from the billing-system import follow the staff admin's rules: a staff deactivation
survives a re-import, and location, service and interval are fixed once readings are stored."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from consumption.models import Meter
from integration.importing import run_import
from tests.support.billing_data import billing_customer
from tests.support.common import data_queries
from tests.support.consumption_data import add_meters, day_rows, ingest_rows, spread_customer
from tests.support.integration import post
from tests.support.staff import as_staff_client

HAS_READINGS = "cannot change once readings are stored; add a new meter instead"
METERS = "/api/admin/consumption/meters/"


def _row(data: dict, key: str, **changes) -> dict:
    """A meter row as ``add_meters`` sent it, with ``changes``."""
    ext = data["ext"]
    number, location, service = {
        "heat1": ("H1", "L1", "heating"),
        "heat2": ("H2", "L2", "heating"),
        "cool2": ("C2", "L2", "cooling"),
    }[key]
    return {
        "external_id": f"{ext}-M-{service[:4]}-{key[-1]}",
        "number": f"{number}-{ext}",
        "location_external_id": f"{ext}-{location}",
        "service": service,
        **changes,
    }


def _state(external_id: str) -> tuple:
    with schema_context("org_noord"):
        meter = Meter.objects.select_related("location", "service").get(external_id=external_id)
        return (
            meter.number,
            meter.location.external_id,
            meter.service.code,
            meter.interval_minutes,
            meter.active,
            meter.removed_on,
        )


def _counts(body: dict) -> tuple[int, int, int]:
    meters = body["meters"]
    return meters["created"], meters["updated"], meters["unchanged"]


@pytest.fixture
def meters(db):
    data = billing_customer()
    return data, add_meters(data)


def test_a_meter_staff_deactivated_stays_inactive_unless_the_row_says_active(
    meters,
    integration,
    client_for,
):
    data, ids = meters
    ext = data["ext"]
    admin = as_staff_client(client_for("portal.noord.test"))
    removed = date.today() - timedelta(days=10)
    for key in ("heat1", "heat2"):
        with schema_context("org_noord"):
            pk = Meter.objects.get(external_id=ids[key]).pk
        done = admin.post(f"{METERS}{pk}/deactivate/", {"removed_on": removed.isoformat()}, format="json")
        assert done.status_code == 200, done.content

    # The same rows again (no "active"): nothing changes, the deactivations stand.
    again = post(integration, {"meters": [_row(data, key) for key in ("heat1", "heat2", "cool2")]}).json()
    assert (again["error_count"], _counts(again)) == (0, (0, 0, 3))
    assert _state(ids["heat1"]) == (f"H1-{ext}", f"{ext}-L1", "heating", 15, False, removed)

    # Explicitly active re-activates (the removal day goes: readings are expected again); null keeps
    # what is stored; explicitly inactive deactivates; a new meter without "active" is active.
    body = post(
        integration,
        {
            "meters": [
                _row(data, "heat1", active=True),
                _row(data, "heat2", active=None),
                _row(data, "cool2", active=False),
                {**_row(data, "heat1"), "external_id": f"{ext}-M-new", "number": f"N-{ext}"},
            ]
        },
    ).json()
    assert (body["error_count"], _counts(body)) == (0, (1, 2, 1))
    assert _state(ids["heat1"]) == (f"H1-{ext}", f"{ext}-L1", "heating", 15, True, None)
    assert _state(ids["heat2"]) == (f"H2-{ext}", f"{ext}-L2", "heating", 15, False, removed)
    assert _state(ids["cool2"]) == (f"C2-{ext}", f"{ext}-L2", "cooling", 15, False, None)
    assert _state(f"{ext}-M-new") == (f"N-{ext}", f"{ext}-L1", "heating", 15, True, None)
    # The re-activated meter takes readings after the old removal day again; heat2 still refuses them.
    day = date.today() - timedelta(days=2)
    result = ingest_rows(day_rows(ids["heat1"], day, "1"))
    assert (result.error_count, result.accepted) == (0, len(day_rows(ids["heat1"], day)))
    assert ingest_rows(day_rows(ids["heat2"], day, "1")).accepted == 0


def _what_may_change_still_does(integration, data: dict, ids: dict) -> None:
    """The number changes; an interval left out keeps the stored one; the stored values sent
    explicitly are no change either."""
    ext = data["ext"]
    renamed = post(
        integration,
        {
            "meters": [
                _row(data, "heat1", number="H1-renamed"),
                _row(data, "heat2", location_external_id=f"{ext}-L1"),
            ]
        },
    ).json()
    assert (renamed["error_count"], _counts(renamed)) == (0, (0, 1, 1))
    assert _state(ids["heat1"]) == ("H1-renamed", f"{ext}-L1", "heating", 15, True, None)
    assert _state(ids["heat2"])[3] == 60
    # Sending the stored values explicitly is no change either.
    same = post(integration, {"meters": [_row(data, "cool2", interval_minutes=15, service="cooling")]}).json()
    assert (same["error_count"], _counts(same)) == (0, (0, 0, 1))


def test_location_service_and_interval_are_fixed_once_a_meter_has_readings(meters, integration):
    data, ids = meters
    ext = data["ext"]
    register = {"meter": ids["heat1"], "timestamp": "2026-01-05T20:00:00+01:00", "kind": "register"}
    assert ingest_rows([{**register, "value": "100"}]).error_count == 0
    assert ingest_rows(day_rows(ids["cool2"], date(2026, 1, 5))).error_count == 0

    body = post(
        integration,
        {
            "meters": [
                _row(
                    data,
                    "heat1",
                    number="H1-renamed",
                    location_external_id=f"{ext}-L2",
                    service="cooling",
                    interval_minutes=60,
                ),
                _row(data, "cool2", interval_minutes=30),
                _row(data, "heat2", location_external_id=f"{ext}-L1", interval_minutes=60),  # no readings
            ]
        },
    ).json()
    assert body["meters"]["errors"] == [
        {
            "index": 0,
            "external_id": ids["heat1"],
            "errors": {
                "location_external_id": [HAS_READINGS],
                "service": [HAS_READINGS],
                "interval_minutes": [HAS_READINGS],
            },
        },
        {"index": 1, "external_id": ids["cool2"], "errors": {"interval_minutes": [HAS_READINGS]}},
    ]
    assert _counts(body) == (0, 1, 0)
    # A refused row changes nothing of its meter, not even the number; the good row is saved.
    assert _state(ids["heat1"]) == (f"H1-{ext}", f"{ext}-L1", "heating", 15, True, None)
    assert _state(ids["cool2"]) == (f"C2-{ext}", f"{ext}-L2", "cooling", 15, True, None)
    assert _state(ids["heat2"]) == (f"H2-{ext}", f"{ext}-L1", "heating", 60, True, None)

    _what_may_change_still_does(integration, data, ids)


def _refused_import_queries(locations: int) -> tuple[int, int]:
    """Queries of an import moving every meter (each with a reading) of a new customer to 60 minutes."""
    customer = spread_customer(locations=locations)
    ingest_rows(
        [
            {"meter": meter, "timestamp": "2026-01-05T20:00:00+01:00", "kind": "register", "value": "1"}
            for meter in customer["meters"]
        ]
    )
    rows = [{**row, "interval_minutes": 60} for row in customer["payload"]["meters"]]
    with schema_context("org_noord"), CaptureQueriesContext(connection) as queries:
        result = run_import(payload={"meters": rows})
    assert {error["external_id"] for error in result["meters"]["errors"]} == set(customer["meters"])
    assert result["meters"]["errors"][0]["errors"] == {"interval_minutes": [HAS_READINGS]}
    return len(data_queries(queries)), result["error_count"]


def test_the_readings_check_costs_the_same_queries_for_two_or_twenty_meters(db):
    few, few_errors = _refused_import_queries(2)
    many, many_errors = _refused_import_queries(20)
    assert (few_errors, many_errors) == (2, 20)
    assert few == many
