"""Moving in (7 steps, anyone) and moving out (residents), with the staff's decisions."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from consumption.models import RegisterReading
from contracts.models import Contract
from customers.models import Customer
from integration.models import PortalChange
from moves import move_in
from moves.models import MoveInRequest
from tests.support.factories import last_link, outbox
from tests.support.moves import BRUSSELS, TODAY, complete, good_steps, jpeg, put, staff_for, start, submitted
from tests.support.residents import resident_client
from tests.support.staff import as_staff_client


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


def test_staff_approve_creates_customer_contract_and_invitation(site, client_for):
    key = complete(site)
    site["client"].post(f"/api/moves/move-in/{key}/submit/")
    staff = staff_for(client_for)
    [request] = staff.get("/api/admin/move-ins/?status=submitted").json()["results"]
    approved = staff.post(f"/api/admin/move-ins/{request['id']}/approve/")
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["status"] == "approved"
    # The address is still supplied under the previous resident's contract: staff are warned.
    [warning] = body["warnings"]
    assert warning["code"] == "location_still_supplied"
    assert f"K-{site['data']['number'][2:]}-1" in warning["detail"]
    with schema_context("org_noord"):
        customer = Customer.objects.get(pk=body["created_customer"])
        assert (customer.last_name, customer.email, customer.language) == ("Nieuw", "nina@example.test", "nl")
        contract = Contract.objects.get(pk=body["created_contract"])
        assert (contract.status, contract.start_date) == ("active", TODAY - timedelta(days=3))
        row = contract.contract_locations.get()
        assert row.location_id == site["location"].pk
        assert row.move_in_date == TODAY - timedelta(days=3)
        assert row.services == ["heating"]  # the only meter at the address is a heat meter
        [reading] = RegisterReading.objects.filter(meter_id__in=site["meters"])
        assert reading.value == Decimal("1234.5")
        assert reading.taken_at == datetime.combine(TODAY - timedelta(days=3), time.min, BRUSSELS)
        assert MoveInRequest.objects.get(pk=request["id"]).readings_recorded_at is not None
        assert PortalChange.objects.filter(kind="move_in", customer_number=customer.customer_number).exists()
    invitation = outbox("org_noord", "nina@example.test", "portal_invitation")
    assert invitation
    assert "/activate/" in invitation[-1].body_text
    again = staff.post(f"/api/admin/move-ins/{request['id']}/approve/")
    assert (again.status_code, again.json()["code"]) == (409, "not_submitted")


def test_staff_reject_with_a_reason(site):
    key = complete(site)
    site["client"].post(f"/api/moves/move-in/{key}/submit/")
    staff = as_staff_client(
        site["client"].__class__(HTTP_HOST="portal.noord.test", HTTP_ACCEPT_LANGUAGE="en")
    )
    [request] = staff.get("/api/admin/move-ins/?status=submitted").json()["results"]
    empty = staff.post(f"/api/admin/move-ins/{request['id']}/reject/", {"reason": "  "}, format="json")
    assert empty.status_code == 400
    assert empty.json()["code"] == "required"
    assert empty.json()["reason"] == ["Say why the request is rejected; the applicant receives it."]
    with schema_context("org_noord"):
        assert MoveInRequest.objects.get(pk=request["id"]).status == "submitted"
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


def test_move_in_can_be_switched_off_by_the_operator(site, noord):
    from tenants.services import update_organisation

    update_organisation(organisation=noord, features={"move_in": False})
    response = site["client"].post("/api/moves/move-in/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "feature_disabled"


# -- drafts: the key expires, shows only the status once submitted; abandoned drafts are purged ------
def test_a_submitted_draft_shows_only_its_status(site):
    client = site["client"]
    key = complete(site)
    before = client.get(f"/api/moves/move-in/{key}/").json()
    assert before["steps"]["6"]["iban"] == "BE71096123456769"  # the key holder sees the draft
    submitted_body = client.post(f"/api/moves/move-in/{key}/submit/").json()
    assert "steps" not in submitted_body
    assert submitted_body["status"] == "submitted"
    after = client.get(f"/api/moves/move-in/{key}/")
    assert after.status_code == 200
    # The status, and why it was rejected or which readings to correct: nothing personal.
    assert set(after.json()) == {
        "reference",
        "status",
        "submitted_at",
        "rejection_reason",
        "readings_to_correct",
    }
    for secret in ("BE71096123456769", "Nieuw", "+32 470 11 22 33", "nina@example.test"):
        assert secret not in after.content.decode()
    photo = client.post(
        f"/api/moves/move-in/{key}/photos/",
        {"meter_id": site["meters"][0], "photo": jpeg()},
        format="multipart",
    )
    assert (photo.status_code, photo.json()["code"]) == (409, "already_submitted")


def test_a_draft_key_expires_and_the_emailed_link_gives_a_new_one(site, settings):
    client = site["client"]
    key = start(client)
    put(client, key, 1, {"location_id": site["location"].pk})
    put(client, key, 4, {"email": "late@example.test", "language": "nl"})
    with schema_context("org_noord"):
        request = MoveInRequest.objects.get(key_hash=move_in._hash(key))
        # Every save keeps the key alive for MOVE_IN_DRAFT_KEY_DAYS.
        assert request.key_expires_at > timezone.now() + timedelta(days=settings.MOVE_IN_DRAFT_KEY_DAYS - 1)
        MoveInRequest.objects.filter(pk=request.pk).update(
            key_expires_at=timezone.now() - timedelta(seconds=1)
        )
    expired = client.get(f"/api/moves/move-in/{key}/")
    assert (expired.status_code, expired.json()["code"]) == (410, "draft_expired")
    step = put(client, key, 2, good_steps(site)[2])
    assert (step.status_code, step.json()["code"]) == (410, "draft_expired")
    token = last_link("org_noord", "late@example.test", "move_in_resume", "/move-in/resume/")
    resumed = client.post("/api/moves/move-in/resume/", {"token": token}, format="json").json()
    assert client.get(f"/api/moves/move-in/{resumed['key']}/").json()["completed_steps"] == [1, 4]


def test_abandoned_drafts_and_their_photos_are_purged(site, settings, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    from credentials.models import OneTimeToken
    from moves.models import MeterPhoto
    from moves.tasks import purge_abandoned_drafts

    client = site["client"]
    old_key = start(client)
    put(client, old_key, 1, {"location_id": site["location"].pk})
    put(client, old_key, 4, {"email": "gone@example.test", "language": "nl"})
    client.post(
        f"/api/moves/move-in/{old_key}/photos/",
        {"meter_id": site["meters"][0], "photo": jpeg()},
        format="multipart",
    )
    token = last_link("org_noord", "gone@example.test", "move_in_resume", "/move-in/resume/")
    recent_key = start(client)
    kept_submission = submitted(site)
    with schema_context("org_noord"):
        old = MoveInRequest.objects.get(key_hash=move_in._hash(old_key))
        [photo_name] = MeterPhoto.objects.filter(move_in=old).values_list("file", flat=True)
        assert default_storage.exists(photo_name)
        long_ago = timezone.now() - timedelta(days=settings.MOVE_IN_DRAFT_RETENTION_DAYS + 1)
        MoveInRequest.objects.filter(pk__in=[old.pk, kept_submission]).update(updated_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_abandoned_drafts() == 1
    with schema_context("org_noord"):
        assert not MoveInRequest.objects.filter(pk=old.pk).exists()
        assert not MeterPhoto.objects.filter(move_in_id=old.pk).exists()
        assert not OneTimeToken.objects.filter(subject=f"move_in:{old.pk}").exists()
        assert MoveInRequest.objects.filter(key_hash=move_in._hash(recent_key)).exists()
        assert MoveInRequest.objects.get(pk=kept_submission).status == "submitted"
        assert not default_storage.exists(photo_name)
    assert client.get(f"/api/moves/move-in/{old_key}/").status_code == 404
    gone = client.post("/api/moves/move-in/resume/", {"token": token}, format="json")
    assert (gone.status_code, gone.json()["code"]) == (400, "token_invalid")


def test_the_openapi_document_says_a_drafts_address_may_be_null(db, client_for):
    document = client_for("portal.noord.test").get("/api/schema/?format=json").json()
    address = document["components"]["schemas"]["MoveIn"]["properties"]["address"]
    assert (address["type"], address["nullable"]) == ("string", True)
    status = document["components"]["schemas"]["MoveIn"]["properties"]["status"]["$ref"]
    statuses = document["components"]["schemas"][status.rsplit("/", 1)[-1]]["enum"]
    assert "cancelled" not in statuses  # only move-outs are cancelled
