"""Ingestion edge cases through the integration API and the management command."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from consumption.models import DailyConsumption, IntervalReading, Meter, MonthlyConsumption, RegisterReading
from tests.support.billing_data import billing_customer
from tests.support.consumption_data import add_meters, day_rows, ingest_rows, integration_client, month_rows
from tests.support.staff import as_staff_client


@pytest.fixture
def setup(db, client_for):
    data = billing_customer()
    meters = add_meters(data)
    return data, meters, integration_client(client_for)


def post(api, rows: list[dict] | str, content_type: str = "application/json"):
    body = rows if isinstance(rows, str) else json.dumps({"readings": rows})
    return api.post("/api/integration/readings/", data=body, content_type=content_type)


def as_csv(rows: list[dict]) -> str:
    return "meter,timestamp,kind,value,source\n" + "".join(
        f"{r['meter']},{r['timestamp']},{r.get('kind', 'interval')},{r['value']},{r.get('source', 'actual')}\n"
        for r in rows
    )


def stored(meter_ext: str, **filters):
    with schema_context("org_noord"):
        return list(
            IntervalReading.objects.filter(meter__external_id=meter_ext, **filters)
            .order_by("start")
            .values_list("value", "source")
        )


def daily(meter_ext: str, day: date) -> DailyConsumption | None:
    with schema_context("org_noord"):
        return DailyConsumption.objects.filter(meter__external_id=meter_ext, day=day).first()


@pytest.mark.parametrize("content_type", ["application/json", "text/csv"])
def test_timestamps_out_of_range_are_row_errors(setup, content_type):
    _data, meters, api = setup
    rows = [
        {"meter": meters["heat1"], "timestamp": "0001-01-01T00:00:00+01:00", "value": "1"},
        {"meter": meters["heat1"], "timestamp": "1999-12-31T23:45:00+00:00", "value": "1"},
        {"meter": meters["heat1"], "timestamp": "9999-12-31T23:45:00-05:00", "value": "1"},
        {"meter": meters["heat1"], "timestamp": "2026-01-10T00:00:00+01:00", "value": "1"},
    ]
    response = post(api, rows if content_type == "application/json" else as_csv(rows), content_type)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["received"], body["accepted"], body["error_count"]) == (4, 1, 3)
    errors = {error["index"]: error["errors"] for error in body["errors"]}
    assert errors[0] == {"timestamp": ["the timestamp is before 2000"]}
    assert errors[1] == {"timestamp": ["the timestamp is before 2000"]}
    assert errors[2] == {"timestamp": ["not an ISO 8601 timestamp"]}
    assert stored(meters["heat1"]) == [(Decimal("1.0000"), "a")]


@pytest.mark.parametrize("content_type", ["application/json", "text/csv"])
def test_implausible_interval_values_are_row_errors_and_the_aggregates_hold(setup, content_type):
    _data, meters, api = setup
    huge = [{**row, "value": "999999999999.9999"} for row in month_rows(meters["heat1"], date(2026, 1, 5), 2)]
    response = post(api, huge if content_type == "application/json" else as_csv(huge), content_type)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["error_count"]) == (0, 192)
    assert body["errors"][0] == {
        "index": 0,
        "errors": {"value": ["more than 1,000,000 in one interval is not a plausible reading"]},
    }
    assert stored(meters["heat1"]) == []
    # The largest plausible value, every quarter hour for two days, still fits every aggregate.
    top = [{**row, "value": "1000000"} for row in month_rows(meters["heat1"], date(2026, 1, 5), 2)]
    response = post(api, top if content_type == "application/json" else as_csv(top), content_type)
    assert response.json()["accepted"] == 192
    with schema_context("org_noord"):
        month = MonthlyConsumption.objects.get(meter__external_id=meters["heat1"], month=date(2026, 1, 1))
    assert month.value == Decimal("192000000")
    assert daily(meters["heat1"], date(2026, 1, 5)).value == Decimal("96000000")


def test_an_estimate_never_replaces_an_actual_reading(setup):
    _data, meters, api = setup
    day = date(2026, 1, 5)
    actual = day_rows(meters["heat1"], day, value="1")
    assert post(api, actual).json()["accepted"] == 96
    estimates = day_rows(meters["heat1"], day, value="9", source="estimated")
    body = post(api, estimates).json()
    assert (body["accepted"], body["error_count"]) == (0, 96)
    assert body["errors"][0]["errors"] == {
        "source": ["an actual reading is stored for this time; an estimate does not replace it"]
    }
    assert set(stored(meters["heat1"])) == {(Decimal("1.0000"), "a")}
    assert daily(meters["heat1"], day).value == Decimal("96")

    # An actual reading replaces an estimate, and corrects an actual one.
    other_day = date(2026, 1, 6)
    post(api, day_rows(meters["heat1"], other_day, value="9", source="estimated"))
    assert daily(meters["heat1"], other_day).actual_intervals == 0
    post(api, day_rows(meters["heat1"], other_day, value="2"))
    assert daily(meters["heat1"], other_day).value == Decimal("192")
    post(api, day_rows(meters["heat1"], other_day, value="3")[:1])
    assert daily(meters["heat1"], other_day).value == Decimal("193")

    # In one batch, the actual reading of a timestamp wins over a later estimate of it.
    third = date(2026, 1, 7)
    first_quarter = day_rows(meters["heat1"], third, value="4")[:1]
    body = post(api, [*first_quarter, {**first_quarter[0], "value": "8", "source": "estimated"}]).json()
    assert body["error_count"] == 0
    assert stored(meters["heat1"], start__gte="2026-01-06T23:00:00Z") == [(Decimal("4.0000"), "a")]

    # Registers follow the same rule.
    register = {"meter": meters["heat1"], "timestamp": "2026-01-05T20:00:00+01:00", "kind": "register"}
    assert post(api, [{**register, "value": "500"}]).json()["accepted"] == 1
    body = post(api, [{**register, "value": "900", "source": "estimated"}]).json()
    assert body["errors"][0]["errors"]["source"] == [
        "an actual reading is stored for this time; an estimate does not replace it"
    ]
    with schema_context("org_noord"):
        assert list(
            RegisterReading.objects.filter(meter__external_id=meters["heat1"]).values_list("value", "source")
        ) == [(Decimal("500.000"), "a")]


def test_parse_errors_answer_400_with_a_code(setup):
    _data, meters, api = setup
    broken = post(api, "{", "application/json")
    assert broken.status_code == 400
    assert broken.json()["code"] == "parse_error"
    assert broken.json()["detail"].startswith("The body is not valid JSON: ")  # core.parsers
    not_a_list = post(api, '{"readings": 5}', "application/json")
    assert not_a_list.json() == {
        "code": "parse_error",
        "detail": "The body cannot be read: expected a list of readings",
    }
    latin = api.post(
        "/api/integration/readings/", data="meter\n\xe9".encode("latin-1"), content_type="text/csv"
    )
    assert latin.status_code == 400
    assert latin.json() == {"code": "parse_error", "detail": "The body is not UTF-8."}
    wrong_type = post(api, "x", "text/plain")
    assert wrong_type.status_code == 415
    assert wrong_type.json() == {
        "code": "unsupported_media_type",
        "detail": "Send readings as application/json or text/csv.",
    }
    field_too_large = post(
        api, f"meter,timestamp,kind,value\n{meters['heat1']},{'x' * 200_000},interval,1\n", "text/csv"
    )
    assert field_too_large.status_code == 400
    assert field_too_large.json()["code"] == "parse_error"
    assert stored(meters["heat1"]) == []


def test_another_organisations_integration_token_is_refused(setup, client_for):
    _data, meters, _api = setup
    zuid_api = integration_client(client_for, "portal.zuid.test")
    noord = client_for("portal.noord.test")
    noord.credentials(HTTP_AUTHORIZATION=zuid_api._credentials["HTTP_AUTHORIZATION"])
    response = post(noord, day_rows(meters["heat1"], date(2026, 1, 5)))
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"
    assert stored(meters["heat1"]) == []
    # Staff and residents are no integration: 403.
    staff = as_staff_client(client_for("portal.noord.test"))
    refused = post(staff, day_rows(meters["heat1"], date(2026, 1, 5)))
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"


def test_recompute_covers_the_last_day_across_daylight_saving(setup, client_for):
    _data, meters, _api = setup
    days = [date(2026, 1, 2), date(2026, 3, 29), date(2026, 4, 9), date(2026, 4, 10)]
    ingest_rows([row for day in days for row in day_rows(meters["heat1"], day, value="1")])
    with schema_context("org_noord"):
        meter = Meter.objects.get(external_id=meters["heat1"])
        DailyConsumption.objects.filter(meter=meter).delete()
        MonthlyConsumption.objects.filter(meter=meter).delete()
    admin = as_staff_client(client_for("portal.noord.test"))
    done = admin.post(
        f"/api/admin/consumption/meters/{meter.pk}/recompute/",
        {"start": "2026-01-02", "end": "2026-04-10"},
        format="json",
    )
    assert done.status_code == 200, done.content
    assert done.json() == {"days_refreshed": 30 + 28 + 31 + 10, "months_refreshed": 4}
    assert daily(meters["heat1"], date(2026, 4, 10)).value == Decimal("96")
    assert daily(meters["heat1"], date(2026, 3, 29)).expected_intervals == 92
    assert daily(meters["heat1"], date(2026, 1, 1)) is None
    assert daily(meters["heat1"], date(2026, 4, 11)) is None
    with schema_context("org_noord"):
        april = MonthlyConsumption.objects.get(meter=meter, month=date(2026, 4, 1))
    assert (april.value, april.days_with_data) == (Decimal("192"), 2)
    autumn = admin.post(
        f"/api/admin/consumption/meters/{meter.pk}/recompute/",
        {"start": "2026-10-01", "end": "2026-10-31"},
        format="json",
    )
    assert autumn.json()["days_refreshed"] == 31
    assert daily(meters["heat1"], date(2026, 10, 25)).expected_intervals == 100
    bad = admin.post(
        f"/api/admin/consumption/meters/{meter.pk}/recompute/",
        {"start": "2026-04-10", "end": "2026-01-02"},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json() == {"code": "invalid", "end": ["The end is before the start."]}


def run_command(path, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "ingest_readings", str(path), organisation="noord", verbosity=0, stdout=out, stderr=err, **options
    )
    return out.getvalue(), err.getvalue()


def test_ingest_readings_command_csv_and_json(setup, tmp_path):
    _data, meters, _api = setup
    csv_file = tmp_path / "readings.csv"
    rows = day_rows(meters["heat1"], date(2026, 2, 3), value="0.5")
    csv_file.write_text(as_csv(rows) + "nope,2026-02-03T00:00:00+01:00,interval,1,actual\n", encoding="utf-8")
    out, err = run_command(csv_file, batch=40)
    assert "96 readings stored, 1 refused." in out
    assert err.strip() == "row 97: {'meter': ['unknown meter']}"
    assert daily(meters["heat1"], date(2026, 2, 3)).value == Decimal("48")

    json_file = tmp_path / "readings.json"
    json_file.write_text(
        json.dumps({"readings": day_rows(meters["heat2"], date(2026, 2, 3))}), encoding="utf-8"
    )
    out, _err = run_command(json_file)
    assert "96 readings stored, 0 refused." in out
    assert daily(meters["heat2"], date(2026, 2, 3)).value == Decimal("24")

    as_json = tmp_path / "list.txt"
    as_json.write_text(json.dumps(day_rows(meters["cool2"], date(2026, 2, 3))), encoding="utf-8")
    out, _err = run_command(as_json, format="json")
    assert "96 readings stored" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"readings": [', "cannot be read as JSON"),
        ('{"readings": 5}', "cannot be read as JSON: expected a list of readings"),
        (b"\xff\xfe\x00garbage", "cannot be read as JSON"),
    ],
)
def test_ingest_readings_command_refuses_a_malformed_file_cleanly(setup, tmp_path, content, message):
    path = tmp_path / "broken.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run_command(path)


def test_ingest_readings_command_checks_its_arguments(setup, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run_command(tmp_path / "missing.csv")
    path = tmp_path / "empty.csv"
    path.write_text("meter,timestamp,kind,value\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No organisation"):
        call_command("ingest_readings", str(path), organisation="nowhere", verbosity=0)
    with pytest.raises(CommandError, match="--batch"):
        run_command(path, batch=0)


# -- issue 15: duplicates in one batch, and decimals ------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/json", "text/csv"])
def test_duplicate_readings_in_one_batch_are_reported_and_counted_once(setup, content_type):
    """The same meter, kind and moment twice in a batch: identical copies are stored once and the
    others reported as duplicates; an actual reading wins over an estimate (reported); different
    values refuse every row of that moment. received = accepted + error_count + duplicate_count."""
    _data, meters, api = setup
    heat = meters["heat1"]
    rows = [
        {"meter": heat, "timestamp": "2026-01-05T00:00:00+01:00", "value": "1"},
        {"meter": heat, "timestamp": "2026-01-05T00:00:00+01:00", "value": "1.000"},  # same reading
        {"meter": heat, "timestamp": "2026-01-05T00:15:00+01:00", "value": "2"},
        {"meter": heat, "timestamp": "2026-01-04T23:15:00Z", "value": "3"},  # the same moment, another value
        {"meter": heat, "timestamp": "2026-01-05T00:30:00+01:00", "value": "4"},
        {"meter": heat, "timestamp": "2026-01-05T00:30:00+01:00", "value": "8", "source": "estimated"},
        {"meter": heat, "timestamp": "2026-01-05T00:00:00+01:00", "kind": "register", "value": "500"},
        {"meter": heat, "timestamp": "2026-01-05T00:00:00+01:00", "kind": "register", "value": "500"},
    ]
    response = post(api, rows if content_type == "application/json" else as_csv(rows), content_type)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["received"], body["accepted"], body["error_count"], body["duplicate_count"]) == (8, 3, 2, 3)
    assert body["received"] == body["accepted"] + body["error_count"] + body["duplicate_count"]
    conflict = "another row of this batch has a different value for this meter and time; none is stored"
    assert sorted((e["index"], e["errors"]["value"][0]) for e in body["errors"]) == [
        (2, conflict),
        (3, conflict),
    ]
    assert sorted((d["index"], d["kept"], d["reason"]) for d in body["duplicates"]) == [
        (1, 0, "the same reading as another row of this batch; stored once"),
        (5, 4, "an actual reading for this time in this batch replaces this estimate"),
        (7, 6, "the same reading as another row of this batch; stored once"),
    ]
    assert stored(heat) == [(Decimal("1"), "a"), (Decimal("4"), "a")]
    with schema_context("org_noord"):
        assert list(
            RegisterReading.objects.filter(meter__external_id=heat).values_list("value", flat=True)
        ) == [Decimal("500")]
    assert daily(heat, date(2026, 1, 5)).actual_intervals == 2


def test_ingest_readings_command_reports_duplicates(setup, tmp_path):
    _data, meters, _api = setup
    rows = day_rows(meters["heat1"], date(2026, 2, 3), value="0.5")
    path = tmp_path / "readings.csv"
    path.write_text(as_csv(rows + rows[:2]), encoding="utf-8")
    out, _err = run_command(path)
    assert "96 readings stored, 0 refused, 2 duplicates discarded." in out
    assert daily(meters["heat1"], date(2026, 2, 3)).value == Decimal("48")


def test_values_keep_seven_decimals_and_more_are_refused_not_rounded(setup):
    """An organisation metering in MWh or GJ sends small interval values: every decimal up to the
    seventh is stored and aggregated exactly; a value with more is refused with the maximum named."""
    _data, meters, api = setup
    heat = meters["heat1"]
    day = date(2026, 1, 5)
    rows = day_rows(heat, day, value="0.00004")
    rows[1]["value"] = "0.1234567"
    rows[2]["value"] = "0.00000001"  # an eighth decimal: refused
    rows[3]["value"] = "1.500000000"  # zeros only after the seventh: nothing is lost
    register = {"meter": heat, "kind": "register", "timestamp": "2026-01-05T12:00:00+01:00"}
    rows += [{**register, "value": "30926.1234567"}, {**register, "value": "30927.12345678"}]
    body = post(api, rows).json()
    assert (body["accepted"], body["error_count"]) == (96, 2)
    message = "more than 7 decimals: values are stored with at most 7; round the value at the source"
    assert sorted((e["index"], e["errors"]) for e in body["errors"]) == [
        (2, {"value": [message]}),
        (97, {"value": [message]}),
    ]
    values = [value for value, _source in stored(heat)]
    assert values[:4] == [Decimal("0.00004"), Decimal("0.1234567"), Decimal("1.5"), Decimal("0.00004")]
    expected = Decimal("0.00004") * 93 + Decimal("0.1234567") + Decimal("1.5")
    assert sum(values) == expected
    aggregate = daily(heat, day)
    assert (aggregate.value, aggregate.actual_intervals) == (expected, 95)
    assert aggregate.register_value == Decimal("30926.1234567")
    with schema_context("org_noord"):
        month = MonthlyConsumption.objects.get(meter__external_id=heat, month=date(2026, 1, 1))
        assert month.value == expected
        assert RegisterReading.objects.get(meter__external_id=heat).value == Decimal("30926.1234567")


def test_the_resident_sees_every_stored_decimal(setup, client_for):
    """Values keep at least three decimals in the resident's API, and every decimal stored beyond."""
    data, meters, _api = setup
    from tests.support.residents import resident_client

    client = resident_client(client_for, data)
    ingest_rows(day_rows(meters["heat1"], date(2026, 1, 5), value="0.00004"))
    ingest_rows(day_rows(meters["heat1"], date(2026, 1, 6), value="0.25"))
    register = {"meter": meters["heat1"], "kind": "register"}
    ingest_rows(
        [
            {**register, "timestamp": "2026-01-05T20:00:00+01:00", "value": "30926.1234567"},
            {**register, "timestamp": "2026-01-06T20:00:00+01:00", "value": "30927"},
        ]
    )
    body = client.get("/api/portal/consumption/month/?service=heating&year=2026&month=1").json()
    assert [point["value"] for point in body["points"][4:6]] == ["0.00384", "24.000"]
    assert body["total"]["value"] == "24.00384"
    series = client.get("/api/portal/consumption/register/?service=heating&year=2026&month=1").json()
    heat = next(meter for meter in series["meters"] if meter["meter_number"].startswith("H1"))
    assert [point["y"] for point in heat["points"]] == ["30926.1234567", "30927.000"]
