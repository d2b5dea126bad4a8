"""The consumption page through Django's test client: the address filter, costs, similar homes,
and the chart's own texts (tooltips in the language's date format, the unit on the value axis)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from contracts.models import Location
from integration.importing import run_import
from tenants.models import Organisation
from tests.billing_data import billing_customer
from tests.consumption_data import add_meters, day_rows, ingest_rows
from tests.test_web_pages import logged_in, make_resident, text


def _days(meter: str, first: date, count: int, value: str) -> list[dict]:
    return [row for offset in range(count) for row in day_rows(meter, first + timedelta(days=offset), value)]


def _total(body: str) -> str:
    match = re.search(r"<dt>Total</dt><dd>([^<]+)", body)
    assert match, body[:2000]
    return match.group(1).strip()


@pytest.fixture
def home(db):
    data = billing_customer()
    meters = add_meters(data)
    make_resident(data)
    with schema_context("org_noord"):
        locations = {key: Location.objects.get(external_id=f"{data['ext']}-{key}").pk for key in ("L1", "L2")}
    return data, meters, locations


def test_the_address_filter_shows_one_address_or_both_and_ignores_foreign_ones(home):
    data, meters, locations = home
    first = date(2026, 3, 2)
    ingest_rows(_days(meters["heat1"], first, 3, "1") + _days(meters["heat2"], first, 3, "2"))
    stranger = billing_customer()
    stranger_meters = add_meters(stranger)
    ingest_rows(_days(stranger_meters["heat1"], first, 3, "5"))
    with schema_context("org_noord"):
        foreign = Location.objects.get(external_id=f"{stranger['ext']}-L1").pk
    client = logged_in(data)
    base = "/consumption/?service=heating&year=2026&month=3"
    both = text(client.get(base))
    assert _total(both) == "864.0 kWh"  # 3 days x 96 quarter-hours x (1 + 2) kWh
    assert both.count('name="locations"') == 2  # heating is delivered at both addresses
    assert "Side street 2" in both
    only_first = text(client.get(f"{base}&locations={locations['L1']}"))
    assert _total(only_first) == "288.0 kWh"
    assert f'value="{locations["L1"]}" checked' in only_first
    assert f'value="{locations["L2"]}" checked' not in only_first
    assert _total(text(client.get(f"{base}&locations={locations['L2']}"))) == "576.0 kWh"
    # Another customer's address (and garbage) is not a filter: the resident's own figures stay.
    for junk in (foreign, "abc", "²"):
        assert _total(text(client.get(f"{base}&locations={junk}"))) == "864.0 kWh"
    # The year view with a filter keeps it in the links to each month.
    year = text(client.get(f"/consumption/?service=heating&year=2026&locations={locations['L1']}"))
    assert f"?service=heating&amp;locations={locations['L1']}&amp;year=2026&amp;month=3" in year


def test_chart_tooltips_use_the_languages_dates_and_the_axis_names_the_unit(home):
    data, meters, locations = home
    ingest_rows(_days(meters["heat1"], date(2026, 3, 2), 2, "1"))
    client = logged_in(data)
    body = text(client.get("/consumption/?service=heating&year=2026&month=3"))
    # Both addresses together: the second has no readings, so each day is half complete.
    assert "<title>02/03/2026: 96.0 kWh (50 % of the readings received)</title>" in body
    body = text(client.get(f"/consumption/?service=heating&year=2026&month=3&locations={locations['L1']}"))
    svg = re.search(r'<svg class="chart".*?</svg>', body, re.S).group(0)
    assert '<text class="axis unit" x="50" y="14" text-anchor="end">kWh</text>' in svg
    assert "<title>02/03/2026: 96.0 kWh</title>" in svg
    assert "<title>05/03/2026: no data</title>" in svg
    assert "2026-03-02" not in svg
    year = text(client.get(f"/consumption/?service=heating&year=2026&locations={locations['L1']}"))
    assert re.search(r"<title>March 2026: 192\.0 kWh \(\d+ % of the readings received\)</title>", year)
    dutch = logged_in(data)
    dutch.post("/language/", {"language": "nl", "next": "/"})
    body = text(dutch.get(f"/consumption/?service=heating&year=2026&locations={locations['L1']}"))
    assert re.search(r"<title>maart 2026: 192,0 kWh \(\d+ % van de meterstanden ontvangen\)</title>", body)


def _with_costs(data: dict) -> None:
    organisation = Organisation.objects.get(schema_name="org_noord")
    Organisation.objects.filter(pk=organisation.pk).update(
        features={**(organisation.features or {}), "cost_visualisation": True}
    )
    with schema_context("org_noord"):
        from configuration.models import PortalPreferences

        PortalPreferences.objects.current()
        PortalPreferences.objects.update(cost_visualisation=True)
        result = run_import(
            payload={
                "tariffs": [
                    {
                        "external_id": f"{data['ext']}-tariff",
                        "service": "heating",
                        "unit_price": "0.10",
                        "fixed_monthly": "10.00",
                        "vat_rate": "6",
                        "valid_from": "2020-01-01",
                    }
                ]
            }
        )
        assert result["error_count"] == 0, result
    cache.delete_pattern("*")


def _similar_home(first: date, value: str) -> None:
    other = billing_customer()
    other_meters = add_meters(other)
    with schema_context("org_noord"):
        Location.objects.filter(external_id__startswith=other["ext"]).update(
            building_type="apartment", floor_area_m2=80
        )
    ingest_rows(_days(other_meters["heat1"], first, 31, value))


def test_costs_and_similar_homes_when_the_organisation_shows_them(home):
    data, meters, locations = home
    march = date(2025, 3, 1)
    ingest_rows(_days(meters["heat1"], march, 31, "1"))
    client = logged_in(data)
    # Only the first address has readings: its months are complete and can be priced.
    year_url = f"/consumption/?service=heating&year=2025&locations={locations['L1']}"
    off = text(client.get(year_url))
    assert 'id="costs-heading"' not in off
    assert 'id="peers-heading"' not in off

    _with_costs(data)
    body = text(client.get(year_url))
    assert "We cannot calculate costs" not in body
    costs = body.split('id="costs-heading"', 1)[1].split("</section>", 1)[0]
    quarters = 31 * 96 - 4  # 30 March 2025 had 23 hours
    assert quarters == 2972
    # (2972 kWh x 0.10 + 10.00 fixed) x 1.06 VAT = 325.63
    assert re.search(r'<th scope="row">March 2025</th><td class="num">€ 325\.63</td>', costs), costs
    assert "Costs are calculated from your tariffs, including VAT." in costs
    # The floor area is not known yet: no comparison.
    assert "We cannot compare: the floor area of your address is not known." in body
    month = text(client.get(f"{year_url}&month=3"))
    assert "So far this month" in month.split('id="costs-heading"', 1)[1]

    with schema_context("org_noord"):
        Location.objects.filter(external_id__startswith=data["ext"]).update(
            building_type="apartment", floor_area_m2=80
        )
    cache.delete_pattern("*")
    assert "We cannot compare yet: there are too few similar homes." in text(client.get(year_url))
    for _home in range(5):
        _similar_home(march, "2")
    cache.delete_pattern("*")
    body = text(client.get(year_url))
    assert "The chart shows the average of at least 5 homes of the same type" in body
    assert '<text class="legend other" x="276" y="272">■ similar customers</text>' in body
    # Each similar home used 2 kWh a quarter-hour in March on 80 m², like this one: 5944 kWh.
    assert re.search(r'<rect class="bar other"[^>]*><title>March 2025: 5,944\.0 kWh</title>', body)
