"""The resident's consumption views run a fixed number of queries, whatever the locations,
contracts and data (with and without costs)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.common import data_queries
from tests.support.consumption_data import enable_costs, ingest_rows, month_rows, spread_customer
from tests.support.residents import resident_client

VIEWS = {
    "year": "year/?service=heating&year=2025",
    "month": "month/?service=heating&year=2025&month=3",
    "compare year": "compare/?service=heating&mode=year&year=2025&other_year=2024",
    "compare month": "compare/?service=heating&mode=month&year=2025&month=3",
    "compare range": "compare/?service=heating&mode=range&start=2025-03-01&end=2025-04-15&other_start=2024-03-01",
    "register": "register/?service=heating&year=2025&month=3",
}


def queries(client, path: str) -> int:
    url = f"/api/portal/consumption/{path}"
    assert client.get(url).status_code == 200  # warm: routing map, peer-group cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(data_queries(captured))


def resident(client_for, *, locations: int, contracts: int = 1, days: int = 3) -> object:
    data = spread_customer(locations=locations, contracts=contracts, floor_area=80)
    rows = []
    for meter in data["meters"]:
        rows += month_rows(meter, date(2025, 3, 1), days)
        rows += month_rows(meter, date(2024, 3, 1), days)
        rows += [
            {
                "meter": meter,
                "timestamp": f"2025-03-{day:02d}T20:00:00+01:00",
                "kind": "register",
                "value": str(day),
            }
            for day in range(1, days + 1)
        ]
    ingest_rows(rows)
    return data, resident_client(client_for, data)


@pytest.mark.parametrize("costs", [False, True], ids=["costs off", "costs on"])
def test_views_do_not_grow_with_locations_or_data(db, client_for, costs):
    small_data, small = resident(client_for, locations=1, days=2)
    _big_data, big = resident(client_for, locations=4, days=12)
    if costs:
        enable_costs(small_data)
    for name, path in VIEWS.items():
        few, many = queries(small, path), queries(big, path)
        assert few == many, f"{name}: {few} queries for 1 location, {many} for 4"


def test_views_do_not_grow_with_more_readings(db, client_for):
    data, client = resident(client_for, locations=2, days=1)
    enable_costs(data)
    before = {name: queries(client, path) for name, path in VIEWS.items()}
    ingest_rows([row for meter in data["meters"] for row in month_rows(meter, date(2025, 3, 2), 40)])
    after = {name: queries(client, path) for name, path in VIEWS.items()}
    assert before == after


def test_the_year_view_with_costs_does_not_grow_with_contracts(db, client_for):
    one_data, one = resident(client_for, locations=3, contracts=1)
    three_data, three = resident(client_for, locations=3, contracts=3)
    enable_costs(one_data)  # 0.10 a kWh, 10.00 a month per contract, 6 % VAT
    february = [
        row
        for data in (one_data, three_data)
        for m in data["meters"]
        for row in month_rows(m, date(2025, 2, 1), 28)
    ]
    ingest_rows(february)
    few, many = queries(one, VIEWS["year"]), queries(three, VIEWS["year"])
    assert few == many
    assert few <= 16, f"{few} queries"
    # Each contract is priced on its own: three fixed fees against one.
    one_body = one.get(f"/api/portal/consumption/{VIEWS['year']}").json()
    three_body = three.get(f"/api/portal/consumption/{VIEWS['year']}").json()
    assert one_body["points"][1]["value"] == three_body["points"][1]["value"] == "2016.000"
    assert one_body["costs"]["months"][1]["amount"] == "224.30"  # (2016 * 0.10 + 10) * 1.06
    assert three_body["costs"]["months"][1]["amount"] == "245.49"  # 3 * (672 * 0.10 + 10) * 1.06
    # March is incomplete: estimated from February, the only complete month.
    assert three_body["costs"]["months"][2] == {
        "period": "2025-03",
        "amount": None,
        "estimated_amount": "245.49",
        "is_estimate": True,
    }
