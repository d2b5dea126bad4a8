"""Costs and estimates in the month and comparison views; no cost field at all when it is off."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.support.billing_data import billing_customer
from tests.support.common import all_keys
from tests.support.consumption_data import add_meters, apartments, enable_costs, ingest_rows, month_rows
from tests.support.residents import resident_client

COST_KEYS = {"costs", "amount", "estimated_amount", "is_estimate", "actual_total", "similar_customers"}
CENT = Decimal("0.01")


def day_price(kwh: str, *, days_in_month: int = 31) -> Decimal:
    """0.10 a kWh plus the day's share of 31.00 a month, 6 % VAT."""
    fixed = Decimal("31.00") / days_in_month
    return ((Decimal(kwh) * Decimal("0.10") + fixed) * Decimal("1.06")).quantize(CENT, ROUND_HALF_UP)


@pytest.fixture
def home(db, client_for):
    data = billing_customer()
    meters = add_meters(data)
    client = resident_client(client_for, data)
    # January 2025: the first ten days complete at both heated addresses (48 kWh a day together);
    # 11 January 2024 complete at 96 kWh, the reference of 11 January 2025.
    ingest_rows(
        month_rows(meters["heat1"], date(2025, 1, 1), 10) + month_rows(meters["heat2"], date(2025, 1, 1), 10)
    )
    ingest_rows(
        month_rows(meters["heat1"], date(2024, 1, 11), 1, value="0.5")
        + month_rows(meters["heat2"], date(2024, 1, 11), 1, value="0.5")
    )
    return data, meters, client


def get(client, path: str) -> dict:
    response = client.get(f"/api/portal/consumption/{path}")
    assert response.status_code == 200, response.content
    return response.json()


def test_no_cost_field_anywhere_when_cost_visualisation_is_off(home):
    _data, _meters, client = home
    for path in (
        "year/?service=heating&year=2025",
        "month/?service=heating&year=2025&month=1",
        "compare/?service=heating&mode=year&year=2025&other_year=2024",
        "compare/?service=heating&mode=month&year=2025&month=1",
        "compare/?service=heating&mode=range&start=2025-01-01&end=2025-01-10&other_start=2024-01-01",
    ):
        body = get(client, path)
        assert all_keys(body).isdisjoint(COST_KEYS), path


def test_the_month_view_prices_each_day_and_estimates_the_rest(home):
    data, _meters, client = home
    enable_costs(data, fixed="31.00")
    body = get(client, "month/?service=heating&year=2025&month=1")
    costs = body["costs"]
    assert (costs["available"], costs["currency"]) == (True, "EUR")
    assert len(costs["days"]) == 31
    assert costs["days"][0] == {
        "period": "2025-01-01",
        "amount": str(day_price("48")),
        "estimated_amount": None,
        "is_estimate": False,
    }
    assert costs["days"][0]["amount"] == "6.15"
    # 11 January: no data; the same day a year earlier was complete (96 kWh).
    assert costs["days"][10] == {
        "period": "2025-01-11",
        "amount": None,
        "estimated_amount": str(day_price("96")),
        "is_estimate": True,
    }
    # Later days: nothing a year earlier either, so the average of this month's complete days.
    assert costs["days"][11]["estimated_amount"] == str(day_price("48"))
    assert costs["days"][11]["is_estimate"] is True
    assert costs["actual_total"] == str(10 * day_price("48"))
    assert costs["estimated_total"] == str(10 * day_price("48") + day_price("96") + 20 * day_price("48"))
    # The figures themselves are as without costs.
    assert body["points"][0]["value"] == "48.000"
    assert body["total"]["value"] == "480.000"


def test_the_comparison_view_prices_both_periods(home):
    data, _meters, client = home
    enable_costs(data, fixed="31.00")
    month = get(client, "compare/?service=heating&mode=month&year=2025&month=1")
    assert month["current"]["costs"]["actual_total"] == str(10 * day_price("48"))
    other = month["other"]["costs"]
    assert other["days"][10] == {
        "period": "2024-01-11",
        "amount": str(day_price("96")),
        "estimated_amount": None,
        "is_estimate": False,
    }
    assert other["days"][0]["is_estimate"] is True  # no 2023 data: the month's average complete day
    assert other["days"][0]["estimated_amount"] == str(day_price("96"))
    assert other["actual_total"] == str(day_price("96"))
    assert other["estimated_total"] == str(31 * day_price("96"))

    years = get(client, "compare/?service=heating&mode=year&year=2025&other_year=2024")
    assert len(years["current"]["costs"]["months"]) == 12
    # Neither January is complete and neither year has a complete month to estimate from.
    assert years["current"]["costs"]["months"][0] == {
        "period": "2025-01",
        "amount": None,
        "estimated_amount": None,
        "is_estimate": False,
    }
    assert years["other"]["costs"]["months"][0]["period"] == "2024-01"
    assert years["other"]["costs"]["months"][0]["amount"] is None
    assert "estimated_year_total" in years["other"]["costs"]

    ranges = get(
        client, "compare/?service=heating&mode=range&start=2025-01-01&end=2025-01-02&other_start=2024-01-11"
    )
    assert [day["amount"] for day in ranges["current"]["costs"]["days"]] == [str(day_price("48"))] * 2
    assert [day["amount"] for day in ranges["other"]["costs"]["days"]] == [str(day_price("96")), None]
    assert ranges["other"]["costs"]["days"][1]["estimated_amount"] == str(day_price("96"))
    assert "similar_customers" not in years


def test_a_february_day_carries_its_share_of_the_monthly_fee(home):
    data, meters, client = home
    enable_costs(data, fixed="28.00")
    ingest_rows(
        month_rows(meters["heat1"], date(2025, 2, 1), 1) + month_rows(meters["heat2"], date(2025, 2, 1), 1)
    )
    day = get(client, "month/?service=heating&year=2025&month=2")["costs"]["days"][0]
    assert day["amount"] == str(((Decimal("48") * Decimal("0.10") + 1) * Decimal("1.06")).quantize(CENT))


def test_similar_customers_stay_in_the_year_view_only(home):
    data, _meters, client = home
    enable_costs(data)
    apartments(data["ext"])
    assert "similar_customers" in get(client, "year/?service=heating&year=2025")
    assert "similar_customers" not in get(client, "month/?service=heating&year=2025&month=1")
