"""Meter data ingestion, aggregation in the organisation's days, and the resident's consumption views."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from consumption.models import DailyConsumption, IntervalReading, Meter, MonthlyConsumption
from tests.support.billing_data import billing_customer
from tests.support.common import data_queries
from tests.support.consumption_data import (
    add_meters,
    apartments,
    day_rows,
    enable_costs,
    ingest_rows,
    month_rows,
)
from tests.support.residents import resident_client
from tests.support.staff import as_staff_client


@pytest.fixture
def home(db, client_for):
    data = billing_customer()
    meters = add_meters(data)
    client = resident_client(client_for, data)
    locations = {
        loc["address"]: loc["id"]
        for s in client.get("/api/portal/consumption/services/").json()
        for loc in s["locations"]
    }
    return data, meters, client, locations


def daily(meter_ext: str, day: date) -> DailyConsumption | None:
    with schema_context("org_noord"):
        return DailyConsumption.objects.filter(meter__external_id=meter_ext, day=day).first()


def _rows_with_one_problem_each(meter: str) -> list[dict]:
    """Two good rows (0 and 9) among rows each refused for one reason, in the order the test reads."""
    tomorrow = date.today() + timedelta(days=2)
    return [
        {
            "meter": meter,
            "timestamp": "2026-01-10T00:00:00+01:00",
            "kind": "interval",
            "value": "0.5",
        },
        {"meter": "nope", "timestamp": "2026-01-10T00:15:00+01:00", "kind": "interval", "value": "0.5"},
        {
            "meter": meter,
            "timestamp": "2026-01-10T00:15:00+01:00",
            "kind": "interval",
            "value": "-1",
        },
        {
            "meter": meter,
            "timestamp": f"{tomorrow}T00:00:00+01:00",
            "kind": "interval",
            "value": "1",
        },
        {
            "meter": meter,
            "timestamp": "2026-01-10T00:07:00+01:00",
            "kind": "interval",
            "value": "1",
        },
        {"meter": meter, "timestamp": "2026-01-10T00:30:00", "kind": "interval", "value": "1"},
        {"meter": meter, "timestamp": "yesterday", "kind": "interval", "value": "1"},
        {
            "meter": meter,
            "timestamp": "2026-01-10T00:45:00+01:00",
            "kind": "interval",
            "value": "lots",
        },
        {"meter": meter, "timestamp": "2026-01-10T00:45:00+01:00", "kind": "gauge", "value": "1"},
        {
            "meter": meter,
            "timestamp": "2026-01-10T01:00:00+01:00",
            "kind": "register",
            "value": "1000",
        },
        {
            "meter": meter,
            "timestamp": "2026-01-11T01:00:00+01:00",
            "kind": "register",
            "value": "999",
        },
        {
            "meter": meter,
            "timestamp": "2026-01-12T01:00:00+01:00",
            "kind": "register",
            "value": "1010",
            "source": "maybe",
        },
    ]


def test_per_row_errors_and_good_rows_stored(home):
    _data, meters, _client, _locations = home
    rows = _rows_with_one_problem_each(meters["heat1"])
    result = ingest_rows(rows)
    assert result.accepted == 2
    refused = {error["index"]: error["errors"] for error in result.errors}
    assert refused[1] == {"meter": ["unknown meter"]}
    assert refused[2] == {"value": ["interval consumption cannot be negative"]}
    assert refused[3] == {"timestamp": ["the timestamp is in the future"]}
    assert refused[4] == {"timestamp": ["not the start of one of the meter's 15-minute intervals"]}
    assert "offset" in refused[5]["timestamp"][0]
    assert refused[6] == {"timestamp": ["not an ISO 8601 timestamp"]}
    assert refused[7] == {"value": ["not a number"]}
    assert refused[8] == {"kind": ["kind must be interval or register"]}
    assert refused[10] == {"value": ["the register goes backwards (below 1000.000)"]}
    assert refused[11] == {"source": ["source must be actual or estimated"]}
    assert result.error_count == 10


def test_register_cannot_go_below_what_is_stored(home):
    _data, meters, _client, _locations = home
    assert (
        ingest_rows(
            [
                {
                    "meter": meters["heat1"],
                    "timestamp": "2026-01-10T01:00:00+01:00",
                    "kind": "register",
                    "value": "500",
                }
            ]
        ).accepted
        == 1
    )
    late = ingest_rows(
        [
            {
                "meter": meters["heat1"],
                "timestamp": "2026-01-11T01:00:00+01:00",
                "kind": "register",
                "value": "400",
            }
        ]
    )
    assert late.errors[0]["errors"] == {"value": ["the register goes backwards (below 500.000)"]}
    earlier = ingest_rows(
        [
            {
                "meter": meters["heat1"],
                "timestamp": "2026-01-09T01:00:00+01:00",
                "kind": "register",
                "value": "600",
            }
        ]
    )
    assert earlier.error_count == 1


def test_ingestion_is_idempotent(home):
    _data, meters, _client, _locations = home
    rows = day_rows(meters["heat1"], date(2026, 1, 5))
    ingest_rows(rows)
    ingest_rows(rows)
    with schema_context("org_noord"):
        assert IntervalReading.objects.filter(meter__external_id=meters["heat1"]).count() == 96
    day = daily(meters["heat1"], date(2026, 1, 5))
    assert (day.value, day.actual_intervals, day.expected_intervals) == (Decimal("24.0000"), 96, 96)


@pytest.mark.parametrize(
    ("day", "quarters"), [(date(2026, 3, 29), 92), (date(2026, 10, 25), 100), (date(2026, 6, 1), 96)]
)
def test_daylight_saving_days_count_their_real_length(home, day, quarters):
    _data, meters, _client, _locations = home
    rows = day_rows(meters["heat1"], day, value="1")
    assert len(rows) == quarters
    ingest_rows(rows)
    stored = daily(meters["heat1"], day)
    assert (stored.actual_intervals, stored.expected_intervals, stored.value) == (
        quarters,
        quarters,
        Decimal(quarters),
    )
    # neighbours untouched: the day boundary follows Brussels, not UTC
    assert daily(meters["heat1"], day - timedelta(days=1)) is None
    assert daily(meters["heat1"], day + timedelta(days=1)) is None


def test_late_corrections_update_day_and_month(home):
    _data, meters, _client, _locations = home
    ingest_rows(day_rows(meters["heat1"], date(2026, 2, 3)))
    with schema_context("org_noord"):
        month = MonthlyConsumption.objects.get(meter__external_id=meters["heat1"], month=date(2026, 2, 1))
    assert month.value == Decimal("24")
    ingest_rows(
        [
            {
                "meter": meters["heat1"],
                "timestamp": "2026-02-03T10:00:00+01:00",
                "kind": "interval",
                "value": "5.25",
            }
        ]
    )
    assert daily(meters["heat1"], date(2026, 2, 3)).value == Decimal("29.0000")
    with schema_context("org_noord"):
        month.refresh_from_db()
    assert month.value == Decimal("29.0000")
    assert month.expected_intervals == 28 * 96


def test_estimated_readings_are_not_shown(home):
    _data, meters, client, _locations = home
    ingest_rows(day_rows(meters["heat1"], date(2026, 1, 5), value="1", source="estimated"))
    day = daily(meters["heat1"], date(2026, 1, 5))
    assert (day.value, day.actual_intervals) == (None, 0)
    body = client.get("/api/portal/consumption/month/?service=heating&year=2026&month=1").json()
    assert body["points"][4] == {
        "period": "2026-01-05",
        "value": None,
        "no_data": True,
        "future": False,
        "completeness": 0.0,
    }
    ingest_rows(day_rows(meters["heat1"], date(2026, 1, 5), value="1"))  # the actual data arrives later
    assert daily(meters["heat1"], date(2026, 1, 5)).value == Decimal("96")


def test_month_view_gaps_are_null_and_partial_days_say_so(home):
    _data, meters, client, locations = home
    l1 = next(pk for address, pk in locations.items() if "Main" in address)
    ingest_rows(day_rows(meters["heat1"], date(2026, 1, 1)))
    ingest_rows(day_rows(meters["heat1"], date(2026, 1, 3), skip=48))  # half a day
    body = client.get(
        f"/api/portal/consumption/month/?service=heating&year=2026&month=1&locations={l1}"
    ).json()
    points = body["points"]
    assert len(points) == 31
    assert body["unit"] == "kWh"
    assert points[0] == {
        "period": "2026-01-01",
        "value": "24.000",
        "no_data": False,
        "future": False,
        "completeness": 1.0,
    }
    assert points[1] == {
        "period": "2026-01-02",
        "value": None,
        "no_data": True,
        "future": False,
        "completeness": 0.0,
    }
    assert points[2]["completeness"] == 0.5
    assert points[2]["value"] == "12.000"
    assert body["total"] == {
        "value": "36.000",
        "periods_with_data": 2,
        "periods": 31,
        "completeness": round(144 / (31 * 96), 4),
        "complete": False,
        "missing_days": 30,  # every day but the complete first one (the half day counts as missing)
    }
    # Both heated addresses together: the second one sent nothing, so no day is complete.
    combined = client.get("/api/portal/consumption/month/?service=heating&year=2026&month=1").json()
    assert combined["points"][0]["value"] == "24.000"
    assert combined["points"][0]["completeness"] == 0.5
    assert combined["points"][2]["completeness"] == 0.25


def test_year_view_from_monthly_aggregates(home):
    _data, meters, client, _locations = home
    for day in (date(2025, 1, 10), date(2025, 3, 10), date(2025, 3, 11)):
        ingest_rows(day_rows(meters["heat1"], day, value="1"))
    body = client.get("/api/portal/consumption/year/?service=heating&year=2025").json()
    values = [point["value"] for point in body["points"]]
    assert values[0] == "96.000"
    assert values[1] is None
    assert values[2] == "192.000"
    assert body["points"][1]["no_data"] is True
    assert 0 < body["points"][0]["completeness"] < 0.05
    assert "costs" not in body  # cost visualisation is off
    assert "similar_customers" not in body


def test_location_filters(home):
    _data, meters, client, locations = home
    day = date(2026, 1, 7)
    ingest_rows(day_rows(meters["heat1"], day, value="1") + day_rows(meters["heat2"], day, value="2"))
    l1 = next(pk for address, pk in locations.items() if "Main" in address)
    l2 = next(pk for address, pk in locations.items() if "Side" in address)

    def total(query=""):
        return client.get(f"/api/portal/consumption/month/?service=heating&year=2026&month=1{query}").json()[
            "points"
        ][6]["value"]

    assert total() == "288.000"
    assert total(f"&locations={l1},{l2}") == "288.000"
    assert total(f"&locations={l1}") == "96.000"
    assert total(f"&locations={l2}") == "192.000"

    def year(query=""):
        return client.get(f"/api/portal/consumption/year/?service=heating&year=2026{query}").json()["points"][
            0
        ]

    assert year()["value"] == "288.000"
    assert year(f"&locations={l1}")["value"] == "96.000"
    assert year(f"&locations={l2}")["value"] == "192.000"
    assert year(f"&locations={l1}")["completeness"] == round(96 / (31 * 96), 4)

    def compare(query=""):
        return client.get(
            f"/api/portal/consumption/compare/?service=heating&mode=month&year=2026&month=1{query}"
        ).json()["current"]["total"]["value"]

    assert compare() == "288.000"
    assert compare(f"&locations={l2}") == "192.000"
    assert compare(f"&locations={l1},{l2}") == "288.000"

    bad = client.get("/api/portal/consumption/month/?service=heating&year=2026&month=1&locations=999999")
    assert bad.status_code == 404
    assert bad.json() == {"code": "unknown_location", "locations": ["This location is not one of yours."]}
    malformed = client.get("/api/portal/consumption/month/?service=heating&year=2026&month=1&locations=a,b")
    assert malformed.status_code == 400
    assert malformed.json() == {"code": "invalid", "locations": ["Give location ids separated by commas."]}
    for path in (
        "year/?service=heating&year=2026",
        "compare/?service=heating&mode=year&year=2026&other_year=2025",
    ):
        refused = client.get(f"/api/portal/consumption/{path}&locations={l1},999999")
        assert refused.status_code == 404
        assert refused.json()["locations"] == ["This location is not one of yours."]


def test_compare_periods(home):
    _data, meters, client, _locations = home
    ingest_rows(day_rows(meters["heat1"], date(2025, 2, 1), value="1"))
    ingest_rows(day_rows(meters["heat1"], date(2026, 2, 1), value="2"))
    years = client.get(
        "/api/portal/consumption/compare/?service=heating&mode=year&year=2026&other_year=2025"
    ).json()
    assert years["current"]["points"][1]["value"] == "192.000"
    assert years["other"]["points"][1]["value"] == "96.000"
    # One day of readings in each year: both periods miss days, so no percentage made up by the gap.
    assert years["current"]["total"]["complete"] is False
    assert years["other"]["total"]["missing_days"] >= 364
    assert years["change_percentage"] is None
    month = client.get("/api/portal/consumption/compare/?service=heating&mode=month&year=2026&month=2").json()
    assert month["current"]["total"]["value"] == "192.000"
    assert month["other"]["total"]["value"] == "96.000"
    ranges = client.get(
        "/api/portal/consumption/compare/?service=heating&mode=range&start=2026-02-01&end=2026-02-02&other_start=2025-02-01"
    ).json()
    assert [p["value"] for p in ranges["current"]["points"]] == ["192.000", None]
    assert [p["value"] for p in ranges["other"]["points"]] == ["96.000", None]
    missing = client.get("/api/portal/consumption/compare/?service=heating&mode=range&start=2026-02-01")
    assert missing.status_code == 400
    assert set(missing.json()) >= {"end", "other_start"}


def _both_heated(meters: dict, first: date, days: int) -> list[dict]:
    """A quarter-hour value of 1 on every day at both heated addresses."""
    return [row for meter in ("heat1", "heat2") for row in month_rows(meters[meter], first, days, value="1")]


def test_compare_any_two_months_and_mark_a_month_with_missing_days_incomplete(home):
    """A month with nine days missing showed -27 % against a complete one: the gap, not the use."""
    _data, meters, client, _locations = home
    ingest_rows(_both_heated(meters, date(2026, 2, 1), 28) + _both_heated(meters, date(2025, 11, 1), 30))

    def compare(**query) -> dict:
        params = "&".join(f"{key}={value}" for key, value in query.items())
        response = client.get(f"/api/portal/consumption/compare/?service=heating&mode=month&{params}")
        assert response.status_code == 200, response.content
        return response.json()

    body = compare(year=2026, month=2, other_year=2025, other_month=11)
    assert body["current"]["total"]["value"] == str(Decimal(2 * 28 * 96).quantize(Decimal("0.001")))
    assert body["other"]["total"]["value"] == str(Decimal(2 * 30 * 96).quantize(Decimal("0.001")))
    assert [p["period"] for p in body["other"]["points"]][:2] == ["2025-11-01", "2025-11-02"]
    assert (body["current"]["total"]["complete"], body["current"]["total"]["missing_days"]) == (True, 0)
    assert body["change_percentage"] == round((28 - 30) / 30 * 100, 2)
    # Without other_month: the same month a year earlier (February 2025, no readings).
    default = compare(year=2026, month=2)
    assert default["other"]["points"][0]["period"] == "2025-02-01"
    assert default["other"]["total"]["missing_days"] == 28
    assert default["change_percentage"] is None
    # January 2026 with its last nine days missing at one address.
    ingest_rows(
        month_rows(meters["heat1"], date(2026, 1, 1), 31, value="1")
        + month_rows(meters["heat2"], date(2026, 1, 1), 22, value="1")
    )
    gap = compare(year=2026, month=1, other_year=2025, other_month=11)
    assert gap["current"]["total"] | {"value": None} == {
        "value": None,
        "periods_with_data": 31,
        "periods": 31,
        "completeness": round((31 + 22) / 62, 4),
        "complete": False,
        "missing_days": 9,
    }
    assert gap["change_percentage"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=2026&month=2&other_month=13", "other_month"),
        ("year=2026&month=2&other_month=0", "other_month"),
        ("year=2026&month=2&other_year=1999", "other_year"),
        ("year=2026&month=2&other_month=x", "other_month"),
    ],
)
def test_the_other_month_is_validated(home, query, field):
    _data, _meters, client, _locations = home
    response = client.get(f"/api/portal/consumption/compare/?service=heating&mode=month&{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_register_profile(home):
    _data, meters, client, _locations = home
    ingest_rows(
        [
            {
                "meter": meters["heat1"],
                "timestamp": "2026-01-10T08:00:00+01:00",
                "kind": "register",
                "value": "800",
            },
            {
                "meter": meters["heat1"],
                "timestamp": "2026-01-10T20:00:00+01:00",
                "kind": "register",
                "value": "805",
            },
            {
                "meter": meters["heat1"],
                "timestamp": "2026-01-11T20:00:00+01:00",
                "kind": "register",
                "value": "812",
            },
        ]
    )
    body = client.get("/api/portal/consumption/register/?service=heating&year=2026&month=1").json()
    series = next(meter for meter in body["meters"] if meter["meter_number"].startswith("H1"))
    assert [point["y"] for point in series["points"]] == ["805.000", "812.000"]
    assert series["points"][0]["x"].startswith("2026-01-10T19:00:00")


def test_previous_occupants_consumption_is_never_shown(home):
    data, meters, client, _locations = home
    with schema_context("org_noord"):
        from contracts.models import Contract

        Contract.objects.filter(customer__customer_number=data["number"]).update(start_date=date(2026, 1, 6))
    ingest_rows(day_rows(meters["heat1"], date(2026, 1, 5)) + day_rows(meters["heat1"], date(2026, 1, 6)))
    points = client.get("/api/portal/consumption/month/?service=heating&year=2026&month=1").json()["points"]
    assert points[4]["value"] is None
    assert points[5]["value"] == "24.000"
    year = client.get("/api/portal/consumption/year/?service=heating&year=2026").json()["points"]
    assert year[0]["value"] == "24.000"


def test_costs_and_similar_customers_when_enabled(home, client_for):
    data, meters, client, _locations = home
    enable_costs(data)
    apartments(data["ext"])
    first = date(2025, 3, 1)
    ingest_rows(
        month_rows(meters["heat1"], first, 31, value="1") + month_rows(meters["heat2"], first, 31, value="1")
    )
    body = client.get("/api/portal/consumption/year/?service=heating&year=2025").json()
    march = body["costs"]["months"][2]
    quarters = 31 * 96 - 4  # 30 March 2025 had 23 hours
    used = Decimal(2 * quarters)  # both heated addresses
    assert march["amount"] == str(((used * Decimal("0.10") + 10) * Decimal("1.06")).quantize(Decimal("0.01")))
    assert march["amount"] == "640.66"
    april = body["costs"]["months"][3]
    # April: no data and none a year earlier, so estimated from the complete month (March).
    assert april == {"period": "2025-04", "amount": None, "estimated_amount": "640.66", "is_estimate": True}
    assert body["costs"]["actual_total"] == "640.66"
    assert body["costs"]["estimated_year_total"] == str(Decimal("640.66") * 12)
    assert body["similar_customers"]["available"] is False
    assert body["similar_customers"]["months"][2]["reason"] == "group_too_small"

    # Similar apartments with complete March data make a group, but only five *other* ones count:
    # the resident's own two addresses are never part of their group.
    def add_peer():
        other = billing_customer()
        other_meters = add_meters(other)
        apartments(other["ext"])
        ingest_rows(month_rows(other_meters["heat1"], first, 31, value="2"))

    from django.core.cache import cache

    for _ in range(4):
        add_peer()
    cache.delete_pattern("peers:*")
    body = client.get("/api/portal/consumption/year/?service=heating&year=2025").json()
    assert body["similar_customers"]["months"][2] == {
        "period": "2025-03",
        "group_size": None,
        "similar_value": None,
        "reason": "group_too_small",
    }
    add_peer()
    cache.delete_pattern("peers:*")
    body = client.get("/api/portal/consumption/year/?service=heating&year=2025").json()
    march = body["similar_customers"]["months"][2]
    assert march["group_size"] == 5
    # 2 kWh a quarter over March is 5944 kWh for 80 m², scaled to the resident's 160 m².
    assert march["similar_value"] == str((Decimal(2 * quarters) / 80 * 160).quantize(Decimal("0.001")))
    assert march["similar_value"] == "11888.000"
    assert body["similar_customers"]["floor_area_band"] == {"from": 75, "to": 100}
    assert body["similar_customers"]["months"][3]["reason"] == "group_too_small"  # April: no data
    assert "customer" not in json.dumps(body["similar_customers"])  # anonymous


def test_year_view_query_count_does_not_grow_with_readings(home):
    _data, meters, client, _locations = home
    ingest_rows(day_rows(meters["heat1"], date(2025, 1, 1)))
    url = "/api/portal/consumption/year/?service=heating&year=2025"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    ingest_rows(
        [
            row
            for offset in range(40)
            for row in day_rows(meters["heat2"], date(2025, 2, 1) + timedelta(days=offset))
        ]
    )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(data_queries(few)) == len(data_queries(many))


def _ingest_the_other_customers_day(other_meters: dict, day: date) -> None:
    """Another customer of the same organisation uses 7.77 kWh a quarter (this resident 0.25), and
    their register reads 4321."""
    ingest_rows(
        day_rows(other_meters["heat1"], day, value="7.77")
        + day_rows(other_meters["heat2"], day, value="7.77")
    )
    ingest_rows(
        [
            {
                "meter": other_meters["heat1"],
                "timestamp": "2026-01-07T20:00:00+01:00",
                "kind": "register",
                "value": "4321",
            }
        ]
    )


def _assert_nothing_of_theirs(responses: dict, their_ext: str, theirs: str) -> None:
    """No figure, register value or external id of the other customer in any answer."""
    for path, response in responses.items():
        assert response.status_code == 200, path
        text = response.content.decode()
        for value in ("7.77", theirs, "745.920", "1491.840"):
            assert value not in text, path
        assert "4321" not in text, path
        assert their_ext not in text, path


def test_isolation(home, client_for):
    _data, meters, client, _locations = home
    other = billing_customer()
    other_meters = add_meters(other)
    other_client = resident_client(client_for, other)
    foreign = [
        loc["id"]
        for s in other_client.get("/api/portal/consumption/services/").json()
        for loc in s["locations"]
    ]
    day = date(2026, 1, 7)
    _ingest_the_other_customers_day(other_meters, day)
    ingest_rows(day_rows(meters["heat1"], day))
    theirs = str(Decimal("7.77") * 96 * 2)
    responses = {
        path: client.get(f"/api/portal/consumption/{path}")
        for path in (
            "year/?service=heating&year=2026",
            "month/?service=heating&year=2026&month=1",
            "compare/?service=heating&mode=range&start=2026-01-07&end=2026-01-07&other_start=2026-01-07",
            "register/?service=heating&year=2026&month=1",
            "services/",
        )
    }
    _assert_nothing_of_theirs(responses, other["ext"], theirs)
    assert responses["month/?service=heating&year=2026&month=1"].json()["points"][6]["value"] == "24.000"
    assert responses["year/?service=heating&year=2026"].json()["points"][0]["value"] == "24.000"
    assert {loc["id"] for s in responses["services/"].json() for loc in s["locations"]}.isdisjoint(foreign)
    assert (
        other_client.get("/api/portal/consumption/month/?service=heating&year=2026&month=1").json()["points"][
            6
        ]["value"]
        == "1491.840"
    )
    for path in ("year/?service=heating&year=2026", "month/?service=heating&year=2026&month=1"):
        refused = client.get(f"/api/portal/consumption/{path}&locations={foreign[0]}")
        assert refused.status_code == 404
        assert refused.json()["code"] == "unknown_location"
    # The resident's token means nothing on another organisation's domain.
    zuid = client_for("portal.zuid.test")
    zuid.credentials(HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"])
    answer = zuid.get("/api/portal/consumption/year/?service=heating&year=2026")
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_invalid"


def test_integration_api_csv_and_json(home, client_for):
    _data, meters, _client, _locations = home
    admin = as_staff_client(client_for("portal.noord.test"))
    key = admin.post("/api/admin/integration/tokens/", {"name": "meters"}, format="json").json()["key"]
    api = client_for("portal.noord.test")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    csv_body = (
        "meter,timestamp,kind,value,source\n"
        + "\n".join(
            f"{row['meter']},{row['timestamp']},interval,{row['value']},actual"
            for row in day_rows(meters["heat2"], date(2026, 1, 9))
        )
        + "\nnope,2026-01-09T00:00:00+01:00,interval,1,actual\n"
    )
    response = api.post("/api/integration/readings/", data=csv_body, content_type="text/csv")
    assert response.status_code == 200
    assert (response.json()["accepted"], response.json()["error_count"]) == (96, 1)
    response = api.post(
        "/api/integration/readings/",
        data=json.dumps({"readings": day_rows(meters["cool2"], date(2026, 1, 9))}),
        content_type="application/json",
    )
    assert response.json()["accepted"] == 96
    assert api.post("/api/integration/readings/", data="x", content_type="text/plain").status_code == 415
    assert (
        api.post("/api/integration/readings/", data="{", content_type="application/json").status_code == 400
    )
    assert admin.post("/api/integration/readings/", data=csv_body, content_type="text/csv").status_code == 403


def test_staff_admin_meters_gaps_recompute(home, client_for):
    _data, meters, _client, _locations = home
    ingest_rows(
        day_rows(meters["heat1"], date(2026, 1, 1)) + day_rows(meters["heat1"], date(2026, 1, 3), skip=4)
    )
    admin = as_staff_client(client_for("portal.noord.test"))
    with schema_context("org_noord"):
        meter = Meter.objects.get(external_id=meters["heat1"])
    listed = admin.get(f"/api/admin/consumption/meters/?search={meter.number}").json()
    assert listed["results"][0]["unit"] == "kWh"
    gaps = admin.get(
        f"/api/admin/consumption/gaps/?location={meter.location_id}&start=2026-01-01&end=2026-01-03"
    ).json()
    mine = next(row for row in gaps["results"] if row["meter_id"] == meter.pk)
    assert mine["incomplete_days"] == ["2026-01-02", "2026-01-03"]
    assert mine["incomplete_day_count"] == 2
    assert gaps["count"] == 1  # the location has one meter
    readings = admin.get(
        f"/api/admin/consumption/meters/{meter.pk}/readings/?start=2026-01-01&end=2026-01-01"
    ).json()
    assert readings["count"] == 96
    with schema_context("org_noord"):
        DailyConsumption.objects.filter(meter=meter).delete()
    done = admin.post(
        f"/api/admin/consumption/meters/{meter.pk}/recompute/",
        {"start": "2026-01-01", "end": "2026-01-03"},
        format="json",
    )
    assert done.json() == {"days_refreshed": 3, "months_refreshed": 1}
    assert daily(meters["heat1"], date(2026, 1, 1)).value == Decimal("24")
    assert daily(meters["heat1"], date(2026, 1, 3)).actual_intervals == 92
    reingest = admin.post(
        "/api/admin/consumption/readings/",
        data=json.dumps(day_rows(meters["heat1"], date(2026, 1, 2))),
        content_type="application/json",
    )
    assert reingest.json()["accepted"] == 96
