"""Staff REST admin for consumption: meters (create, update, deactivate), readings, gaps, roles."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from consumption.models import Meter, Service
from contracts.models import Location
from tenants.models import Organisation
from tests.support.billing_data import billing_customer
from tests.support.common import data_queries
from tests.support.consumption_data import (
    add_meters,
    day_rows,
    ingest_rows,
    integration_client,
    month_rows,
    spread_customer,
)
from tests.support.residents import resident_client
from tests.support.staff import add_staff, as_staff_client

METERS = "/api/admin/consumption/meters/"


@pytest.fixture
def setup(db, client_for):
    data = billing_customer()
    meters = add_meters(data)
    with schema_context("org_noord"):
        location = Location.objects.get(external_id=f"{data['ext']}-L1")
        other_location = Location.objects.get(external_id=f"{data['ext']}-L2")
    admin = as_staff_client(client_for("portal.noord.test"))
    return data, meters, admin, location, other_location


def new_meter(admin, location, **extra):
    body = {
        "external_id": f"new-{location.pk}-{extra.get('number', 'N1')}",
        "number": "N1",
        "location": location.pk,
        "service": "heating",
        **extra,
    }
    return admin.post(METERS, body, format="json")


def _refusals_once_it_has_readings(admin, pk: int, external_id: str, location) -> None:
    """With readings, its place, service and interval are fixed, and its days cannot cut them off."""
    ingest_rows(day_rows(external_id, date(2025, 3, 10)))
    refused = admin.patch(
        f"{METERS}{pk}/",
        {"location": location.pk, "service": "cooling", "interval_minutes": 30},
        format="json",
    )
    assert refused.status_code == 400
    message = ["This cannot change once readings are stored; add a new meter instead."]
    assert refused.json() == {
        "code": "meter_has_readings",
        "location": message,
        "service": message,
        "interval_minutes": message,
    }
    late_install = admin.patch(f"{METERS}{pk}/", {"installed_on": "2025-03-11"}, format="json")
    assert late_install.json() == {
        "code": "readings_outside",
        "installed_on": ["Readings are stored before this day."],
    }
    early_removal = admin.post(f"{METERS}{pk}/deactivate/", {"removed_on": "2025-03-09"}, format="json")
    assert early_removal.status_code == 400
    assert early_removal.json() == {
        "code": "readings_outside",
        "removed_on": ["Readings are stored after this day."],
    }
    before_install = admin.post(f"{METERS}{pk}/deactivate/", {"removed_on": "2024-12-31"}, format="json")
    assert before_install.json() == {
        "code": "invalid_date",
        "removed_on": ["The meter cannot be removed before it was installed."],
    }
    future = admin.post(f"{METERS}{pk}/deactivate/", {"removed_on": "2099-01-01"}, format="json")
    assert future.json() == {
        "code": "invalid_date",
        "removed_on": ["The removal day cannot be in the future."],
    }


def test_staff_create_update_and_deactivate_a_meter(setup):
    _data, _meters, admin, location, other_location = setup
    created = new_meter(admin, location, interval_minutes=60, installed_on="2025-01-01")
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: body[k] for k in ("number", "location", "service", "unit", "interval_minutes", "active")} == {
        "number": "N1",
        "location": location.pk,
        "service": "heating",
        "unit": "kWh",
        "interval_minutes": 60,
        "active": True,
    }
    assert (body["installed_on"], body["removed_on"]) == ("2025-01-01", None)
    pk = body["id"]
    assert admin.get(f"{METERS}{pk}/").json()["external_id"] == body["external_id"]

    # Without readings, anything may change.
    moved = admin.patch(
        f"{METERS}{pk}/",
        {"number": "N2", "location": other_location.pk, "interval_minutes": 15},
        format="json",
    )
    assert moved.status_code == 200, moved.content
    assert (moved.json()["number"], moved.json()["location"], moved.json()["interval_minutes"]) == (
        "N2",
        other_location.pk,
        15,
    )

    _refusals_once_it_has_readings(admin, pk, body["external_id"], location)
    with schema_context("org_noord"):
        assert Meter.objects.get(pk=pk).active is True  # nothing half-written

    done = admin.post(f"{METERS}{pk}/deactivate/", {"removed_on": "2025-03-10"}, format="json")
    assert done.status_code == 200, done.content
    assert (done.json()["active"], done.json()["removed_on"]) == (False, "2025-03-10")
    again = admin.post(f"{METERS}{pk}/deactivate/", {}, format="json")
    assert again.status_code == 400
    assert again.json() == {"code": "meter_inactive", "detail": "This meter is already inactive."}
    after = ingest_rows(day_rows(body["external_id"], date(2025, 3, 11))[:1])
    assert after.errors[0]["errors"] == {"timestamp": ["the meter was not in place at this time"]}
    assert admin.get(f"{METERS}?active=false&search=N2").json()["results"][0]["id"] == pk


def test_deactivation_defaults_to_today(setup):
    _data, _meters, admin, location, _other = setup
    pk = new_meter(admin, location).json()["id"]
    done = admin.post(f"{METERS}{pk}/deactivate/", {}, format="json")
    assert done.status_code == 200, done.content
    today = timezone.localdate(timezone=Organisation.objects.get(slug="noord").zone)
    assert (done.json()["active"], done.json()["removed_on"]) == (False, today.isoformat())


def test_bad_meter_input_gets_field_errors(setup):
    _data, meters, admin, location, _other = setup
    empty = admin.post(METERS, {}, format="json")
    assert empty.status_code == 400
    required = ["This field is required."]
    assert empty.json() == {
        "code": "invalid",
        "external_id": required,
        "number": required,
        "location": required,
        "service": required,
    }
    wrong = admin.post(
        METERS,
        {
            "external_id": "x" * 101,
            "number": "",
            "location": "abc",
            "service": "steam",
            "interval_minutes": 7,
            "installed_on": "yesterday",
        },
        format="json",
    )
    assert wrong.status_code == 400
    errors = wrong.json()
    assert errors["code"] == "invalid"
    assert errors["external_id"] == ["Ensure this field has no more than 100 characters."]
    assert errors["number"] == ["This field may not be blank."]
    assert errors["location"] == ["Incorrect type. Expected pk value, received str."]
    assert errors["service"] == ['"steam" is not a valid choice.']
    assert errors["interval_minutes"] == ['"7" is not a valid choice.']
    assert errors["installed_on"][0].startswith("Date has wrong format.")
    unknown = admin.post(
        METERS,
        {"external_id": "u", "number": "U", "location": 99_999_999, "service": "heating"},
        format="json",
    )
    assert unknown.json()["location"] == ['Invalid pk "99999999" - object does not exist.']
    huge = admin.post(
        METERS, {"external_id": "h", "number": "H", "location": 10**30, "service": "heating"}, format="json"
    )
    assert huge.status_code == 400
    assert "location" in huge.json()
    duplicate = new_meter(admin, location, external_id=meters["heat1"])
    assert duplicate.status_code == 400
    assert duplicate.json() == {"code": "duplicate", "external_id": ["Another meter has this external id."]}
    with schema_context("org_noord"):
        Service.objects.filter(code="water").delete()
    not_measured = new_meter(admin, location, service="water")
    assert not_measured.json() == {
        "code": "unknown_service",
        "service": ["This organisation does not measure this service."],
    }
    with schema_context("org_noord"):
        assert not Meter.objects.filter(number="N1").exists()
    bad_patch = admin.patch(f"{METERS}{_pk(meters['heat1'])}/", {"interval_minutes": "often"}, format="json")
    assert bad_patch.json() == {"code": "invalid", "interval_minutes": ['"often" is not a valid choice.']}
    assert admin.get(f"{METERS}99999999/").status_code == 404
    assert admin.post(f"{METERS}99999999/deactivate/", {}, format="json").json()["code"] == "not_found"


def _pk(external_id: str) -> int:
    with schema_context("org_noord"):
        return Meter.objects.get(external_id=external_id).pk


def test_register_readings_are_listed_per_period(setup):
    _data, meters, admin, _location, _other = setup
    ingest_rows(
        [
            {
                "meter": meters["heat1"],
                "timestamp": f"2026-01-{day:02d}T20:00:00+01:00",
                "kind": "register",
                "value": str(100 + day),
            }
            for day in range(1, 11)
        ]
    )
    pk = _pk(meters["heat1"])
    listed = admin.get(f"{METERS}{pk}/registers/?start=2026-01-03&end=2026-01-04")
    assert listed.status_code == 200, listed.content
    assert listed.json()["count"] == 2
    results = listed.json()["results"]
    assert [(datetime.fromisoformat(r["taken_at"]), r["value"], r["source"]) for r in results] == [
        (datetime(2026, 1, 3, 19, tzinfo=UTC), "103.0000000", "a"),  # the column's seven decimals
        (datetime(2026, 1, 4, 19, tzinfo=UTC), "104.0000000", "a"),
    ]
    missing = admin.get(f"{METERS}{pk}/registers/?start=2026-01-03")
    assert missing.status_code == 400
    assert missing.json() == {"code": "invalid", "end": ["This field is required."]}
    backwards = admin.get(f"{METERS}{pk}/registers/?start=2026-01-03&end=2026-01-01")
    assert backwards.json() == {"code": "invalid", "end": ["The end is before the start."]}
    too_long = admin.get(f"{METERS}{pk}/readings/?start=2010-01-01&end=2026-01-01")
    assert too_long.json() == {"code": "invalid", "end": ["At most ten years at a time."]}


def test_gaps_count_from_the_first_reading_and_are_paginated(setup):
    _data, meters, admin, location, other = setup
    yesterday = timezone.localdate(timezone=Organisation.objects.get(slug="noord").zone) - timedelta(days=1)
    ingest_rows(month_rows(meters["heat1"], date(2026, 1, 10), 2))  # first reading on 10 January
    with schema_context("org_noord"):
        Meter.objects.filter(external_id=meters["heat2"]).update(installed_on=date(2026, 1, 5))
    body = admin.get("/api/admin/consumption/gaps/?start=2026-01-01&end=2026-01-14").json()
    assert (body["start"], body["end"]) == ("2026-01-01", "2026-01-14")  # the period, named as asked
    assert list(body) == ["start", "end", "count", "next", "previous", "results"]
    rows = {row["meter_id"]: row for row in body["results"]}
    heat1 = rows[_pk(meters["heat1"])]
    assert (heat1["counted_from"], heat1["counted_to"]) == ("2026-01-10", "2026-01-14")
    assert heat1["incomplete_days"] == ["2026-01-12", "2026-01-13", "2026-01-14"]
    assert heat1["incomplete_day_count"] == 3
    assert rows[_pk(meters["heat2"])]["counted_from"] == "2026-01-05"  # installed then, never read
    assert len(rows[_pk(meters["heat2"])]["incomplete_days"]) == 10
    # Never read, no installation day (cooling at L2): from the start of the occupancy, 1 January
    # 2024; heating at L2 was only installed in 2026, heating at L1 first read in 2026.
    early = admin.get(
        f"/api/admin/consumption/gaps/?start=2023-12-01&end=2024-01-03&location={other.pk}"
    ).json()
    assert [(r["meter_id"], r["counted_from"], r["incomplete_day_count"]) for r in early["results"]] == [
        (_pk(meters["cool2"]), "2024-01-01", 3)
    ]
    assert (
        admin.get(
            f"/api/admin/consumption/gaps/?start=2023-12-01&end=2024-01-03&location={location.pk}"
        ).json()["count"]
        == 0
    )
    # Never beyond yesterday (today is still running).
    recent = admin.get(
        f"/api/admin/consumption/gaps/?start=2026-01-01&end={yesterday + timedelta(days=30)}&location={location.pk}"
    ).json()
    assert {r["counted_to"] for r in recent["results"]} == {yesterday.isoformat()}

    # Paginated in SQL: 27 more meters with gaps, 25 a page, and the same queries for any page size.
    spread_customer(locations=27)
    first_page = admin.get("/api/admin/consumption/gaps/?start=2026-01-01&end=2026-01-14")
    with CaptureQueriesContext(connection) as few:
        admin.get("/api/admin/consumption/gaps/?start=2026-01-01&end=2026-01-14&page=2")
    with CaptureQueriesContext(connection) as many:
        admin.get("/api/admin/consumption/gaps/?start=2026-01-01&end=2026-01-14")
    page = first_page.json()
    assert page["count"] >= 29
    assert len(page["results"]) == 25
    assert "page=2" in page["next"]
    assert len(data_queries(few)) == len(data_queries(many))


def test_gaps_refuse_bad_input(setup):
    _data, _meters, admin, _location, _other = setup
    url = "/api/admin/consumption/gaps/"
    wrong = admin.get(f"{url}?location=abc&start=2026-01-01&end=2026-01-02")
    assert wrong.status_code == 400
    assert wrong.json() == {
        "code": "invalid",
        "location": ["Incorrect type. Expected pk value, received str."],
    }
    unknown = admin.get(f"{url}?location=99999999&start=2026-01-01&end=2026-01-02")
    assert unknown.json() == {
        "code": "invalid",
        "location": ['Invalid pk "99999999" - object does not exist.'],
    }
    huge = admin.get(f"{url}?location={10**30}&start=2026-01-01&end=2026-01-02")
    assert huge.status_code == 400
    assert list(huge.json()) == ["code", "location"]
    missing = admin.get(url)
    assert missing.json() == {
        "code": "invalid",
        "start": ["This field is required."],
        "end": ["This field is required."],
    }
    bad_date = admin.get(f"{url}?start=2026-02-30&end=2026-03-01")
    assert bad_date.status_code == 400
    assert bad_date.json()["start"][0].startswith("Date has wrong format.")
    bad_page = admin.get(f"{url}?start=2026-01-01&end=2026-01-02&page=999")
    assert bad_page.status_code == 404
    assert bad_page.json()["code"] == "not_found"


ENDPOINTS = [
    ("get", METERS, None),
    ("post", METERS, {"external_id": "role-test", "number": "R", "location": 0, "service": "heating"}),
    ("get", "{meter}", None),
    ("patch", "{meter}", {"number": "R2"}),
    ("post", "{meter}deactivate/", {}),
    ("get", "{meter}readings/?start=2026-01-01&end=2026-01-02", None),
    ("get", "{meter}registers/?start=2026-01-01&end=2026-01-02", None),
    ("post", "{meter}recompute/", {"start": "2026-01-01", "end": "2026-01-02"}),
    ("get", "/api/admin/consumption/gaps/?start=2026-01-01&end=2026-01-02", None),
    ("post", "/api/admin/consumption/readings/", []),
]
WRITES = {
    ("post", METERS),
    ("patch", "{meter}"),
    ("post", "{meter}deactivate/"),
    ("post", "{meter}recompute/"),
}


def call(client, method: str, url: str, body, meter: int, location: int):
    url = url.replace("{meter}", f"{METERS}{meter}/")
    if body is not None and "location" in body:
        body = {**body, "location": location}
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_roles(setup, client_for):
    data, meters, _admin, location, _other = setup
    meter = _pk(meters["heat1"])
    resident = resident_client(client_for, data)
    add_staff("support@noord.test", "support")
    support = as_staff_client(client_for("portal.noord.test"), "support@noord.test")
    add_staff("staff@noord.test", "staff")
    staff = as_staff_client(client_for("portal.noord.test"), "staff@noord.test")
    integration = integration_client(client_for)
    anonymous = client_for("portal.noord.test")
    for method, url, body in ENDPOINTS:
        for who, client in (("resident", resident), ("integration", integration)):
            answer = call(client, method, url, body, meter, location.pk)
            assert answer.status_code == 403, (who, method, url)
            assert answer.json()["code"] == "permission_denied"
        answer = call(anonymous, method, url, body, meter, location.pk)
        assert answer.status_code == 401, (method, url)
        answer = call(support, method, url, body, meter, location.pk)
        if (method, url) in WRITES or url.endswith("/readings/"):
            assert answer.status_code == 403, ("support", method, url)
        else:
            assert answer.status_code == 200, ("support", method, url, answer.content)
    for method, url, body in ENDPOINTS:
        answer = call(staff, method, url, body, meter, location.pk)
        assert answer.status_code in {200, 201}, ("staff", method, url, answer.content)


def test_another_organisation_cannot_reach_the_meters(setup, client_for):
    _data, meters, admin, location, _other = setup
    meter = _pk(meters["heat1"])
    noord_token = admin._credentials["HTTP_AUTHORIZATION"]
    noord_integration = integration_client(client_for)._credentials["HTTP_AUTHORIZATION"]
    for token in (noord_token, noord_integration):
        zuid = client_for("portal.zuid.test")
        zuid.credentials(HTTP_AUTHORIZATION=token)
        for method, url, body in ENDPOINTS:
            answer = call(zuid, method, url, body, meter, location.pk)
            assert answer.status_code == 401, (method, url)
            assert answer.json()["code"] == "token_invalid"
    # Zuid's own staff: Noord's meter and location ids mean nothing there.
    with schema_context("org_zuid"):
        assert not Meter.objects.filter(pk=meter).exists()
        assert not Location.objects.filter(pk=location.pk).exists()
    zuid_admin = as_staff_client(client_for("portal.zuid.test"), "admin@zuid.test")
    assert zuid_admin.get(f"{METERS}{meter}/").status_code == 404
    assert zuid_admin.patch(f"{METERS}{meter}/", {"number": "X"}, format="json").status_code == 404
    assert zuid_admin.post(f"{METERS}{meter}/deactivate/", {}, format="json").status_code == 404
    assert zuid_admin.get(f"{METERS}{meter}/readings/?start=2026-01-01&end=2026-01-02").status_code == 404
    refused = zuid_admin.post(
        METERS,
        {"external_id": "z", "number": "Z", "location": location.pk, "service": "heating"},
        format="json",
    )
    assert refused.json()["location"] == [f'Invalid pk "{location.pk}" - object does not exist.']
    gaps = zuid_admin.get(
        f"/api/admin/consumption/gaps/?start=2026-01-01&end=2026-01-02&location={location.pk}"
    )
    assert gaps.status_code == 400
    listed = zuid_admin.get(METERS).json()
    assert meters["heat1"] not in json.dumps(listed)
    with schema_context("org_noord"):
        assert Meter.objects.get(pk=meter).number.startswith("H1-")
