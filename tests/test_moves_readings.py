"""Readings a resident enters are checked at entry against the meter's history (issue 15), and a
reading staff cannot record goes back to the resident to correct: email, status, corrected reading."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from consumption.models import RegisterReading
from moves.models import MoveInRequest, MoveOutRequest
from tests.support.consumption_data import day_rows, ingest_rows
from tests.support.factories import outbox
from tests.support.moves import (
    BRUSSELS,
    TODAY,
    good_steps,
    make_site,
    payload,
    process,
    put,
    staff_for,
    start,
    submit,
    submitted,
)


@pytest.fixture
def site(db, client_for):
    return make_site(client_for)


def register(meter: str, day, value: str, hour: int = 12) -> None:
    moment = datetime.combine(day, time(hour), BRUSSELS).isoformat()
    result = ingest_rows([{"meter": meter, "timestamp": moment, "kind": "register", "value": value}])
    assert result.accepted == 1, result.as_dict()


def short(day) -> str:
    return day.strftime("%d/%m/%Y")


def through_step_4(site, client=None) -> str:
    client = client or site["client"]
    key = start(client)
    for number in (1, 2, 3, 4):
        assert put(client, key, number, good_steps(site)[number]).status_code == 200
    return key


def readings(site, value: str) -> dict:
    return {"readings": [{"meter_id": meter, "value": value} for meter in site["meters"]]}


# -- at entry ---------------------------------------------------------------------------------------


def test_a_move_in_reading_below_the_last_known_reading_is_refused_at_entry(site, client_for):
    stored_on = TODAY - timedelta(days=40)
    register(site["data"]["meters"]["heat1"], stored_on, "30926")
    key = through_step_4(site)
    refused = put(site["client"], key, 5, readings(site, "1234.5"))
    assert refused.status_code == 400, refused.content
    assert refused.json()["readings"] == [
        {
            "value": [
                f"This is below the last known reading of this meter: 30,926 kWh on {short(stored_on)}. "
                "Check the meter and enter the reading it shows."
            ]
        }
    ]
    with schema_context("org_noord"):
        assert "5" not in MoveInRequest.objects.get(email="nina@example.test").steps
    assert put(site["client"], key, 5, readings(site, "31000")).status_code == 200
    # In the resident's language: the number and the date are written the Dutch way.
    dutch = client_for("portal.noord.test", "nl")
    key = through_step_4(site, dutch)
    message = put(dutch, key, 5, readings(site, "1234.5")).json()["readings"][0]["value"][0]
    assert "30.926 kWh" in message
    assert short(stored_on) in message


def test_an_implausibly_high_move_in_reading_is_refused_at_entry(site):
    heat = site["data"]["meters"]["heat1"]
    stored_on = TODAY - timedelta(days=40)
    register(heat, stored_on, "30926")
    # 24 kWh a day in the year before: four times that is below the floor of 100 kWh a day.
    ingest_rows([row for days in range(45, 50) for row in day_rows(heat, TODAY - timedelta(days=days))])
    key = through_step_4(site)
    refused = put(site["client"], key, 5, readings(site, "99999"))
    assert refused.status_code == 400
    [message] = refused.json()["readings"][0]["value"]
    assert message.startswith(
        f"This is much more than we expect: the last known reading of this meter is 30,926 kWh on "
        f"{short(stored_on)}, so we expect at most 34,5"
    ), message
    assert re.search(r"at most 34,5\d\d kWh\. Check the meter", message)
    assert put(site["client"], key, 5, readings(site, "34000")).status_code == 200


def test_a_meter_without_history_takes_any_first_reading(site):
    key = through_step_4(site)
    assert put(site["client"], key, 5, readings(site, "99999")).status_code == 200


def test_a_final_reading_below_the_last_known_reading_is_refused_at_entry(home):
    stored_on = TODAY - timedelta(days=20)
    register(home["data"]["meters"]["cool2"], stored_on, "5000")
    response = home["resident"].post(
        "/api/portal/move-outs/",
        payload(home, "2", "L2", TODAY - timedelta(days=2), {"cool2": "100"}),
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["readings"] == [
        {
            "value": [
                f"This is below the last known reading of this meter: 5,000 kWh on {short(stored_on)}. "
                "Check the meter and enter the reading it shows."
            ]
        }
    ]
    with schema_context("org_noord"):
        assert not MoveOutRequest.objects.filter(customer__customer_number=home["data"]["number"]).exists()
    # A past moving day with a later reading stored: the final reading cannot be above it.
    later = TODAY - timedelta(days=1)
    register(home["data"]["meters"]["cool2"], later, "5100")
    above = home["resident"].post(
        "/api/portal/move-outs/",
        payload(home, "2", "L2", TODAY - timedelta(days=2), {"cool2": "5200"}),
        format="json",
    )
    assert above.json()["readings"][0]["value"] == [
        f"This is above a later reading of this meter: 5,100 kWh on {short(later)}. "
        "Check the meter and enter the reading it shows."
    ]
    assert submit(home, "2", "L2", TODAY - timedelta(days=2), {"cool2": "5050"})["status"] == "submitted"


# -- staff cannot record it: the resident corrects it ------------------------------------------------


def test_a_move_in_staff_cannot_approve_goes_back_to_the_applicant(site, client_for):
    request_id = submitted(site)  # 1234.5 on the move-in day, three days ago
    stored_on = TODAY - timedelta(days=5)
    register(site["data"]["meters"]["heat1"], stored_on, "5000")  # the billing system sent it since
    staff = staff_for(client_for)
    response = staff.post(f"/api/admin/move-ins/{request_id}/approve/")
    assert (response.status_code, response.json()["code"]) == (400, "reading_refused")
    assert "(the register goes backwards (below 5000.000))" in response.json()["readings"][0]
    assert response.json()["detail"].endswith("We emailed the applicant to correct the reading.")
    # In the applicant's language: Dutch, with Dutch number and date formats.
    expected = (
        f"Dit is lager dan de laatst gekende meterstand van deze meter: 5.000 kWh op {short(stored_on)}. "
        "Controleer de meter en vul de stand in die hij aangeeft."
    )
    with schema_context("org_noord"):
        request = MoveInRequest.objects.get(pk=request_id)
        assert request.status == "correction"
        [refused] = request.readings_refused
        assert (refused["meter_id"], refused["value"], refused["reason"]) == (
            site["meters"][0],
            "1234.5",
            expected,
        )
    [email] = outbox("org_noord", "nina@example.test", "move_in_reading_correction")
    assert expected in email.body_text
    assert f"MI-{request_id:06d}" in email.subject
    link = re.search(r"https?://\S+/move-in/resume/(\S+)", email.body_text)
    assert link, email.body_text
    # Staff see it waiting; approving again waits for the applicant.
    [listed] = staff.get("/api/admin/move-ins/?status=correction").json()["results"]
    assert listed["readings_refused"][0]["reason"] == expected
    assert staff.post(f"/api/admin/move-ins/{request_id}/approve/").status_code == 409

    # The applicant opens the link: the status says what to correct; only the readings can change.
    client = site["client"]
    key = client.post("/api/moves/move-in/resume/", {"token": link.group(1)}, format="json").json()["key"]
    shown = client.get(f"/api/moves/move-in/{key}/").json()
    assert shown["status"] == "correction"
    assert shown["readings_to_correct"] == [
        {
            "meter_id": site["meters"][0],
            "meter_number": f"H1-{site['data']['ext']}",
            "value": "1234.5",
            "reason": expected,
        }
    ]
    assert put(client, key, 3, good_steps(site)[3]).json()["code"] == "already_submitted"
    assert put(client, key, 5, readings(site, "4000")).status_code == 400  # checked like at entry
    assert put(client, key, 5, readings(site, "5012.5")).status_code == 200
    again = client.post(f"/api/moves/move-in/{key}/submit/")
    assert again.status_code == 201, again.content
    assert (again.json()["status"], again.json()["readings_to_correct"]) == ("submitted", [])
    approved = staff.post(f"/api/admin/move-ins/{request_id}/approve/")
    assert approved.status_code == 200, approved.content
    with schema_context("org_noord"):
        values = set(
            RegisterReading.objects.filter(meter_id=site["meters"][0]).values_list("value", flat=True)
        )
    assert values == {Decimal("5000"), Decimal("5012.5")}


def test_staff_may_reject_a_move_in_waiting_for_a_correction(site, client_for):
    request_id = submitted(site)
    register(site["data"]["meters"]["heat1"], TODAY - timedelta(days=5), "5000")
    staff = staff_for(client_for)
    assert staff.post(f"/api/admin/move-ins/{request_id}/approve/").status_code == 400
    rejected = staff.post(f"/api/admin/move-ins/{request_id}/reject/", {"reason": "No answer"}, format="json")
    assert rejected.json()["status"] == "rejected"


def test_a_move_out_staff_cannot_process_goes_back_to_the_resident(home, client_for):
    day = TODAY - timedelta(days=2)
    created = submit(home, "2", "L2", day, {"cool2": "100"})
    register(home["data"]["meters"]["cool2"], day, "5000", hour=6)  # sent by the billing system since
    response = process(client_for, created["id"])
    assert (response.status_code, response.json()["code"]) == (400, "reading_refused")
    assert response.json()["detail"].endswith("We emailed the resident to correct the reading.")
    expected = (
        f"This is below the last known reading of this meter: 5,000 kWh on {short(day)}. "
        "Check the meter and enter the reading it shows."
    )
    [email] = outbox("org_noord", home["data"]["email"], "move_out_reading_correction")
    assert expected in email.body_text
    assert "/move-out/" in email.body_text
    [listed] = home["resident"].get("/api/portal/move-outs/").json()["results"]
    assert listed["status"] == "correction"
    assert [row["reason"] for row in listed["readings_to_correct"]] == [expected]
    # One open move-out per address: a new one waits until this one is settled.
    duplicate = home["resident"].post(
        "/api/portal/move-outs/", payload(home, "2", "L2", day, {"cool2": "5100"}), format="json"
    )
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "already_submitted")

    url = f"/api/portal/move-outs/{created['id']}/readings/"
    cool = home["meters"]["cool2"]
    low = home["resident"].post(url, {"readings": [{"meter_id": cool, "value": "200"}]}, format="json")
    assert low.status_code == 400
    assert low.json()["readings"][0]["value"] == [expected]
    corrected = home["resident"].post(url, {"readings": [{"meter_id": cool, "value": "5040"}]}, format="json")
    assert corrected.status_code == 200, corrected.content
    body = corrected.json()
    assert (body["status"], body["readings_to_correct"]) == ("submitted", [])
    assert body["readings"] == [
        {"meter_id": cool, "meter_number": f"C2-{home['data']['ext']}", "value": "5040.000"}
    ]
    again = home["resident"].post(url, {"readings": [{"meter_id": cool, "value": "5041"}]}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "not_awaiting_correction")
    processed = process(client_for, created["id"])
    assert processed.status_code == 200, processed.content
    with schema_context("org_noord"):
        assert RegisterReading.objects.filter(meter_id=cool, value=Decimal("5040")).exists()


def test_another_resident_cannot_correct_a_move_out(home, client_for):
    from tests.support.billing_data import billing_customer
    from tests.support.residents import resident_client

    day = TODAY - timedelta(days=2)
    created = submit(home, "2", "L2", day, {"cool2": "100"})
    register(home["data"]["meters"]["cool2"], day, "5000", hour=6)
    process(client_for, created["id"])
    stranger = resident_client(client_for, billing_customer())
    response = stranger.post(
        f"/api/portal/move-outs/{created['id']}/readings/",
        {"readings": [{"meter_id": home["meters"]["cool2"], "value": "5040"}]},
        format="json",
    )
    assert response.status_code == 404
    with schema_context("org_noord"):
        assert MoveOutRequest.objects.get(pk=created["id"]).status == "correction"
