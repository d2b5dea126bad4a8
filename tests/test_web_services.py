"""The services and contracts page (the reference's Services screen): per contract its number,
dates, status, advance and tariffs; each service at each location with its meters, move-in and
move-out dates and connection status; a fixed number of queries."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from configuration.models import PortalPreferences
from consumption.models import Meter
from contracts.models import ContractLocation
from integration.importing import run_import
from tenants.models import Organisation
from tenants.services import update_organisation
from tests.support.web import logged_in, text


def _rows(body: str) -> list[list[str]]:
    return [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _import(payload: dict) -> None:
    with schema_context("org_noord"):
        result = run_import(payload=payload)
    assert result["error_count"] == 0, result


def _show_costs(on: bool) -> None:
    """The operator's feature and the staff switch: prices are shown only with the costs."""
    update_organisation(
        organisation=Organisation.objects.get(slug="noord"), features={"cost_visualisation": on}
    )
    with schema_context("org_noord"):
        PortalPreferences.objects.current()
        PortalPreferences.objects.update(cost_visualisation=on)


def _tariff_of(ext: str) -> dict:
    return {
        "external_id": f"{ext}-t-k1",
        "contract_external_id": f"{ext}-K1",
        "service": "heating",
        "unit_price": "0.11",
        "fixed_monthly": "12.50",
        "vat_rate": "6",
        "valid_from": "2024-01-01",
    }


def test_each_contract_shows_its_services_meters_dates_advance_and_tariffs(metered_home):
    data, _meters, _locations = metered_home
    ext = data["ext"]
    with schema_context("org_noord"):
        ContractLocation.objects.filter(contract__external_id=f"{ext}-K2").update(
            move_in_date=date(2024, 2, 1), move_out_date=date(2025, 6, 30)
        )
    _show_costs(True)
    _import(
        {
            "tariffs": [
                _tariff_of(ext),
                {  # an older price of the contract: not in force any more
                    "external_id": f"{ext}-t-k1-old",
                    "contract_external_id": f"{ext}-K1",
                    "service": "heating",
                    "unit_price": "0.09",
                    "valid_from": "2020-01-01",
                    "valid_until": "2023-12-31",
                },
            ]
        }
    )
    body = text(logged_in(data).get("/services/"))
    rows = _rows(body)
    assert ["Heating", "Main street 1, 9000 Gent", f"H1-{ext}", "", "", "Connected"] in rows
    assert ["Hot tap water", "Main street 1, 9000 Gent", "", "", "", "Connected"] in rows
    assert ["Heating", "Side street 2, 9000 Gent", f"H2-{ext}", "", "", "Connection pending"] in rows
    assert [
        "Cooling",
        "Side street 2, 9000 Gent",
        f"C2-{ext}",
        "01/02/2024",
        "30/06/2025",
        "Connection pending",
    ] in rows
    assert ["Heating", "0.11000", "€ 12.50", "6.00 %", "01/01/2024"] in rows
    assert "0.09000" not in body
    number = re.search(r"B-(\d+)", data["number"]).group(1)
    assert f"Contract K-{number}-1" in body
    assert "€ 100.00 a month" in body  # K1's advance
    assert "This contract has no advance payments." in body  # K2
    assert "01/01/2024" in body
    assert "Active" in body


def test_no_prices_when_the_organisation_shows_no_costs(metered_home):
    data, _meters, _locations = metered_home
    _show_costs(False)
    _import({"tariffs": [_tariff_of(data["ext"])]})
    body = text(logged_in(data).get("/services/"))
    assert f"H1-{data['ext']}" in body
    assert "0.11000" not in body
    assert "12.50" not in body
    _show_costs(True)
    assert "0.11000" in text(logged_in(data).get("/services/"))


def test_a_meter_removed_before_the_contract_is_not_shown(metered_home):
    """The previous resident's meter stays at the address; this resident never had it."""
    data, _meters, _locations = metered_home
    ext = data["ext"]
    _import(
        {
            "meters": [
                {
                    "external_id": f"{ext}-old-heat",
                    "number": f"OLD-{ext}",
                    "location_external_id": f"{ext}-L1",
                    "service": "heating",
                }
            ]
        }
    )
    with schema_context("org_noord"):
        Meter.objects.filter(external_id=f"{ext}-old-heat").update(
            installed_on=date(2015, 1, 1), removed_on=date(2023, 6, 30), active=False
        )
    body = text(logged_in(data).get("/services/"))
    assert f"H1-{ext}" in body
    assert f"OLD-{ext}" not in body


@pytest.mark.parametrize(
    ("language", "title"), [("nl", "Diensten en contracten"), ("fr", "Services et contrats")]
)
def test_the_page_is_translated(metered_home, language, title):
    data, _meters, _locations = metered_home
    client = logged_in(data)
    assert client.post("/language/", {"language": language, "next": "/services/"}).status_code == 302
    assert f"<h1>{title}</h1>" in text(client.get("/services/"))


def test_the_number_of_queries_does_not_grow_with_meters_and_tariffs(metered_home):
    data, _meters, _locations = metered_home
    ext = data["ext"]
    _show_costs(True)
    client = logged_in(data)
    assert client.get("/services/").status_code == 200  # the first page of a session reads more
    with CaptureQueriesContext(connection) as before:
        assert client.get("/services/").status_code == 200
    _import(
        {
            "meters": [
                {
                    "external_id": f"{ext}-extra-{n}",
                    "number": f"X{n}-{ext}",
                    "location_external_id": f"{ext}-L{n % 2 + 1}",
                    "service": "heating",
                }
                for n in range(4)
            ],
            "tariffs": [
                {
                    "external_id": f"{ext}-t-{service}",
                    "contract_external_id": f"{ext}-K{1 if service == 'heating' else 2}",
                    "service": service,
                    "unit_price": "0.10",
                    "valid_from": "2024-01-01",
                }
                for service in ("heating", "cooling")
            ],
        }
    )
    with CaptureQueriesContext(connection) as after:
        assert client.get("/services/").status_code == 200
    assert len(after) == len(before)


def test_the_main_navigation_leads_to_it(metered_home):
    data, _meters, _locations = metered_home
    body = text(logged_in(data).get("/services/"))
    assert '<a href="/services/" aria-current="page">Services</a>' in body
