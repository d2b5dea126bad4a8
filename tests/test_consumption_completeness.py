"""Completeness counts the intervals each meter *should* have sent, whether or not any row exists."""

from __future__ import annotations

from datetime import date

import pytest
from django_tenants.utils import schema_context

from consumption.aggregates import recompute
from consumption.models import IntervalReading, Meter
from contracts.models import Contract, ContractLocation
from integration.importing import run_import
from tenants.models import Organisation
from tests.support.billing_data import billing_customer
from tests.support.consumption_data import add_meters, day_rows, ingest_rows, month_rows
from tests.support.residents import resident_client


@pytest.fixture
def home(db, client_for):
    data = billing_customer()
    meters = add_meters(data)
    client = resident_client(client_for, data)
    locations = {
        ("L1" if "Main" in loc["address"] else "L2"): loc["id"]
        for s in client.get("/api/portal/consumption/services/").json()
        for loc in s["locations"]
    }
    return data, meters, client, locations


def year(client, query: str = "", y: int = 2025) -> dict:
    response = client.get(f"/api/portal/consumption/year/?service=heating&year={y}{query}")
    assert response.status_code == 200, response.content
    return response.json()


def month(client, m: int, query: str = "", y: int = 2025) -> dict:
    response = client.get(f"/api/portal/consumption/month/?service=heating&year={y}&month={m}{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_location_without_any_data_makes_the_combined_month_incomplete(home):
    """B1: heating at L1 for the whole of February, nothing at all from L2."""
    _data, meters, client, locations = home
    ingest_rows(month_rows(meters["heat1"], date(2025, 2, 1), 28))
    body = year(client)
    february = body["points"][1]
    assert february["value"] == "672.000"
    assert february["completeness"] == 0.5
    days = month(client, 2)
    assert {point["completeness"] for point in days["points"]} == {0.5}
    assert days["total"]["completeness"] == 0.5
    assert days["total"]["complete"] is False
    # L1 on its own is complete.
    alone = month(client, 2, f"&locations={locations['L1']}")
    assert alone["total"]["completeness"] == 1.0
    assert alone["total"]["complete"] is True
    assert year(client, f"&locations={locations['L1']}")["points"][1]["completeness"] == 1.0
    assert year(client, f"&locations={locations['L2']}")["points"][1] == {
        "period": "2025-02",
        "value": None,
        "no_data": True,
        "future": False,
        "completeness": 0.0,
    }


def test_a_resident_who_moved_in_mid_month_is_measured_against_their_own_days(home):
    """B2: in from 6 January, data for 6 to 10 January only: 5 of 26 days."""
    data, meters, client, locations = home
    with schema_context("org_noord"):
        Contract.objects.filter(customer__customer_number=data["number"]).update(start_date=date(2025, 1, 6))
    ingest_rows(month_rows(meters["heat1"], date(2025, 1, 1), 10))  # 1 to 5 January: the predecessor's
    l1 = year(client, f"&locations={locations['L1']}")
    assert l1["points"][0]["value"] == "120.000"
    assert l1["points"][0]["completeness"] == round(5 / 26, 4)
    assert year(client)["points"][0]["completeness"] == round(5 / 52, 4)
    days = month(client, 1, f"&locations={locations['L1']}")
    assert [point["value"] for point in days["points"][:5]] == [None] * 5
    assert days["points"][5]["completeness"] == 1.0
    assert days["total"]["completeness"] == round(5 / 26, 4)
    assert days["total"]["complete"] is False


@pytest.mark.parametrize(("m", "quarters"), [(3, 31 * 96 - 4), (10, 31 * 96 + 4), (6, 30 * 96)])
def test_months_with_a_daylight_saving_change_are_complete_with_their_real_length(home, m, quarters):
    _data, meters, client, locations = home
    first = date(2026, m, 1)
    rows = month_rows(meters["heat1"], first, 31 if m != 6 else 30, value="1")
    assert len(rows) == quarters
    ingest_rows(rows)
    query = f"&locations={locations['L1']}"
    point = year(client, query, 2026)["points"][m - 1]
    assert (point["value"], point["completeness"]) == (f"{quarters}.000", 1.0)
    days = month(client, m, query, 2026)
    assert days["total"]["complete"] is True
    # One quarter hour less shows.
    with schema_context("org_noord"):
        IntervalReading.objects.filter(meter__external_id=meters["heat1"]).order_by("start").first().delete()
        recompute(
            meter_ids=[Meter.objects.get(external_id=meters["heat1"]).pk],
            first_day=first,
            last_day=first,
            organisation=Organisation.objects.get(slug="noord"),
        )
    point = year(client, query, 2026)["points"][m - 1]
    assert point["completeness"] == round((quarters - 1) / quarters, 4)
    assert month(client, m, query, 2026)["total"]["complete"] is False


def test_a_move_out_ends_what_is_expected_from_that_location(home):
    data, meters, client, _locations = home
    with schema_context("org_noord"):
        ContractLocation.objects.filter(
            contract__customer__customer_number=data["number"], location__external_id=f"{data['ext']}-L2"
        ).update(move_out_date=date(2025, 2, 14))
    ingest_rows(
        month_rows(meters["heat1"], date(2025, 2, 1), 28) + month_rows(meters["heat2"], date(2025, 2, 1), 28)
    )
    body = year(client)
    assert body["points"][1]["value"] == str(672 + 14 * 24) + ".000"  # L2 after 14 February is not theirs
    assert body["points"][1]["completeness"] == 1.0
    days = month(client, 2)
    assert days["total"]["complete"] is True
    assert days["points"][13]["value"] == "48.000"
    assert days["points"][14]["value"] == "24.000"


def test_a_replaced_meter_counts_for_its_own_days_only(home):
    data, meters, client, locations = home
    with schema_context("org_noord"):
        result = run_import(
            payload={
                "meters": [
                    {
                        "external_id": f"{data['ext']}-M-heat-2b",
                        "number": f"H2b-{data['ext']}",
                        "location_external_id": f"{data['ext']}-L2",
                        "service": "heating",
                    }
                ]
            }
        )
        assert result["error_count"] == 0, result
        Meter.objects.filter(external_id=meters["heat2"]).update(removed_on=date(2025, 2, 10), active=False)
        Meter.objects.filter(external_id=f"{data['ext']}-M-heat-2b").update(installed_on=date(2025, 2, 11))
    ingest_rows(
        month_rows(meters["heat2"], date(2025, 2, 1), 10)
        + month_rows(f"{data['ext']}-M-heat-2b", date(2025, 2, 11), 18)
    )
    days = month(client, 2, f"&locations={locations['L2']}")
    assert days["total"]["completeness"] == 1.0
    assert days["total"]["value"] == "672.000"
    point = year(client, f"&locations={locations['L2']}")["points"][1]
    assert point["completeness"] == 1.0
    # Readings outside a meter's days are refused.
    late = ingest_rows(day_rows(meters["heat2"], date(2025, 2, 11))[:1])
    assert late.errors[0]["errors"] == {"timestamp": ["the meter was not in place at this time"]}
    early = ingest_rows(day_rows(f"{data['ext']}-M-heat-2b", date(2025, 2, 10))[-1:])
    assert early.errors[0]["errors"] == {"timestamp": ["the meter was not in place at this time"]}


def test_a_day_two_contracts_share_counts_once(home):
    data, meters, client, locations = home
    with schema_context("org_noord"):
        Contract.objects.filter(external_id=f"{data['ext']}-K1").update(end_date=date(2025, 2, 14))
        result = run_import(
            payload={
                "contracts": [
                    {
                        "external_id": f"{data['ext']}-K3",
                        "number": f"K3-{data['ext']}",
                        "customer_external_id": data["ext"],
                        "start_date": "2025-02-14",
                        "locations": [{"location_external_id": f"{data['ext']}-L1", "services": ["heating"]}],
                    }
                ]
            }
        )
        assert result["error_count"] == 0, result
    ingest_rows(month_rows(meters["heat1"], date(2025, 2, 1), 28))
    query = f"&locations={locations['L1']}"
    days = month(client, 2, query)
    assert days["points"][13] == {
        "period": "2025-02-14",
        "value": "24.000",
        "no_data": False,
        "future": False,
        "completeness": 1.0,
    }
    assert days["total"]["value"] == "672.000"
    assert days["total"]["complete"] is True
    assert year(client, query)["points"][1]["value"] == "672.000"
    assert year(client, query)["points"][1]["completeness"] == 1.0
