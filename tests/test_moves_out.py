"""Moving out: what can be moved out of, the final readings actually stored, contracts closed on the
day (scheduled when the day is still to come), and isolation between residents and organisations."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from consumption.models import Meter, RegisterReading
from contracts.models import Contract, ContractLocation
from integration.importing import run_import
from integration.models import PortalChange
from invoicing.models import Invoice
from moves.models import MoveOutRequest
from moves.tasks import complete_due_moves
from tests.support.billing_data import billing_customer, invoice_row
from tests.support.common import data_queries
from tests.support.consumption_data import add_meters, ingest_rows
from tests.support.factories import outbox
from tests.support.moves import BRUSSELS, TODAY, jpeg, payload, process, staff_for, submit
from tests.support.residents import resident_client


def final_moment(day):
    return datetime.combine(day, time(23, 59), BRUSSELS)


def test_options_list_open_contracts_with_the_meters_they_cover(home):
    response = home["resident"].get("/api/portal/move-outs/options/")
    assert response.status_code == 200
    data, meters = home["data"], home["meters"]

    def meter(name, number, service):
        return {"id": meters[name], "number": number, "service": service, "unit": "kWh"}

    options = response.json()
    assert [(c["number"], [loc["address"] for loc in c["locations"]]) for c in options] == [
        (f"K-{data['number'][2:]}-1", ["Main street 1, 9000 Gent", "Side street 2, 9000 Gent"]),
        (f"K-{data['number'][2:]}-2", ["Side street 2, 9000 Gent"]),
    ]
    k1_l1, k1_l2 = options[0]["locations"]
    assert [m["id"] for m in k1_l1["meters"]] == [meters["heat1"]]
    # L2 has a heat and a cooling meter; K1 delivers only heating there, K2 only cooling.
    assert [m["id"] for m in k1_l2["meters"]] == [meters["heat2"]]
    assert [m["id"] for m in options[1]["locations"][0]["meters"]] == [meters["cool2"]]
    assert k1_l2["meters"][0]["number"] == f"H2-{data['ext']}"
    assert k1_l2["meters"][0]["service"] == "heating"
    assert k1_l1["move_out_waiting"] is False
    assert k1_l1["latest_move_out_date"] == (TODAY + timedelta(days=180)).isoformat()
    submit(home, "1", "L1", TODAY + timedelta(days=3), {"heat1": "10"})
    again = home["resident"].get("/api/portal/move-outs/options/").json()
    assert again[0]["locations"][0]["move_out_waiting"] is True


def test_a_move_out_asks_only_the_meters_of_the_contract(home):
    resident = home["resident"]
    other_contracts_meter = resident.post(
        "/api/portal/move-outs/",
        payload(home, "1", "L2", TODAY - timedelta(days=1), {"heat2": "10", "cool2": "20"}),
        format="json",
    )
    assert other_contracts_meter.status_code == 400
    assert other_contracts_meter.json()["readings"] == [
        f"These meters are not part of this contract at this address: {home['meters']['cool2']}."
    ]
    missing = resident.post(
        "/api/portal/move-outs/", payload(home, "1", "L2", TODAY - timedelta(days=1), {}), format="json"
    )
    assert missing.json()["readings"] == [
        f"Give one final reading for every meter of this contract at this address: H2-{home['data']['ext']}."
    ]
    created = submit(home, "1", "L2", TODAY - timedelta(days=1), {"heat2": "10"})
    assert [r["meter_id"] for r in created["readings"]] == [home["meters"]["heat2"]]


def test_move_out_lifecycle_of_a_single_location_contract(home, client_for):
    day = TODAY - timedelta(days=2)
    created = submit(home, "2", "L2", day, {"cool2": "2000.5"})
    assert created["status"] == "submitted"
    assert outbox("org_noord", home["data"]["email"], "move_out_submitted")
    duplicate = home["resident"].post(
        "/api/portal/move-outs/", payload(home, "2", "L2", day, {"cool2": "2000.5"}), format="json"
    )
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "already_submitted")
    photo = home["resident"].post(
        f"/api/portal/move-outs/{created['id']}/photos/",
        {"meter_id": home["meters"]["cool2"], "photo": jpeg()},
        format="multipart",
    )
    assert photo.status_code == 201

    processed = process(client_for, created["id"])
    assert processed.status_code == 200, processed.content
    assert processed.json()["status"] == "approved"
    assert processed.json()["completed_at"] is not None
    with schema_context("org_noord"):
        [reading] = RegisterReading.objects.filter(meter_id=home["meters"]["cool2"])
        assert (reading.value, reading.taken_at) == (Decimal("2000.5"), final_moment(day))
        contract = Contract.objects.get(pk=home["rows"][("2", "L2")].contract_id)
        assert (contract.status, contract.end_date) == ("ended", day)
        assert contract.final_invoice_requested_at is not None
        assert ContractLocation.objects.get(pk=home["rows"][("2", "L2")].pk).move_out_date == day
        change = PortalChange.objects.get(kind="move_out", customer_number=home["data"]["number"])
        assert change.data["contract_ended"] is True
        assert change.data["final_invoice_due"] is True
        assert change.data["readings_refused"] == []
    [email] = outbox("org_noord", home["data"]["email"], "move_out_processed")
    assert "Side street 2" in email.body_text
    again = home["resident"].post(
        "/api/portal/move-outs/", payload(home, "2", "L2", day, {"cool2": "2000.5"}), format="json"
    )
    assert again.json()["location_id"] == ["You already moved out of this address."]


def test_moving_out_of_one_location_keeps_the_contract_for_the_other(home, client_for):
    day = TODAY - timedelta(days=1)
    created = submit(home, "1", "L1", day, {"heat1": "321"})
    assert process(client_for, created["id"]).json()["status"] == "approved"
    with schema_context("org_noord"):
        [reading] = RegisterReading.objects.filter(meter_id=home["meters"]["heat1"])
        assert (reading.value, reading.taken_at) == (Decimal("321"), final_moment(day))
        contract = Contract.objects.get(pk=home["rows"][("1", "L1")].contract_id)
        assert (contract.status, contract.end_date) == ("active", None)
        assert contract.final_invoice_requested_at is not None


def test_a_future_move_out_is_scheduled_and_completed_once_the_day_has_passed(home, client_for):
    day = TODAY + timedelta(days=10)
    created = submit(home, "2", "L2", day, {"cool2": "777"})
    scheduled = process(client_for, created["id"])
    assert scheduled.status_code == 200
    assert (scheduled.json()["status"], scheduled.json()["completed_at"]) == ("scheduled", None)
    row_pk, contract_pk = home["rows"][("2", "L2")].pk, home["rows"][("2", "L2")].contract_id
    with schema_context("org_noord"):
        assert ContractLocation.objects.get(pk=row_pk).move_out_date == day  # known at once
        assert Contract.objects.get(pk=contract_pk).status == "active"
        assert not RegisterReading.objects.filter(meter_id=home["meters"]["cool2"]).exists()
        assert not PortalChange.objects.filter(
            kind="move_out", customer_number=home["data"]["number"]
        ).exists()
    [email] = outbox("org_noord", home["data"]["email"], "move_out_scheduled")
    assert "is confirmed" in email.body_text
    assert not outbox("org_noord", home["data"]["email"], "move_out_processed")
    assert process(client_for, created["id"]).json()["code"] == "not_submitted"
    assert complete_due_moves() == 0  # the day has not come

    with schema_context("org_noord"):  # ten days later: the move-out day was yesterday
        past = TODAY - timedelta(days=1)
        MoveOutRequest.objects.filter(pk=created["id"]).update(move_out_date=past)
        ContractLocation.objects.filter(pk=row_pk).update(move_out_date=past)
    assert complete_due_moves() == 1
    with schema_context("org_noord"):
        request = MoveOutRequest.objects.get(pk=created["id"])
        assert request.status == "approved"
        assert request.completed_at is not None
        [reading] = RegisterReading.objects.filter(meter_id=home["meters"]["cool2"])
        assert (reading.value, reading.taken_at) == (Decimal("777"), final_moment(past))
        contract = Contract.objects.get(pk=contract_pk)
        assert (contract.status, contract.end_date) == ("ended", past)
        assert contract.final_invoice_requested_at is not None
        assert PortalChange.objects.get(kind="move_out", customer_number=home["data"]["number"]).data[
            "contract_ended"
        ]
    assert outbox("org_noord", home["data"]["email"], "move_out_processed")
    assert complete_due_moves() == 0  # completed once


def test_a_move_out_dated_today_waits_for_the_end_of_the_day(home, client_for):
    created = submit(home, "2", "L2", TODAY, {"cool2": "50"})
    assert process(client_for, created["id"]).json()["status"] == "scheduled"
    assert complete_due_moves() == 0
    with schema_context("org_noord"):
        assert not RegisterReading.objects.filter(meter_id=home["meters"]["cool2"]).exists()
        assert Contract.objects.get(pk=home["rows"][("2", "L2")].contract_id).status == "active"
        assert MoveOutRequest.objects.get(pk=created["id"]).status == "scheduled"


def test_a_refused_final_reading_is_a_400_with_the_reason(home, client_for):
    day = TODAY - timedelta(days=2)
    created = submit(home, "2", "L2", day, {"cool2": "100"})
    # Since then the billing system sent a higher reading from earlier that day.
    earlier = datetime.combine(day, time(6), BRUSSELS).isoformat()
    ingest_rows(
        [
            {
                "meter": home["data"]["meters"]["cool2"],
                "timestamp": earlier,
                "kind": "register",
                "value": "5000",
            }
        ]
    )
    response = process(client_for, created["id"])
    assert response.status_code == 400
    assert response.json()["code"] == "reading_refused"
    assert response.json()["readings"] == [
        f"Meter C2-{home['data']['ext']}: the reading 100 was refused (the register goes backwards (below 5000.000))."
    ]
    with schema_context("org_noord"):
        # Nothing of the decision is written; the resident is asked to correct the reading.
        assert MoveOutRequest.objects.get(pk=created["id"]).status == "correction"
        assert ContractLocation.objects.get(pk=home["rows"][("2", "L2")].pk).move_out_date is None
        assert Contract.objects.get(pk=home["rows"][("2", "L2")].contract_id).status == "active"
    assert not outbox("org_noord", home["data"]["email"], "move_out_processed")


def test_a_scheduled_move_out_below_a_stored_reading_is_refused_at_processing(home, client_for):
    created = submit(home, "2", "L2", TODAY + timedelta(days=4), {"cool2": "100"})
    yesterday = datetime.combine(TODAY - timedelta(days=1), time(6), BRUSSELS).isoformat()
    ingest_rows(
        [
            {
                "meter": home["data"]["meters"]["cool2"],
                "timestamp": yesterday,
                "kind": "register",
                "value": "900",
            }
        ]
    )
    response = process(client_for, created["id"])
    assert (response.status_code, response.json()["code"]) == (400, "reading_refused")
    assert "below the last recorded reading (900)" in response.json()["readings"][0]


def test_a_reading_refused_when_the_scheduled_day_is_done_stays_visible(home, client_for):
    created = submit(home, "2", "L2", TODAY + timedelta(days=4), {"cool2": "100"})
    assert process(client_for, created["id"]).json()["status"] == "scheduled"
    past = TODAY - timedelta(days=1)
    with schema_context("org_noord"):
        MoveOutRequest.objects.filter(pk=created["id"]).update(move_out_date=past)
        ContractLocation.objects.filter(pk=home["rows"][("2", "L2")].pk).update(move_out_date=past)
    # Meanwhile the billing system sent a higher reading from earlier that day.
    earlier = datetime.combine(past, time(6), BRUSSELS).isoformat()
    ingest_rows(
        [{"meter": home["data"]["meters"]["cool2"], "timestamp": earlier, "kind": "register", "value": "900"}]
    )
    assert complete_due_moves() == 1
    staff = staff_for(client_for)
    [row] = staff.get("/api/admin/move-outs/?status=approved").json()["results"]
    assert row["id"] == created["id"]
    [refused] = row["readings_refused"]
    assert (refused["meter_id"], refused["value"]) == (home["meters"]["cool2"], "100.000")
    assert "backwards" in refused["reason"]
    with schema_context("org_noord"):
        assert Contract.objects.get(pk=home["rows"][("2", "L2")].contract_id).status == "ended"
        change = PortalChange.objects.get(kind="move_out", customer_number=home["data"]["number"])
        assert change.data["readings_refused"][0]["meter_id"] == home["meters"]["cool2"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"move_out_date": (TODAY + timedelta(days=200)).isoformat()}, "move_out_date", "too far ahead"),
        (
            {"move_out_date": (TODAY - timedelta(days=90)).isoformat()},
            "move_out_date",
            "within the last 60 days",
        ),
        ({"readings": []}, "readings", "Give one final reading"),
        ({"forwarding_address": {"street": "x"}}, "forwarding_address", "This field is required."),
        ({"contract_id": "abc"}, "contract_id", "A valid integer is required."),
    ],
)
def test_move_out_bad_input(home, changes, field, message):
    response = home["resident"].post(
        "/api/portal/move-outs/", payload(home, "1", "L1", TODAY, {"heat1": "1"}, **changes), format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert message in str(response.json()[field])
    with schema_context("org_noord"):
        assert not MoveOutRequest.objects.exists()


def test_another_residents_contract_photos_and_list_are_out_of_reach(home, client_for):
    mine = submit(home, "1", "L1", TODAY, {"heat1": "1"})
    other = billing_customer()
    stranger = resident_client(client_for, other)
    response = stranger.post(
        "/api/portal/move-outs/", payload(home, "1", "L1", TODAY, {"heat1": "1"}), format="json"
    )
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    photo = stranger.post(
        f"/api/portal/move-outs/{mine['id']}/photos/",
        {"meter_id": home["meters"]["heat1"], "photo": jpeg()},
        format="multipart",
    )
    assert photo.status_code == 404
    assert stranger.get("/api/portal/move-outs/").json()["results"] == []
    assert (
        stranger.get("/api/portal/move-outs/options/").json()[0]["locations"][0]["id"]
        != home["rows"][("1", "L1")].location_id
    )
    assert [row["id"] for row in home["resident"].get("/api/portal/move-outs/").json()["results"]] == [
        mine["id"]
    ]
    with schema_context("org_noord"):
        assert MoveOutRequest.objects.get(pk=mine["id"]).photos.count() == 0


def test_move_outs_across_organisations(home, client_for):
    mine = submit(home, "1", "L1", TODAY, {"heat1": "1"})
    replay = client_for("portal.zuid.test")
    replay.credentials(HTTP_AUTHORIZATION=home["resident"]._credentials["HTTP_AUTHORIZATION"])
    assert replay.get("/api/portal/move-outs/").status_code == 401
    assert replay.get("/api/portal/move-outs/options/").status_code == 401
    zuid_staff = staff_for(client_for, host="portal.zuid.test", email="admin@zuid.test")
    assert zuid_staff.get("/api/admin/move-outs/").json()["results"] == []
    assert zuid_staff.post(f"/api/admin/move-outs/{mine['id']}/process/").status_code == 404
    assert (
        zuid_staff.post(
            f"/api/admin/move-outs/{mine['id']}/reject/", {"reason": "x"}, format="json"
        ).status_code
        == 404
    )
    noord_replay = client_for("portal.noord.test")
    noord_replay.credentials(HTTP_AUTHORIZATION=zuid_staff._credentials["HTTP_AUTHORIZATION"])
    assert noord_replay.post(f"/api/admin/move-outs/{mine['id']}/process/").status_code == 401
    assert home["resident"].get("/api/admin/move-outs/").status_code == 403
    assert home["resident"].post(f"/api/admin/move-outs/{mine['id']}/process/").status_code == 403
    with schema_context("org_noord"):
        assert MoveOutRequest.objects.get(pk=mine["id"]).status == "submitted"


def test_staff_reject_move_out(home, client_for):
    created = submit(home, "1", "L1", TODAY, {"heat1": "1"})
    staff = staff_for(client_for)
    empty = staff.post(f"/api/admin/move-outs/{created['id']}/reject/", {"reason": ""}, format="json")
    assert (empty.status_code, empty.json()["code"]) == (400, "required")
    assert empty.json()["reason"] == ["Say why the request is rejected; the resident receives it."]
    rejected = staff.post(
        f"/api/admin/move-outs/{created['id']}/reject/", {"reason": "Contract is transferred"}, format="json"
    )
    assert rejected.json()["status"] == "rejected"
    assert (
        "Contract is transferred"
        in outbox("org_noord", home["data"]["email"], "move_out_rejected")[-1].body_text
    )


def test_move_out_can_be_switched_off_by_the_operator(home, noord):
    from tenants.services import update_organisation

    update_organisation(organisation=noord, features={"move_out": False})
    for response in (
        home["resident"].get("/api/portal/move-outs/"),
        home["resident"].get("/api/portal/move-outs/options/"),
        home["resident"].post(
            "/api/portal/move-outs/", payload(home, "1", "L1", TODAY, {"heat1": "1"}), format="json"
        ),
    ):
        assert (response.status_code, response.json()["code"]) == (403, "feature_disabled")
    with schema_context("org_noord"):
        assert not MoveOutRequest.objects.exists()


def _count(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(data_queries(queries))


def test_move_out_lists_cost_the_same_queries_for_2_and_6_requests(db, client_for):
    staff = staff_for(client_for)
    counts = []
    for size in (2, 6):
        homes = []
        for _ in range(size // 2):
            data = billing_customer()
            add_meters(data)
            homes.append(data)
        residents = []
        for data in homes:
            client = resident_client(client_for, data)
            residents.append(client)
            for key, ext in (("L1", "heat-1"), ("L2", "heat-2")):
                with schema_context("org_noord"):
                    row = ContractLocation.objects.get(
                        contract__number=f"K-{data['number'][2:]}-1",
                        location__external_id=f"{data['ext']}-{key}",
                    )
                    meter = Meter.objects.get(external_id=f"{data['ext']}-M-{ext}").pk
                response = client.post(
                    "/api/portal/move-outs/",
                    {
                        "contract_id": row.contract_id,
                        "location_id": row.location_id,
                        "move_out_date": TODAY.isoformat(),
                        "readings": [{"meter_id": meter, "value": "1"}],
                        "forwarding_address": {"street": "A", "postal_code": "1000", "city": "Brussel"},
                    },
                    format="json",
                )
                assert response.status_code == 201, response.content
        counts.append(
            (
                _count(staff, "/api/admin/move-outs/"),
                _count(residents[0], "/api/portal/move-outs/"),
                _count(residents[0], "/api/portal/move-outs/options/"),
            )
        )
    assert counts[0] == counts[1]


def test_staff_search_move_outs(home, client_for):
    first = submit(home, "1", "L1", TODAY, {"heat1": "1"})
    second = submit(home, "2", "L2", TODAY, {"cool2": "1"})
    staff = staff_for(client_for)

    def ids(query):
        return sorted(
            row["id"] for row in staff.get(f"/api/admin/move-outs/?search={query}").json()["results"]
        )

    assert ids(f"MO-{second['id']:06d}") == [second["id"]]
    assert ids("side street") == [second["id"]]
    assert ids(home["data"]["number"]) == sorted([first["id"], second["id"]])
    assert ids(f"K-{home['data']['number'][2:]}-1") == [first["id"]]
    assert ids("nowhere") == []


def test_demo_seed_adds_waiting_moves_tickets_and_faq_once(home, noord):
    from customers.models import Customer
    from demo.service_seed import seed_services
    from moves.models import MoveInRequest
    from support.models import FaqCategory, Ticket

    with schema_context("org_noord"):
        Customer.objects.filter(customer_number=home["data"]["number"]).update(customer_number="N-1001")
        for _ in range(2):
            report: list[str] = []
            seed_services(noord, None, report)
        assert MoveInRequest.objects.filter(status="submitted").count() == 1
        [move_out] = MoveOutRequest.objects.all()
        covered = set(ContractLocation.objects.get(pk=move_out.contract_location_id).services)
        assert {Meter.objects.get(pk=r["meter_id"]).service.code for r in move_out.readings} <= covered
        assert Ticket.objects.count() == 2
        assert FaqCategory.objects.count() == 2
    assert "1 move-in, 1 move-out waiting; 2 tickets; 2 FAQ categories" in report[0]


# -- staff cancel a move-out ----------------------------------------------------------------------


def cancel(client, request_id, reason="The resident is staying after all"):
    return client.post(f"/api/admin/move-outs/{request_id}/cancel/", {"reason": reason}, format="json")


def test_cancelling_a_scheduled_move_out_undoes_its_date_and_tells_the_resident(home, client_for):
    day = TODAY + timedelta(days=10)
    created = submit(home, "2", "L2", day, {"cool2": "777"})
    assert process(client_for, created["id"]).json()["status"] == "scheduled"
    row_pk = home["rows"][("2", "L2")].pk
    staff = staff_for(client_for)

    empty = cancel(staff, created["id"], reason="  ")
    assert (empty.status_code, empty.json()["code"]) == (400, "required")
    assert empty.json()["reason"] == ["Say why the move-out is cancelled; the resident receives it."]
    missing = staff.post(f"/api/admin/move-outs/{created['id']}/cancel/", {}, format="json")
    assert (missing.status_code, missing.json()["code"]) == (400, "invalid")
    assert missing.json()["reason"] == ["This field is required."]
    with schema_context("org_noord"):
        assert MoveOutRequest.objects.get(pk=created["id"]).status == "scheduled"  # nothing half-done
        assert ContractLocation.objects.get(pk=row_pk).move_out_date == day

    cancelled = cancel(staff, created["id"])
    assert cancelled.status_code == 200, cancelled.content
    body = cancelled.json()
    assert (body["status"], body["cancellation_reason"]) == ("cancelled", "The resident is staying after all")
    assert body["cancelled_at"] is not None
    with schema_context("org_noord"):
        from accounts.models import User

        request = MoveOutRequest.objects.get(pk=created["id"])
        assert request.cancelled_by == User.objects.get(email="admin@noord.test")
        assert ContractLocation.objects.get(pk=row_pk).move_out_date is None  # the contract continues
        assert Contract.objects.get(pk=home["rows"][("2", "L2")].contract_id).status == "active"
        assert not RegisterReading.objects.filter(meter_id=home["meters"]["cool2"]).exists()
        MoveOutRequest.objects.filter(pk=created["id"]).update(move_out_date=TODAY - timedelta(days=1))
    assert complete_due_moves() == 0  # a cancelled move-out is never completed
    [email] = outbox("org_noord", home["data"]["email"], "move_out_cancelled")
    assert "is cancelled: your contract there continues" in email.body_text
    assert "The resident is staying after all" in email.body_text
    assert "Side street 2" in email.subject

    again = cancel(staff, created["id"])
    assert (again.status_code, again.json()["code"]) == (409, "not_cancellable")
    listed = home["resident"].get("/api/portal/move-outs/").json()["results"][0]
    assert (listed["status"], listed["cancellation_reason"]) == (
        "cancelled",
        "The resident is staying after all",
    )
    assert "cancelled_by" not in listed
    # The location is open again: the resident may report a new move-out there.
    assert submit(home, "2", "L2", day + timedelta(days=1), {"cool2": "778"})["status"] == "submitted"


def test_a_submitted_move_out_can_be_cancelled_a_completed_or_rejected_one_cannot(home, client_for):
    staff = staff_for(client_for)
    waiting = submit(home, "1", "L1", TODAY + timedelta(days=5), {"heat1": "5"})
    assert cancel(staff, waiting["id"]).json()["status"] == "cancelled"
    with schema_context("org_noord"):
        assert ContractLocation.objects.get(pk=home["rows"][("1", "L1")].pk).move_out_date is None

    done = submit(home, "2", "L2", TODAY - timedelta(days=1), {"cool2": "10"})
    assert process(client_for, done["id"]).json()["status"] == "approved"
    late = cancel(staff, done["id"])
    assert (late.status_code, late.json()["code"]) == (409, "not_cancellable")
    assert late.json()["detail"] == "Only a submitted or scheduled move-out can be cancelled."

    rejected = submit(home, "1", "L2", TODAY, {"heat2": "1"})
    staff.post(f"/api/admin/move-outs/{rejected['id']}/reject/", {"reason": "No"}, format="json")
    refused = cancel(staff, rejected["id"])
    assert (refused.status_code, refused.json()["code"]) == (409, "not_cancellable")
    with schema_context("org_noord"):
        statuses = dict(MoveOutRequest.objects.values_list("pk", "status"))
        assert ContractLocation.objects.get(pk=home["rows"][("2", "L2")].pk).move_out_date is not None
    assert (statuses[done["id"]], statuses[rejected["id"]]) == ("approved", "rejected")
    assert len(outbox("org_noord", home["data"]["email"], "move_out_cancelled")) == 1


def test_only_staff_and_administrators_of_the_organisation_cancel_a_move_out(home, client_for):
    from tests.support.staff import add_staff

    mine = submit(home, "1", "L1", TODAY + timedelta(days=3), {"heat1": "1"})
    add_staff("helpdesk@noord.test", "support")
    support = staff_for(client_for, email="helpdesk@noord.test")
    assert (cancel(support, mine["id"]).status_code, cancel(support, mine["id"]).json()["code"]) == (
        403,
        "permission_denied",
    )
    resident = cancel(home["resident"], mine["id"])
    assert resident.status_code == 403
    assert cancel(client_for("portal.noord.test"), mine["id"]).status_code == 401
    zuid_staff = staff_for(client_for, host="portal.zuid.test", email="admin@zuid.test")
    assert cancel(zuid_staff, mine["id"]).status_code == 404  # another organisation's id is unknown there
    replay = client_for("portal.zuid.test")
    replay.credentials(HTTP_AUTHORIZATION=staff_for(client_for)._credentials["HTTP_AUTHORIZATION"])
    assert cancel(replay, mine["id"]).status_code == 401  # a Noord token means nothing on Zuid
    with schema_context("org_noord"):
        assert MoveOutRequest.objects.get(pk=mine["id"]).status == "submitted"
    assert not outbox("org_noord", home["data"]["email"], "move_out_cancelled")
    add_staff("colleague@noord.test", "staff")
    assert (
        cancel(staff_for(client_for, email="colleague@noord.test"), mine["id"]).json()["status"]
        == "cancelled"
    )


def _advance(data: dict, n: int, start, end, *, status: str = "open") -> dict:
    row = invoice_row(
        data["ext"],
        f"{data['ext']}-K2",
        n,
        total="95.00",
        issue=start,
        due=start + timedelta(days=14),
        status=status,
    )
    return {**row, "period_start": start.isoformat(), "period_end": end.isoformat()}


def test_moving_out_ends_the_advances_for_days_after_the_move(home, client_for):
    """The contract ends: the advance of the month moved out in covers the days supplied, split again
    by the one rule; advances for later periods are cancelled; paid and earlier ones stay."""
    day, data = TODAY - timedelta(days=2), home["data"]
    rows = [
        _advance(data, 8001, day - timedelta(days=9), day + timedelta(days=20)),  # 10 of 30 days
        _advance(data, 8002, day + timedelta(days=21), day + timedelta(days=50)),
        _advance(data, 8003, day + timedelta(days=51), day + timedelta(days=80), status="paid"),
        _advance(data, 8004, day - timedelta(days=40), day - timedelta(days=10)),
    ]
    with schema_context("org_noord"):
        assert run_import(payload={"invoices": rows})["error_count"] == 0
    created = submit(home, "2", "L2", day, {"cool2": "2000.5"})
    assert process(client_for, created["id"]).json()["status"] == "approved"
    with schema_context("org_noord"):
        invoices = {
            invoice.number[-4:]: invoice
            for invoice in Invoice.objects.filter(
                number__in=[row["number"] for row in rows]
            ).prefetch_related("lines")
        }
        prorated = invoices["8001"]
        # 95.00 x 10 / 30 = 31.67, of which 6 % VAT: 29.88 + 1.79 (6 % of 29.88 is 1.79).
        assert (prorated.amount_excl_tax, prorated.tax_amount, prorated.amount_incl_tax) == (
            Decimal("29.88"),
            Decimal("1.79"),
            Decimal("31.67"),
        )
        assert prorated.amount_open == Decimal("31.67")
        assert [(line.amount, line.tax_amount) for line in prorated.lines.all()] == [
            (Decimal("29.88"), Decimal("1.79"))
        ]
        assert (invoices["8002"].payment_status, invoices["8002"].amount_open) == ("cancelled", Decimal("0"))
        assert (invoices["8003"].payment_status, invoices["8003"].amount_incl_tax) == (
            "paid",
            Decimal("95.00"),
        )
        assert (invoices["8004"].payment_status, invoices["8004"].amount_incl_tax) == (
            "open",
            Decimal("95.00"),
        )
        change = PortalChange.objects.get(kind="move_out", customer_number=data["number"])
        assert change.data["advance_invoices"] == {
            "prorated": [rows[0]["number"]],
            "cancelled": [rows[1]["number"]],
        }
    listed = home["resident"].get(
        "/api/portal/invoices/?contract=" + str(home["rows"][("2", "L2")].contract_id)
    )
    assert rows[1]["number"] not in {row["number"] for row in listed.json()["results"]}
