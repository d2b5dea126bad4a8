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
from tests.support.billing_data import billing_customer
from tests.support.consumption_data import add_meters, day_rows, ingest_rows
from tests.support.web import logged_in, text


def _days(meter: str, first: date, count: int, value: str) -> list[dict]:
    return [row for offset in range(count) for row in day_rows(meter, first + timedelta(days=offset), value)]


def _total(body: str) -> str:
    match = re.search(r"<dt>Total</dt><dd>([^<]+)", body)
    assert match, body[:2000]
    return match.group(1).strip()


def test_the_address_filter_shows_one_address_or_both_and_ignores_foreign_ones(metered_home):
    data, meters, locations = metered_home
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


def test_chart_tooltips_use_the_languages_dates_and_the_axis_names_the_unit(metered_home):
    data, meters, locations = metered_home
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


def test_costs_and_similar_homes_when_the_organisation_shows_them(metered_home):
    data, meters, locations = metered_home
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
    month = _costs(text(client.get(f"{year_url}&month=3")))
    assert re.search(r'<th scope="row">31/03/2025</th><td class="num">€ 10\.52</td>', month), month

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


def _costs(body: str) -> str:
    """The cost section of a consumption page."""
    assert 'id="costs-heading"' in body, body[:2000]
    return body.split('id="costs-heading"', 1)[1].split("</section>", 1)[0]


def _cost_totals(block: str) -> list[tuple[str, str]]:
    """(label, amount) of each total of a cost block, the estimate mark kept."""
    return [
        (label, re.sub(r"<[^>]+>", "", amount).strip())
        for label, amount in re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", block)
    ]


def _cost_row(block: str, period: str) -> tuple[str, str]:
    """(cost, estimate) of one row of a cost table."""
    match = re.search(
        rf'<th scope="row">{re.escape(period)}</th><td class="num">([^<]*)</td><td class="num">([^<]*)</td>',
        block,
    )
    assert match, (period, block)
    return match.group(1), match.group(2)


def _by_period(section: str) -> dict[str, str]:
    """The blocks of a comparison's cost section, by their heading."""
    parts = re.split(r"<h3>([^<]+)</h3>", section)[1:]
    return dict(zip(parts[::2], parts[1::2], strict=True))


@pytest.fixture
def priced(metered_home):
    """March 2025 (first address only): 1 to 5 March complete at 96 kWh a day; March 2024: 1 to 20
    complete at 48 kWh a day and the whole month for the year views. Tariff: 0.10 a kWh, 10.00 a
    month, 6 % VAT."""
    data, meters, locations = metered_home
    ingest_rows(_days(meters["heat1"], date(2025, 3, 1), 5, "1"))
    ingest_rows(_days(meters["heat1"], date(2024, 3, 1), 20, "0.5"))
    client = logged_in(data)
    base = f"/consumption/?service=heating&locations={locations['L1']}"
    return data, meters, client, base


def test_the_month_view_prices_each_day_and_marks_the_estimates(priced):
    data, _meters, client, base = priced
    url = f"{base}&year=2025&month=3"
    assert 'id="costs-heading"' not in text(client.get(url))  # costs off: no cost block at all
    _with_costs(data)
    costs = _costs(text(client.get(url)))
    # A complete day: (96 kWh x 0.10 + 10.00 / 31) x 1.06 = 10.52.
    assert _cost_row(costs, "01/03/2025") == ("€ 10.52", "")
    assert _cost_row(costs, "05/03/2025") == ("€ 10.52", "")
    # No data: the same day a year earlier, (48 x 0.10 + 10.00 / 31) x 1.06 = 5.43.
    assert _cost_row(costs, "06/03/2025") == ("", "€ 5.43")
    assert _cost_row(costs, "20/03/2025") == ("", "€ 5.43")
    # Nothing a year earlier either: the average of this month's complete days.
    assert _cost_row(costs, "21/03/2025") == ("", "€ 10.52")
    assert _cost_row(costs, "31/03/2025") == ("", "€ 10.52")
    assert costs.count('<th scope="row">') == 31
    # 5 x 10.52 = 52.60; with 15 x 5.43 and 11 x 10.52 estimated: 249.77.
    assert _cost_totals(costs) == [
        ("From complete readings", "€ 52.60"),
        ("For the whole month", "€ 249.77 (including estimates)"),
    ]
    assert "So far this year" not in costs
    assert "Costs per day" in costs
    assert "Days without complete readings are estimated." in costs
    # Amounts the resident's way in Dutch.
    dutch = logged_in(data)
    dutch.post("/language/", {"language": "nl", "next": "/"})
    assert _cost_row(_costs(text(dutch.get(url))), "06/03/2025") == ("", "€ 5,43")


def test_the_year_view_prices_each_month(priced):
    data, meters, client, base = priced
    ingest_rows(_days(meters["heat1"], date(2025, 3, 6), 26, "1"))
    url = f"{base}&year=2025"
    assert 'id="costs-heading"' not in text(client.get(url))
    _with_costs(data)
    costs = _costs(text(client.get(url)))
    # March complete: (2972 kWh x 0.10 + 10.00) x 1.06 = 325.63; every other month of the contract
    # estimated from it (no complete month a year earlier): 12 x 325.63 = 3907.56.
    assert _cost_row(costs, "March 2025") == ("€ 325.63", "")
    assert _cost_row(costs, "January 2025") == ("", "€ 325.63")
    assert costs.count('<th scope="row">') == 12
    assert _cost_totals(costs) == [
        ("From complete readings", "€ 325.63"),
        ("For the whole year", "€ 3,907.56 (including estimates)"),
    ]
    assert "Months without complete readings are estimated." in costs


