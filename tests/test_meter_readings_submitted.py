"""Meter readings residents submit outside a move (issue 19): which meters, checks at entry, the
staff's accept (stored through the ingestion, aggregates follow) and reject (emailed), the changes
feed, and another customer's meters and readings kept out."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from consumption.models import DailyConsumption, Meter, RegisterReading, SubmittedReading
from tests.support.billing_data import billing_customer
from tests.support.consumption_data import BRUSSELS, add_meters, day_rows, ingest_rows, organisation_today
from tests.support.factories import outbox
from tests.support.moves import jpeg
from tests.support.residents import resident_client
from tests.support.staff import as_staff_client

URL = "/api/portal/meter-readings/"


def register(meter: str, day: date, value: str) -> None:
    moment = datetime.combine(day, time(12), BRUSSELS).isoformat()
    result = ingest_rows([{"meter": meter, "timestamp": moment, "kind": "register", "value": value}])
    assert result.accepted == 1, result.as_dict()


def meter_pk(external_id: str) -> int:
    with schema_context("org_noord"):
        return Meter.objects.get(external_id=external_id).pk


@pytest.fixture
def home(db, client_for):
    data = billing_customer()
    meters = add_meters(data)
    register(meters["heat1"], organisation_today() - timedelta(days=60), "900")
    register(meters["heat1"], organisation_today() - timedelta(days=30), "1000")
    # heat2 sends interval data: read remotely, not the resident's to read.
    ingest_rows(day_rows(meters["heat2"], organisation_today() - timedelta(days=1)))
    client = resident_client(client_for, data)
    return {"data": data, "meters": meters, "client": client, "heat1": meter_pk(meters["heat1"])}


def body(home, value: str, **extra) -> dict:
    return {"meter_id": home["heat1"], "value": value, "read_on": organisation_today().isoformat(), **extra}


def test_options_list_meters_not_read_remotely_with_their_last_reading(home):
    answer = home["client"].get(f"{URL}options/")
    assert answer.status_code == 200
    by_number = {row["meter_number"]: row for row in answer.json()}
    ext = home["data"]["ext"]
    assert set(by_number) == {f"H1-{ext}", f"C2-{ext}"}  # H2 reports intervals itself
    assert Decimal(by_number[f"H1-{ext}"]["last_reading"]["value"]) == Decimal(1000)
    assert by_number[f"C2-{ext}"]["last_reading"] is None
    assert by_number[f"H1-{ext}"]["unit"] == "kWh"


def test_checks_at_entry(home):
    client = home["client"]
    below = client.post(URL, body(home, "950"), format="json")
    assert below.status_code == 400
    assert below.json()["code"] == "reading_refused"
    assert "1,000" in below.json()["value"][0]
    future = client.post(
        URL, body(home, "1010", read_on=(organisation_today() + timedelta(days=1)).isoformat()), format="json"
    )
    assert future.status_code == 400
    assert "read_on" in future.json()
    remote = client.post(
        URL, {**body(home, "10"), "meter_id": meter_pk(home["meters"]["heat2"])}, format="json"
    )
    assert remote.status_code == 400
    assert remote.json()["code"] == "unknown_meter"
    high = client.post(URL, body(home, "100000"), format="json")
    assert high.status_code == 400
    assert high.json()["code"] == "reading_implausible"
    with schema_context("org_noord"):
        assert not SubmittedReading.objects.exists()
    kept = client.post(URL, body(home, "100000", confirmed=True), format="json")
    assert kept.status_code == 201, kept.json()
    assert kept.json()["status"] == "submitted"
    assert "much more than we expect" in kept.json()["warning"]
    again = client.post(URL, body(home, "1010"), format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_submitted"


def test_submit_with_photo_then_staff_accept_records_the_reading(home, client_for):
    created = home["client"].post(URL, {**body(home, "1012.5"), "photo": jpeg()}, format="multipart")
    assert created.status_code == 201, created.json()
    reading = created.json()
    assert reading["has_photo"]
    assert reading["reference"].startswith("MR-")
    assert [row["id"] for row in home["client"].get(URL).json()["results"]] == [reading["id"]]
    staff = as_staff_client(client_for("portal.noord.test"))
    queue = staff.get("/api/admin/consumption/submitted-readings/?status=submitted").json()["results"]
    assert reading["id"] in [row["id"] for row in queue]
    detail = staff.get(f"/api/admin/consumption/submitted-readings/{reading['id']}/")
    assert detail.status_code == 200
    assert detail.json() == next(row for row in queue if row["id"] == reading["id"])
    assert staff.get("/api/admin/consumption/submitted-readings/999999/").status_code == 404
    photo = staff.get(f"/api/admin/consumption/submitted-readings/{reading['id']}/photo/")
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    accepted = staff.post(f"/api/admin/consumption/submitted-readings/{reading['id']}/accept/")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted"
    with schema_context("org_noord"):
        stored = RegisterReading.objects.get(
            meter_id=home["heat1"], taken_at__date__gte=organisation_today() - timedelta(days=1)
        )
        assert stored.value == Decimal("1012.5")
        day = DailyConsumption.objects.get(meter_id=home["heat1"], day=organisation_today())
        assert day.register_value == Decimal("1012.5")
    twice = staff.post(f"/api/admin/consumption/submitted-readings/{reading['id']}/accept/")
    assert twice.status_code == 409
    assert twice.json()["code"] == "not_submitted"


def test_reject_emails_the_reason(home, client_for):
    reading = home["client"].post(URL, body(home, "1020"), format="json").json()
    staff = as_staff_client(client_for("portal.noord.test"))
    url = f"/api/admin/consumption/submitted-readings/{reading['id']}/reject/"
    assert staff.post(url, {"reason": ""}, format="json").json()["code"] == "required"
    rejected = staff.post(url, {"reason": "The photo shows 1002."}, format="json")
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    mail = outbox("org_noord", home["data"]["email"], "meter_reading_rejected")[-1]
    assert "The photo shows 1002." in mail.body_text
    assert reading["reference"] in mail.subject
    mine = home["client"].get(URL).json()["results"][0]
    assert mine["status"] == "rejected"
    assert mine["reason"] == "The photo shows 1002."
    with schema_context("org_noord"):
        assert not RegisterReading.objects.filter(meter_id=home["heat1"], value=Decimal(1020)).exists()


def test_changes_feed_tells_the_billing_system(home, client_for):
    reading = home["client"].post(URL, body(home, "1015"), format="json").json()
    admin = as_staff_client(client_for("portal.noord.test"))
    admin.post(f"/api/admin/consumption/submitted-readings/{reading['id']}/accept/")
    key = admin.post("/api/admin/integration/tokens/", {"name": "billing"}, format="json").json()["key"]
    api = client_for("portal.noord.test")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    rows = [
        row
        for row in api.get("/api/integration/changes/?after=0").json()
        if row["kind"] == "meter_reading" and row["customer_number"] == home["data"]["number"]
    ]
    assert [row["data"]["status"] for row in rows] == ["submitted", "accepted"]
    assert rows[-1]["data"]["meter_external_id"] == home["meters"]["heat1"]
    assert rows[-1]["data"]["value"] == "1015"
    assert rows[-1]["data"]["reading"] == reading["reference"]


def test_another_customers_meter_and_readings_stay_out(home, client_for):
    other = billing_customer()
    other_meters = add_meters(other)
    other_client = resident_client(client_for, other)
    theirs = {**body(home, "5"), "meter_id": meter_pk(other_meters["heat1"])}
    refused = home["client"].post(URL, theirs, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "unknown_meter"
    home["client"].post(URL, body(home, "1011"), format="json")
    assert other_client.get(URL).json()["results"] == []
    numbers = {row["meter_number"] for row in other_client.get(f"{URL}options/").json()}
    assert f"H1-{home['data']['ext']}" not in numbers


def test_residents_see_their_own_reading_photo_only(home, client_for):
    with_photo = (
        home["client"].post(URL, {**body(home, "1012.5"), "photo": jpeg()}, format="multipart").json()
    )
    photo = home["client"].get(f"{URL}{with_photo['id']}/photo/")
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    assert photo["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in photo["Content-Security-Policy"]
    assert photo["Cache-Control"] == "private, no-store"
    assert b"".join(photo.streaming_content).startswith(b"\xff\xd8")
    other = billing_customer()
    add_meters(other)
    assert resident_client(client_for, other).get(f"{URL}{with_photo['id']}/photo/").status_code == 404
    with schema_context("org_noord"):
        SubmittedReading.objects.filter(pk=with_photo["id"]).update(photo="")
    assert home["client"].get(f"{URL}{with_photo['id']}/photo/").status_code == 404
