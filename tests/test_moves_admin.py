"""Staff decisions on move-ins: readings now or on the day, refusals, existing logins, who may act."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from consumption.models import RegisterReading
from contracts.models import Contract
from customers.models import Customer
from moves.models import MoveInRequest
from moves.tasks import complete_due_moves
from tests.support.billing_data import billing_customer
from tests.support.common import data_queries
from tests.support.consumption_data import ingest_rows
from tests.support.factories import outbox
from tests.support.moves import BRUSSELS, TODAY, good_steps, make_site, put, staff_for, submitted
from tests.support.residents import resident_client
from tests.support.staff import add_staff


@pytest.fixture
def site(db, client_for):
    return make_site(client_for)


def approve(staff, request_id, **body):
    return staff.post(f"/api/admin/move-ins/{request_id}/approve/", body, format="json")


def test_a_future_move_in_records_its_readings_when_the_day_has_come(site, client_for):
    future = TODAY + timedelta(days=5)
    request_id = submitted(site, {2: {"move_in_date": future.isoformat()}})
    staff = staff_for(client_for)
    approved = approve(staff, request_id)
    assert approved.status_code == 200, approved.content
    assert approved.json()["readings_recorded_at"] is None
    with schema_context("org_noord"):
        assert not RegisterReading.objects.filter(meter_id__in=site["meters"]).exists()
    assert complete_due_moves() == 0  # not yet
    with schema_context("org_noord"):
        # The days pass: the move-in day is now yesterday.
        MoveInRequest.objects.filter(pk=request_id).update(move_in_date=TODAY - timedelta(days=1))
    assert complete_due_moves() == 1
    with schema_context("org_noord"):
        [reading] = RegisterReading.objects.filter(meter_id__in=site["meters"])
        assert reading.value == Decimal("1234.5")
        assert reading.taken_at == datetime.combine(TODAY - timedelta(days=1), time.min, BRUSSELS)
        request = MoveInRequest.objects.get(pk=request_id)
        assert request.readings_recorded_at is not None
        assert request.readings_refused == []
    assert complete_due_moves() == 0  # recorded once


def test_a_refused_move_in_reading_is_a_400_and_nothing_is_created(site, client_for):
    request_id = submitted(site)
    day = TODAY - timedelta(days=5)
    meter = site["data"]["meters"]["heat1"]
    stored = datetime.combine(day, time(12), BRUSSELS).isoformat()
    assert (
        ingest_rows([{"meter": meter, "timestamp": stored, "kind": "register", "value": "5000"}]).accepted
        == 1
    )
    response = approve(staff_for(client_for), request_id)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "reading_refused"
    [message] = body["readings"]
    assert f"H1-{site['data']['ext']}" in message
    assert "1234.5" in message
    with schema_context("org_noord"):
        # Nothing of the decision is written; the applicant is asked to correct the reading.
        assert MoveInRequest.objects.get(pk=request_id).status == "correction"
        assert not Customer.objects.filter(email="nina@example.test").exists()
        assert not Contract.objects.filter(number__startswith="MIC-").exists()


def test_a_future_move_in_below_a_stored_reading_is_refused_at_approval(site, client_for):
    request_id = submitted(site, {2: {"move_in_date": (TODAY + timedelta(days=3)).isoformat()}})
    stored = datetime.combine(TODAY - timedelta(days=1), time(8), BRUSSELS).isoformat()
    ingest_rows(
        [{"meter": site["data"]["meters"]["heat1"], "timestamp": stored, "kind": "register", "value": "9000"}]
    )
    response = approve(staff_for(client_for), request_id)
    assert (response.status_code, response.json()["code"]) == (400, "reading_refused")
    assert "below the last recorded reading (9000)" in response.json()["readings"][0]


def test_a_visitor_whose_email_is_already_a_portal_login(site, client_for):
    """An existing resident moving without logging in: staff choose, nothing breaks later."""
    resident_client(client_for, site["data"])  # the address is this resident's portal login
    login = site["data"]["email"]
    contact = {"email": login, "phone": "", "language": "nl"}
    staff = staff_for(client_for)
    first = submitted(site, {4: contact})
    refused = approve(staff, first)
    assert refused.status_code == 409
    assert refused.json()["code"] == "email_is_portal_login"
    assert site["data"]["number"] in refused.json()["on_existing_login"][0]
    with schema_context("org_noord"):
        assert MoveInRequest.objects.get(pk=first).status == "submitted"
        assert not Customer.objects.filter(customer_number=f"MI-{first:06d}").exists()
    bad = approve(staff, first, on_existing_login="whatever")
    assert bad.status_code == 400
    assert "on_existing_login" in bad.json()

    linked = approve(staff, first, on_existing_login="link")
    assert linked.status_code == 200, linked.content
    with schema_context("org_noord"):
        existing = Customer.objects.get(customer_number=site["data"]["number"])
        assert linked.json()["created_customer"] == existing.pk
        assert Contract.objects.get(pk=linked.json()["created_contract"]).customer_id == existing.pk
    assert not outbox("org_noord", login, "portal_invitation")
    [approved_email] = outbox("org_noord", login, "move_in_approved")
    assert f"MIC-{first:06d}" in approved_email.body_text

    second = submitted(site, {4: contact})
    separate = approve(staff, second, on_existing_login="new_customer")
    assert separate.status_code == 200
    assert [w["code"] for w in separate.json()["warnings"]] == [
        "location_still_supplied",
        "invitation_not_sent",
    ]
    with schema_context("org_noord"):
        new = Customer.objects.get(pk=separate.json()["created_customer"])
        assert new.customer_number == f"MI-{second:06d}"
        assert not hasattr(new, "portal_account")
    assert not outbox("org_noord", login, "portal_invitation")  # no invitation that could clash


def test_an_identity_of_another_organisation_is_invited_with_a_warning(site, client_for):
    other = billing_customer("org_zuid", email="both@example.test")
    resident_client(client_for, other, schema="org_zuid", host="portal.zuid.test")
    request_id = submitted(site, {4: {"email": "both@example.test", "phone": "", "language": "fr"}})
    response = approve(staff_for(client_for), request_id)
    assert response.status_code == 200
    assert "existing_identity" in [w["code"] for w in response.json()["warnings"]]
    assert outbox("org_noord", "both@example.test", "portal_invitation")


def test_a_logged_in_residents_move_in_is_approved_with_an_email(site, client_for):
    resident = resident_client(client_for, site["data"])
    draft = resident.post("/api/portal/move-in/").json()
    steps = good_steps(site)
    for number in (1, 2, 5, 6, 7):
        assert put(site["client"], draft["key"], number, steps[number]).status_code == 200
    assert site["client"].post(f"/api/moves/move-in/{draft['key']}/submit/").status_code == 201
    staff = staff_for(client_for)
    [row] = staff.get("/api/admin/move-ins/?status=submitted").json()["results"]
    approved = approve(staff, row["id"])
    assert approved.status_code == 200
    with schema_context("org_noord"):
        customer = Customer.objects.get(customer_number=site["data"]["number"])
        assert approved.json()["created_customer"] == customer.pk == approved.json()["existing_customer"]
    [email] = outbox("org_noord", site["data"]["email"], "move_in_approved")
    assert site["location"].one_line in email.body_text
    assert not outbox("org_noord", site["data"]["email"], "portal_invitation")


def test_who_may_see_and_decide_move_ins(site, client_for):
    request_id = submitted(site)
    add_staff("helpdesk@noord.test", "support")
    support = staff_for(client_for, email="helpdesk@noord.test")
    assert support.get("/api/admin/move-ins/").status_code == 200  # support staff may look
    refused = approve(support, request_id)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    rejected = support.post(f"/api/admin/move-ins/{request_id}/reject/", {"reason": "x"}, format="json")
    assert rejected.status_code == 403
    resident = resident_client(client_for, site["data"])
    for path in ("/api/admin/move-ins/", f"/api/admin/move-ins/{request_id}/"):
        assert resident.get(path).status_code == 403
    assert approve(resident, request_id).status_code == 403
    with schema_context("org_noord"):
        assert MoveInRequest.objects.get(pk=request_id).status == "submitted"


def test_another_organisations_staff_cannot_reach_move_ins(site, client_for):
    request_id = submitted(site)
    zuid_staff = staff_for(client_for, host="portal.zuid.test", email="admin@zuid.test")
    assert zuid_staff.get(f"/api/admin/move-ins/{request_id}/").status_code == 404
    assert approve(zuid_staff, request_id).status_code == 404
    assert zuid_staff.get("/api/admin/move-ins/").json()["results"] == []
    # Zuid's token replayed on Noord's domain is unknown there.
    replay = client_for("portal.noord.test")
    replay.credentials(HTTP_AUTHORIZATION=zuid_staff._credentials["HTTP_AUTHORIZATION"])
    assert replay.get("/api/admin/move-ins/").status_code == 401
    assert approve(replay, request_id).status_code == 401
    with schema_context("org_noord"):
        assert MoveInRequest.objects.get(pk=request_id).status == "submitted"


def test_meter_photos_are_served_to_this_organisations_staff_only(site, client_for):
    from tests.support.moves import jpeg, start

    client = site["client"]
    key = start(client)
    put(client, key, 1, {"location_id": site["location"].pk})
    photo = client.post(
        f"/api/moves/move-in/{key}/photos/",
        {"meter_id": site["meters"][0], "photo": jpeg()},
        format="multipart",
    ).json()
    staff = staff_for(client_for)
    served = staff.get(f"/api/admin/meter-photos/{photo['id']}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content)[:3] == b"\xff\xd8\xff"
    zuid_staff = staff_for(client_for, host="portal.zuid.test", email="admin@zuid.test")
    assert zuid_staff.get(f"/api/admin/meter-photos/{photo['id']}/").status_code == 404
    assert client_for("portal.noord.test").get(f"/api/admin/meter-photos/{photo['id']}/").status_code == 401
    assert (
        resident_client(client_for, site["data"]).get(f"/api/admin/meter-photos/{photo['id']}/").status_code
        == 403
    )


def _count(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        assert response.status_code == 200
    return len(data_queries(queries))


def test_the_move_in_list_costs_the_same_queries_for_2_and_6_requests(site, client_for):
    staff = staff_for(client_for)
    for _ in range(2):
        submitted(site)
    two = _count(staff, "/api/admin/move-ins/")
    for _ in range(4):
        submitted(site)
    assert len(staff.get("/api/admin/move-ins/").json()["results"]) == 6
    assert _count(staff, "/api/admin/move-ins/") == two


def test_staff_search_move_ins(site, client_for):
    nina = submitted(site)
    other = submitted(
        site,
        {
            3: {"kind": "person", "first_name": "Otto", "last_name": "Ander"},
            4: {"email": "otto@example.test", "phone": "", "language": "nl"},
        },
    )
    staff = staff_for(client_for)

    def ids(query):
        return [row["id"] for row in staff.get(f"/api/admin/move-ins/?search={query}").json()["results"]]

    assert ids("Ander") == [other]
    assert ids("nina@example") == [nina]
    assert ids(f"MI-{nina:06d}") == [nina]
    assert sorted(ids("main street")) == sorted([nina, other])
    assert ids("nobody-like-this") == []


@pytest.mark.parametrize("path", ["/api/moves/locations/?q=main street", "/api/moves/move-in/"])
def test_moving_in_does_not_use_up_the_login_throttle(site, client_for, path):
    client = client_for("portal.noord.test")
    for _ in range(35):  # more than the login's 30 per minute
        response = client.post(path, {}, format="json") if path.endswith("move-in/") else client.get(path)
        assert response.status_code in (200, 201)
    resident_login = client.post(
        "/api/auth/login/", {"email": "admin@noord.test", "password": "wrong-password-1"}, format="json"
    )
    assert resident_login.status_code == 400  # a normal answer, not 429


def test_the_address_search_has_its_own_limit(site, client_for, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "location_search", "3/min")
    client = client_for("portal.noord.test")
    statuses = [client.get("/api/moves/locations/?q=main").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/api/moves/locations/?q=main").json()["code"] == "throttled"
    assert client.post("/api/moves/move-in/", {}, format="json").status_code == 201  # another counter