def test_the_comparison_view_shows_the_costs_of_both_periods(priced):
    data, meters, client, base = priced
    month_url = f"{base}&year=2025&month=3&compare=1"
    year_url = f"{base}&year=2025&compare=1"
    for url in (month_url, year_url):
        assert 'id="costs-heading"' not in text(client.get(url))
    _with_costs(data)
    blocks = _by_period(_costs(text(client.get(month_url))))
    assert list(blocks) == ["March 2025", "March 2024"]
    assert _cost_totals(blocks["March 2025"]) == [
        ("From complete readings", "€ 52.60"),
        ("For the whole month", "€ 249.77 (including estimates)"),
    ]
    assert _cost_row(blocks["March 2025"], "06/03/2025") == ("", "€ 5.43")
    # March 2024: 20 x 5.43 = 108.60; 21 to 31 March (nothing in 2023) at the average: 11 x 5.43.
    assert _cost_row(blocks["March 2024"], "01/03/2024") == ("€ 5.43", "")
    assert _cost_row(blocks["March 2024"], "31/03/2024") == ("", "€ 5.43")
    assert _cost_totals(blocks["March 2024"]) == [
        ("From complete readings", "€ 108.60"),
        ("For the whole month", "€ 168.33 (including estimates)"),
    ]

    ingest_rows(_days(meters["heat1"], date(2025, 3, 6), 26, "1"))
    ingest_rows(_days(meters["heat1"], date(2024, 3, 21), 11, "0.5"))
    blocks = _by_period(_costs(text(client.get(year_url))))
    assert list(blocks) == ["2025", "2024"]
    assert _cost_row(blocks["2025"], "March 2025") == ("€ 325.63", "")
    assert _cost_totals(blocks["2025"]) == [
        ("From complete readings", "€ 325.63"),
        ("For the whole year", "€ 3,907.56 (including estimates)"),
    ]
    # March 2024 complete: 2972 quarter-hours (31 March 2024 had 23 hours) x 0.5 kWh = 1486 kWh,
    # (148.60 + 10.00) x 1.06 = 168.12; the other months of 2024 estimated from it.
    assert _cost_row(blocks["2024"], "March 2024") == ("€ 168.12", "")
    assert _cost_row(blocks["2024"], "January 2024") == ("", "€ 168.12")
    assert _cost_totals(blocks["2024"]) == [
        ("From complete readings", "€ 168.12"),
        ("For the whole year", "€ 2,017.44 (including estimates)"),
    ]
    # Before the contract and the tariff, neither period can be priced.
    blocks = _by_period(_costs(text(client.get(f"{base}&year=2019&compare=1"))))
    assert {period: block.strip() for period, block in blocks.items()} == {
        "2019": "<p>We cannot calculate costs for this period.</p>",
        "2018": "<p>We cannot calculate costs for this period.</p>",
    }


def _difference(body: str) -> str:
    match = re.search(r"<dt>Difference</dt><dd>(.*?)</dd>", body, re.S)
    assert match, body[:2000]
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_any_two_months_compare_and_a_month_with_missing_days_is_incomplete(metered_home):
    """-27 % for a month with nine days missing measured the gap: now it says so instead."""
    data, meters, _locations = metered_home
    both = ("heat1", "heat2")
    rows = [row for meter in both for row in _days(meters[meter], date(2026, 2, 1), 28, "1")]
    rows += [row for meter in both for row in _days(meters[meter], date(2025, 11, 1), 30, "1")]
    rows += _days(meters["heat1"], date(2026, 1, 1), 31, "1") + _days(
        meters["heat2"], date(2026, 1, 1), 22, "1"
    )
    ingest_rows(rows)
    client = logged_in(data)
    base = "/consumption/?service=heating&compare=1"
    body = text(client.get(f"{base}&year=2026&month=2&other_year=2025&other_month=11"))
    assert _difference(body) == "-6.7 %"
    assert "<dt>November 2025</dt>" in body
    assert '<option value="11" selected>November</option>' in body.split('id="other_month"', 1)[1]
    assert '<option value="2025" selected>2025</option>' in body.split('id="other_year"', 1)[1]
    assert re.search(r'class="legend other"[^>]*>■ November 2025<', body)
    gap = text(client.get(f"{base}&year=2026&month=1&other_year=2025&other_month=11"))
    assert _difference(gap) == "January 2026: incomplete (9 days missing)"
    assert "%" not in _difference(gap)
    # Without a month to compare with: the same month a year earlier, which has no readings at all.
    default = text(client.get(f"{base}&year=2026&month=2"))
    assert _difference(default) == "February 2025: incomplete (28 days missing)"
    # Out-of-range choices fall back to the default, never an error.
    assert client.get(f"{base}&year=2026&month=2&other_month=13&other_year=abc").status_code == 200


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nl", "onvolledig (9 dagen ontbreken)"), ("fr", "incomplet (9 jours manquants)")],
)
def test_the_incomplete_period_is_translated(metered_home, language, expected):
    data, meters, _locations = metered_home
    ingest_rows(
        _days(meters["heat1"], date(2026, 1, 1), 31, "1") + _days(meters["heat2"], date(2026, 1, 1), 22, "1")
    )
    client = logged_in(data)
    assert client.post("/language/", {"language": language, "next": "/consumption/"}).status_code == 302
    body = text(client.get("/consumption/?service=heating&compare=1&year=2026&month=1&other_year=2025"))
    assert expected in body
