"""Residents download their consumption as CSV or XLSX: their own days only, exact values, ISO dates,
translated headers, a fixed number of queries whatever the period."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from consumption.models import Meter
from tests.support.billing_data import billing_customer
from tests.support.consumption_data import add_meters, day_rows, ingest_rows
from tests.support.residents import resident_client

URL = "/api/portal/consumption/download/"


@pytest.fixture
def setup(db, client_for):
    data = billing_customer()
    meters = add_meters(data)
    first = date.today() - timedelta(days=20)
    rows = [
        row
        for offset in range(3)
        for row in day_rows(meters["heat1"], first + timedelta(days=offset), "0.0012345")
    ]
    rows += day_rows(meters["cool2"], first, "0.5")
    ingest_rows(rows)
    return data, meters, first, resident_client(client_for, data)


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_has_one_row_per_meter_and_day_with_exact_values(setup):
    _data, _meters, first, client = setup
    response = client.get(URL, {"start": first.isoformat(), "end": (first + timedelta(days=5)).isoformat()})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = _csv(response)
    assert table[0] == ["Date", "Service", "Unit", "Meter", "Address", "Consumption"]
    heating = [row for row in table[1:] if row[3].startswith("H1-")]
    assert [row[0] for row in heating] == [(first + timedelta(days=n)).isoformat() for n in range(3)]
    # 96 quarter hours of 0.0012345: exactly 0.1185120, no rounding.
    assert {row[5] for row in heating} == {"0.1185120"}
    cooling = [row for row in table[1:] if row[3].startswith("C2-")]
    assert [(row[0], row[5]) for row in cooling] == [(first.isoformat(), "48.0000000")]


def test_service_and_meter_filters(setup):
    _data, meters, first, client = setup
    period = {"start": first.isoformat(), "end": (first + timedelta(days=5)).isoformat()}
    only_cooling = _csv(client.get(URL, {**period, "service": "cooling"}))
    assert {row[3][:3] for row in only_cooling[1:]} == {"C2-"}
    with schema_context("org_noord"):
        heat1 = Meter.objects.get(external_id=meters["heat1"]).pk
    only_heat1 = _csv(client.get(URL, {**period, "meters": str(heat1)}))
    assert len(only_heat1) == 4


def test_xlsx(setup):
    _data, _meters, first, client = setup
    response = client.get(
        URL,
        {"start": first.isoformat(), "end": (first + timedelta(days=5)).isoformat(), "file_format": "xlsx"},
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Date", "Service", "Unit", "Meter", "Address", "Consumption")
    assert values[1][0].date() == first
    assert any(abs(row[5] - 0.118512) < 1e-12 for row in values[1:])


def test_headers_in_dutch(setup, client_for):
    _data, _meters, first, client = setup
    client.patch("/api/portal/details/", {"language": "nl"}, format="json")
    nl = client_for("portal.noord.test", language="nl")
    nl.credentials(**client._credentials)
    table = _csv(nl.get(URL, {"start": first.isoformat(), "end": first.isoformat()}))
    assert table[0][0] == "Datum"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2024-01-01", "end": "2023-12-31"}, "end"),
        ({"start": "2020-01-01", "end": "2024-01-01"}, "end"),
        ({"start": "nonsense", "end": "2024-01-01"}, "start"),
        ({"start": "2024-01-01", "end": "2024-01-02", "meters": "x"}, "meters"),
        ({"start": "2024-01-01", "end": "2024-01-02", "file_format": "pdf"}, "file_format"),
    ],
)
def test_bad_queries_are_refused(setup, query, field):
    _data, _meters, _first, client = setup
    response = client.get(URL, query)
    assert response.status_code == 400
    assert field in response.json()


def test_another_customers_meter_is_refused(setup, client_for):
    _data, _meters, first, client = setup
    other = billing_customer()
    other_meters = add_meters(other)
    with schema_context("org_noord"):
        foreign = Meter.objects.get(external_id=other_meters["heat1"]).pk
    response = client.get(URL, {"start": first.isoformat(), "end": first.isoformat(), "meters": str(foreign)})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_meter"
    # The other resident sees none of the first one's rows.
    other_client = resident_client(client_for, other)
    assert (
        len(_csv(other_client.get(URL, {"start": first.isoformat(), "end": date.today().isoformat()}))) == 1
    )


def test_query_count_does_not_grow_with_the_period(setup):
    _data, _meters, first, client = setup
    counts = []
    for days in (0, 1, 5):  # the first request also warms the per-organisation caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                URL, {"start": first.isoformat(), "end": (first + timedelta(days=days)).isoformat()}
            )
            b"".join(response.streaming_content)
        counts.append(len(queries))
    assert counts[1] == counts[2]


# -- the consumption page's form ------------------------------------------------------------------


def test_page_form_downloads_csv_and_xlsx(setup):
    from tests.support.web import logged_in, text

    data, _meters, first, _client = setup
    client = logged_in(data)
    page = text(client.get("/consumption/"))
    assert 'action="/consumption/download/"' in page
    period = {"start": first.isoformat(), "end": (first + timedelta(days=5)).isoformat()}
    response = client.get("/consumption/download/", {**period, "file_format": "csv", "service": "heating"})
    assert response.status_code == 200
    table = _csv(response)
    assert {row[3][:3] for row in table[1:]} == {"H1-"}
    xlsx = client.get("/consumption/download/", {**period, "file_format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    refused = client.get("/consumption/download/", {"start": "2020-01-01", "end": "2024-01-01"})
    assert refused.status_code == 302
    assert "Choose a period of at most three years." in text(client.get("/consumption/"))
