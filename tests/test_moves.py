"""Moving in (7 steps, anyone) and moving out (residents), with the staff's decisions."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from consumption.models import Meter, RegisterReading
from contracts.models import Contract, ContractLocation
from customers.models import Customer
from integration.models import PortalChange
from moves.models import MoveInRequest, MoveOutRequest
from tests.billing_data import billing_customer
from tests.consumption_data import add_meters
from tests.factories import last_link, outbox
from tests.test_billing_resident import resident_client
from tests.test_portal_card import as_staff_client

TODAY = date.today()


@pytest.fixture
def site(db, client_for):
    data = billing_customer()
    add_meters(data)
    with schema_context("org_noord"):
        location = ContractLocation.objects.get(
            contract__number__endswith="-1",
            location__street="Main street",
            contract__customer__customer_number=data["number"],
        ).location
        meters = list(Meter.objects.filter(location=location).order_by("pk").values_list("pk", flat=True))
    return {"data": data, "location": location, "meters": meters, "client": client_for("portal.noord.test")}


def jpeg(size=(40, 30), extra=0) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 120, 120)).save(buffer, format="JPEG")
    return SimpleUploadedFile("meter.jpg", buffer.getvalue() + b"\0" * extra)


def good_steps(site) -> dict[int, dict]:
    return {
        1: {"location_id": site["location"].pk},
        2: {"move_in_date": (TODAY - timedelta(days=3)).isoformat()},
        3: {"kind": "person", "first_name": "Nina", "last_name": "Nieuw"},
        4: {"email": "nina@example.test", "phone": "+32 470 11 22 33", "language": "nl"},
        5: {"readings": [{"meter_id": meter, "value": "1234.5"} for meter in site["meters"]]},
        6: {
            "billing_preference": "email",
            "payment_method": "direct_debit",
            "iban": "BE71 0961 2345 6769",
            "account_holder": "Nina Nieuw",
            "direct_debit_consent": True,
        },
        7: {"accept_terms": True, "accept_privacy": True},
    }


def start(client) -> str:
    response = client.post("/api/moves/move-in/", {"language": "nl"}, format="json")
    assert response.status_code == 201
    return response.json()["key"]


def put(client, key, number, data):
    return client.put(f"/api/moves/move-in/{key}/steps/{number}/", data, format="json")


def complete(site) -> str:
    client = site["client"]
    key = start(client)
    for number, data in good_steps(site).items():
        response = put(client, key, number, data)
        assert response.status_code == 200, (number, response.content)
    return key


def test_location_search(site):
    hits = site["client"].get("/api/moves/locations/?q=main street 1").json()
    assert {"id": site["location"].pk, "address": site["location"].one_line} in hits
    assert site["client"].get("/api/moves/locations/?q=zz").json() == []
    assert site["client"].get("/api/moves/locations/?q=nowhere-at-all").json() == []


@pytest.mark.parametrize(
    ("number", "data", "field", "message"),
    [
        (1, {"location_id": 999999}, "location_id", "We do not supply this address"),
        (
            2,
            {"move_in_date": (TODAY - timedelta(days=61)).isoformat()},
            "move_in_date",
            "too far in the past",
        ),
        (2, {"move_in_date": (TODAY + timedelta(days=181)).isoformat()}, "move_in_date", "too far ahead"),
        (2, {"move_in_date": "31/02/2026"}, "move_in_date", "Date has wrong format"),
        (3, {"kind": "person", "first_name": "Only"}, "last_name", "Enter your last name"),
        (
            3,
            {"kind": "company", "company_name": "ACME", "vat_number": "BE0123"},
            "vat_number",
            "not a valid VAT number",
        ),
        (4, {"email": "not-an-email", "language": "nl"}, "email", "valid email"),
        (4, {"email": "a@b.test", "phone": "call me", "language": "nl"}, "phone", "digits only"),
        (
            6,
            {
                "billing_preference": "email",
                "payment_method": "direct_debit",
                "iban": "BE68539007547035",
                "account_holder": "X",
                "direct_debit_consent": True,
            },
            "iban",
            "not valid",
        ),
        (
            6,
            {
                "billing_preference": "email",
                "payment_method": "direct_debit",
                "iban": "BE71096123456769",
                "account_holder": "X",
                "direct_debit_consent": False,
            },
            "direct_debit_consent",
            "Agree",
        ),
        (7, {"accept_terms": False, "accept_privacy": True}, "accept_terms", "Accept the terms"),
    ],
)
def test_each_step_checks_its_input(site, number, data, field, message):
    key = start(site["client"])
    response = put(site["client"], key, number, data)
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert number not in site["client"].get(f"/api/moves/move-in/{key}/").json()["completed_steps"]


def test_readings_step_needs_the_address_and_every_meter(site):
    client = site["client"]
    key = start(client)
    before = put(client, key, 5, {"readings": [{"meter_id": site["meters"][0], "value": "1"}]})
    assert "Choose the address first" in before.json()["readings"][0], before.json()
    put(client, key, 1, {"location_id": site["location"].pk})
    partial = put(client, key, 5, {"readings": []})
    assert "missing" in partial.json()["readings"][0]
    foreign = put(
        client,
        key,
        5,
        {
            "readings": [{"meter_id": 999999, "value": "1"}]
            + [{"meter_id": m, "value": "1"} for m in site["meters"]]
        },
    )
    assert "not at this address" in foreign.json()["readings"][0]
    negative = put(client, key, 5, {"readings": [{"meter_id": m, "value": "-1"} for m in site["meters"]]})
    assert negative.status_code == 400


def test_meter_photos_are_checked(site):
    client = site["client"]
    key = start(client)
    put(client, key, 1, {"location_id": site["location"].pk})
    meter = site["meters"][0]
    ok = client.post(
        f"/api/moves/move-in/{key}/photos/", {"meter_id": meter, "photo": jpeg()}, format="multipart"
    )
    assert ok.status_code == 201
    fake = client.post(
        f"/api/moves/move-in/{key}/photos/",
        {"meter_id": meter, "photo": SimpleUploadedFile("meter.jpg", b"%PDF-1.4 not a photo")},
        format="multipart",
    )
    assert fake.json()["code"] == "invalid_file_type"
    huge = client.post(
        f"/api/moves/move-in/{key}/photos/",
        {"meter_id": meter, "photo": jpeg(extra=9 * 1024 * 1024)},
        format="multipart",
    )
    assert huge.json()["code"] == "file_too_large"
    other = client.post(
        f"/api/moves/move-in/{key}/photos/", {"meter_id": 999999, "photo": jpeg()}, format="multipart"
    )
    assert other.json()["code"] == "unknown_meter"
    assert len(client.get(f"/api/moves/move-in/{key}/").json()["photos"]) == 1


def test_abandon_and_resume_from_the_emailed_link(site):
    client = site["client"]
    key = start(client)
    put(client, key, 1, {"location_id": site["location"].pk})
    put(client, key, 4, {"email": "resume@example.test", "language": "nl"})
    token = last_link("org_noord", "resume@example.test", "move_in_resume", "/move-in/resume/")
    resumed = client.post("/api/moves/move-in/resume/", {"token": token}, format="json")
    assert resumed.status_code == 200
    body = resumed.json()
    assert body["request"]["completed_steps"] == [1, 4]
    assert body["request"]["address"] == site["location"].one_line
    assert client.get(f"/api/moves/move-in/{key}/").status_code == 404  # the old key stopped working
    assert client.get(f"/api/moves/move-in/{body['key']}/").status_code == 200
    again = client.post("/api/moves/move-in/resume/", {"token": token}, format="json")
    assert again.json()["code"] == "token_used"


def test_submit_needs_every_step_and_a_second_submit_makes_no_duplicate(site):
    client = site["client"]
    key = start(client)
    put(client, key, 1, {"location_id": site["location"].pk})
    incomplete = client.post(f"/api/moves/move-in/{key}/submit/")
    assert incomplete.status_code == 400
    assert {"step_2", "step_7"} <= set(incomplete.json())
    key = complete(site)
    first = client.post(f"/api/moves/move-in/{key}/submit/")
    assert first.status_code == 201
    assert first.json()["status"] == "submitted"
    second = client.post(f"/api/moves/move-in/{key}/submit/")
    assert second.status_code == 200
    assert second.json()["already_submitted"] is True
    assert second.json()["reference"] == first.json()["reference"]
    with schema_context("org_noord"):
        assert MoveInRequest.objects.filter(status="submitted").count() == 1
    assert outbox("org_noord", "nina@example.test", "move_in_submitted")
    assert put(client, key, 3, good_steps(site)[3]).json()["code"] == "already_submitted"


def test_staff_approve_creates_customer_contract_and_invitation(site):
    key = complete(site)
    site["client"].post(f"/api/moves/move-in/{key}/submit/")
    staff = as_staff_client(
        site["client"].__class__(HTTP_HOST="portal.noord.test", HTTP_ACCEPT_LANGUAGE="en")
    )
    [request] = staff.get("/api/admin/move-ins/?status=submitted").json()["results"]
    approved = staff.post(f"/api/admin/move-ins/{request['id']}/approve/")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    with schema_context("org_noord"):
        customer = Customer.objects.get(pk=approved.json()["created_customer"])
        assert (customer.last_name, customer.email, customer.language) == ("Nieuw", "nina@example.test", "nl")
        contract = Contract.objects.get(pk=approved.json()["created_contract"])
        row = contract.contract_locations.get()
        assert row.location_id == site["location"].pk
        assert row.move_in_date == TODAY - timedelta(days=3)
        assert sorted(row.services) == ["heating", "hot_tap_water"] or sorted(row.services) == ["heating"]
        assert RegisterReading.objects.filter(meter_id__in=site["meters"]).count() == len(site["meters"])
        assert PortalChange.objects.filter(kind="move_in", customer_number=customer.customer_number).exists()
    invitation = outbox("org_noord", "nina@example.test", "portal_invitation")
    assert invitation
    assert "/activate/" in invitation[-1].body_text
    assert staff.post(f"/api/admin/move-ins/{request['id']}/approve/").status_code == 409


def test_staff_reject_with_a_reason(site):
    key = complete(site)
    site["client"].post(f"/api/moves/move-in/{key}/submit/")
    staff = as_staff_client(
        site["client"].__class__(HTTP_HOST="portal.noord.test", HTTP_ACCEPT_LANGUAGE="en")
    )
    [request] = staff.get("/api/admin/move-ins/?status=submitted").json()["results"]
    assert (
        staff.post(f"/api/admin/move-ins/{request['id']}/reject/", {"reason": ""}, format="json").status_code
        == 400
    )
    rejected = staff.post(
        f"/api/admin/move-ins/{request['id']}/reject/", {"reason": "Address already occupied"}, format="json"
    )
    assert rejected.json()["status"] == "rejected"
    [email] = outbox("org_noord", "nina@example.test", "move_in_rejected")
    assert "Address already occupied" in email.body_text


def test_move_in_draft_of_one_organisation_is_unknown_on_another(site, client_for):
    key = start(site["client"])
    assert client_for("portal.zuid.test").get(f"/api/moves/move-in/{key}/").status_code == 404


def test_logged_in_resident_move_in_is_prefilled(site, client_for):
    resident = resident_client(client_for, site["data"])
    response = resident.post("/api/portal/move-in/")
    assert response.status_code == 201
    steps = response.json()["request"]["steps"]
    assert steps["3"]["last_name"] == site["data"]["payload"]["customers"][0]["last_name"]
    assert steps["4"]["email"] == site["data"]["email"]
    assert response.json()["request"]["completed_steps"] == [3, 4, 6]


def move_out_payload(site, **changes) -> dict:
    payload = {
        "contract_id": None,
        "location_id": site["location"].pk,
        "move_out_date": (TODAY + timedelta(days=10)).isoformat(),
        "readings": [{"meter_id": meter, "value": "2000"} for meter in site["meters"]],
        "forwarding_address": {
            "street": "Nieuwstraat",
            "house_number": "5",
            "postal_code": "2000",
            "city": "Antwerpen",
        },
    }
    with schema_context("org_noord"):
        payload["contract_id"] = ContractLocation.objects.get(
            location=site["location"], contract__number__endswith="-1"
        ).contract_id
    payload.update(changes)
    return payload


def test_move_out_lifecycle(site, client_for):
    resident = resident_client(client_for, site["data"])
    created = resident.post("/api/portal/move-outs/", move_out_payload(site), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "submitted"
    assert outbox("org_noord", site["data"]["email"], "move_out_submitted")
    duplicate = resident.post("/api/portal/move-outs/", move_out_payload(site), format="json")
    assert duplicate.status_code == 409
    photo = resident.post(
        f"/api/portal/move-outs/{body['id']}/photos/",
        {"meter_id": site["meters"][0], "photo": jpeg()},
        format="multipart",
    )
    assert photo.status_code == 201

    staff = as_staff_client(client_for("portal.noord.test"))
    processed = staff.post(f"/api/admin/move-outs/{body['id']}/process/")
    assert processed.json()["status"] == "approved"
    with schema_context("org_noord"):
        row = ContractLocation.objects.get(
            location=site["location"], contract_id=move_out_payload(site)["contract_id"]
        )
        assert row.move_out_date == TODAY + timedelta(days=10)
        contract = row.contract
        assert contract.final_invoice_requested_at is not None
        assert contract.status == "active"  # its second location is still supplied
        change = PortalChange.objects.get(kind="move_out", customer_number=site["data"]["number"])
        assert change.data["final_invoice_due"] is True
    assert outbox("org_noord", site["data"]["email"], "move_out_processed")
    again = resident.post("/api/portal/move-outs/", move_out_payload(site), format="json")
    assert again.json()["location_id"] == ["You already moved out of this address."]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"move_out_date": (TODAY + timedelta(days=200)).isoformat()}, "move_out_date"),
        ({"move_out_date": (TODAY - timedelta(days=90)).isoformat()}, "move_out_date"),
        ({"readings": []}, "readings"),
        ({"forwarding_address": {"street": "x"}}, "forwarding_address"),
    ],
)
def test_move_out_bad_input(site, client_for, changes, field):
    resident = resident_client(client_for, site["data"])
    response = resident.post("/api/portal/move-outs/", move_out_payload(site, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json()
    with schema_context("org_noord"):
        assert not MoveOutRequest.objects.exists()


def test_move_out_of_a_contract_that_is_not_yours_is_404(site, client_for):
    other = billing_customer()
    resident = resident_client(client_for, other)
    response = resident.post("/api/portal/move-outs/", move_out_payload(site), format="json")
    assert response.status_code == 404


def test_staff_reject_move_out(site, client_for):
    resident = resident_client(client_for, site["data"])
    created = resident.post("/api/portal/move-outs/", move_out_payload(site), format="json").json()
    staff = as_staff_client(client_for("portal.noord.test"))
    rejected = staff.post(
        f"/api/admin/move-outs/{created['id']}/reject/", {"reason": "Contract is transferred"}, format="json"
    )
    assert rejected.json()["status"] == "rejected"
    assert (
        "Contract is transferred"
        in outbox("org_noord", site["data"]["email"], "move_out_rejected")[-1].body_text
    )


def test_move_in_can_be_switched_off_by_the_operator(site, noord):
    from tenants.services import update_organisation

    update_organisation(organisation=noord, features={"move_in": False})
    response = site["client"].post("/api/moves/move-in/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "feature_disabled"
