"""My details (audited, email change confirmed by the new address), help requests, FAQ, change feed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.models import User
from activity.models import ActivityEvent
from customers.models import Customer
from integration.models import PortalChange
from tests.support.billing_data import PDF_BYTES, billing_customer
from tests.support.common import data_queries
from tests.support.factories import last_link, outbox
from tests.support.residents import PASSWORD, resident_client
from tests.support.staff import as_staff_client


@pytest.fixture
def resident(db, client_for):
    data = billing_customer()
    return data, resident_client(client_for, data)


def test_details_view_and_audited_change(resident):
    data, client = resident
    body = client.get("/api/portal/details/").json()
    assert body["customer_number"] == data["number"]
    assert body["addresses"]["billing"]["street"] == "Main street"
    assert body["addresses"]["personal"] is None
    changed = client.patch(
        "/api/portal/details/",
        {
            "phone": "+32 470 99 88 77",
            "billing_preference": "post",
            "language": "fr",
            "addresses": {
                "personal": {
                    "street": "Home lane",
                    "house_number": "3",
                    "postal_code": "9000",
                    "city": "Gent",
                }
            },
        },
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["billing_preference"] == "post"
    assert changed.json()["addresses"]["personal"]["street"] == "Home lane"
    assert changed["Content-Language"] == "fr"
    with schema_context("org_noord"):
        event = ActivityEvent.objects.get(customer__customer_number=data["number"], kind="details_changed")
        assert set(event.data["changes"]) == {"phone", "billing_preference", "language", "address_personal"}
        assert event.data["changes"]["billing_preference"] == {"from": "email", "to": "post"}
        assert PortalChange.objects.filter(kind="customer_details", customer_number=data["number"]).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"phone": "call me maybe"}, "phone"),
        ({"billing_preference": "pigeon"}, "billing_preference"),
        ({"addresses": {"billing": {"street": "x"}}}, "addresses"),
        ({"addresses": {"billing": None}}, "addresses"),
    ],
)
def test_details_bad_input(resident, payload, field):
    _data, client = resident
    response = client.patch("/api/portal/details/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_email_change_takes_effect_only_when_the_new_address_confirms(resident, client_for):
    data, client = resident
    wrong = client.post(
        "/api/portal/details/email/", {"new_email": "new@example.test", "password": "nope"}, format="json"
    )
    assert wrong.json()["code"] == "wrong_password"
    response = client.post(
        "/api/portal/details/email/", {"new_email": "New@Example.test", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 202
    assert client.get("/api/portal/details/").json()["email"] == data["email"]  # not yet
    assert outbox("org_noord", data["email"], "email_change_notice")
    token = last_link("org_noord", "new@example.test", "email_change_confirm", "/confirm-email/")
    confirmed = client_for("portal.noord.test").post(
        "/api/auth/email/confirm/", {"token": token}, format="json"
    )
    assert confirmed.json()["email"] == "new@example.test"
    assert client.get("/api/portal/details/").json()["email"] == "new@example.test"
    assert User.objects.filter(email="new@example.test").exists()
    login = client_for("portal.noord.test").post(
        "/api/auth/login/", {"email": "new@example.test", "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200
    assert (
        client_for("portal.noord.test")
        .post("/api/auth/email/confirm/", {"token": token}, format="json")
        .json()["code"]
        == "token_used"
    )


def request_change(client, new_email):
    return client.post(
        "/api/portal/details/email/", {"new_email": new_email, "password": PASSWORD}, format="json"
    )


def confirm_change(client_for, new_email):
    token = last_link("org_noord", new_email, "email_change_confirm", "/confirm-email/")
    return client_for("portal.noord.test").post("/api/auth/email/confirm/", {"token": token}, format="json")


def test_email_change_to_an_address_with_another_login_answers_as_any_other(resident, client_for):
    """Asking reveals nothing about the address: the owner is told, nothing changes, no link exists."""
    data, client = resident
    User.objects.create_user("taken@example.test", "some-other-password-1")
    request_change(client, "warm-up@example.test")  # routing and caches, not what is compared
    answers, counts = [], []
    for address in ("taken@example.test", "free@example.test"):
        with CaptureQueriesContext(connection) as queries:
            response = request_change(client, address)
        answers.append((response.status_code, response.json()))
        counts.append(len(data_queries(queries)))
    assert (
        answers[0]
        == answers[1]
        == (
            202,
            {
                "code": "confirmation_sent",
                "detail": "Confirm the change with the link sent to the new address.",
            },
        )
    )
    assert counts[0] == counts[1]
    assert not outbox("org_noord", "taken@example.test", "email_change_confirm")
    [notice] = outbox("org_noord", "taken@example.test", "email_change_address_in_use")
    assert "This address already has a login with us, so nothing was changed." in notice.body_text
    assert "/confirm-email/" not in notice.body_text + notice.body_html
    assert len(outbox("org_noord", data["email"], "email_change_notice")) == 3  # the same for the old address
    assert outbox("org_noord", "free@example.test", "email_change_confirm")
    with schema_context("org_noord"):
        event = ActivityEvent.objects.filter(kind="email_change_requested").order_by("created_at", "id")[1]
        assert event.data == {"to": "taken@example.test", "address_in_use": True}  # for staff only
    assert client.get("/api/portal/details/").json()["email"] == data["email"]
    # Free when asked, taken before the link is used: refused at confirmation, nothing changes.
    assert request_change(client, "later@example.test").status_code == 202
    User.objects.create_user("later@example.test", "some-other-password-2")
    late = confirm_change(client_for, "later@example.test")
    assert (late.status_code, late.json()["code"]) == (400, "address_in_use")
    assert late.json()["token"] == ["This address is already used for another login. Choose another address."]
    assert client.get("/api/portal/details/").json()["email"] == data["email"]
    assert User.objects.filter(email=data["email"]).exists()
    # The link to free@ was replaced by the later request: one pending change at a time.
    stale = confirm_change(client_for, "free@example.test")
    assert stale.json()["code"] == "token_invalid"


def test_email_change_to_the_address_of_a_pending_registration(resident, client_for):
    """Another customer's registration waits for confirmation with the address: no 500, no tell."""
    from memberships.services.registration import register_resident
    from tenants.models import Organisation

    data, client = resident
    noord = Organisation.objects.get(schema_name="org_noord")
    first = billing_customer(email="pending@example.test")
    with schema_context("org_noord"):
        register_resident(
            organisation=noord,
            customer_number=first["number"],
            email="pending@example.test",
            password=PASSWORD,
        )
    asked = request_change(client, "pending@example.test")
    assert (asked.status_code, asked.json()["code"]) == (202, "confirmation_sent")
    assert outbox("org_noord", "pending@example.test", "email_change_address_in_use")
    assert not outbox("org_noord", "pending@example.test", "email_change_confirm")

    assert request_change(client, "soon@example.test").status_code == 202
    second = billing_customer(email="soon@example.test")
    with schema_context("org_noord"):
        register_resident(
            organisation=noord, customer_number=second["number"], email="soon@example.test", password=PASSWORD
        )
    late = confirm_change(client_for, "soon@example.test")
    assert (late.status_code, late.json()["code"]) == (400, "address_in_use")
    assert client.get("/api/portal/details/").json()["email"] == data["email"]


def test_email_change_follows_the_person_into_every_organisation(resident, client_for):
    """One identity, resident of Noord and resident and staff of Zuid: the login changes everywhere."""
    from memberships.models import PortalAccount, StaffMembership
    from tests.support.staff import add_staff

    data, client = resident
    zuid = billing_customer("org_zuid", email=data["email"])
    resident_client(client_for, zuid, schema="org_zuid", host="portal.zuid.test")
    add_staff(data["email"], "staff", schema="org_zuid")
    user = User.objects.get(email=data["email"])
    assert request_change(client, "moved@example.test").status_code == 202
    confirmed = confirm_change(client_for, "moved@example.test")
    assert confirmed.status_code == 200
    assert confirmed.json() == {
        "code": "email_changed",
        "detail": "Your email address was changed.",
        "email": "moved@example.test",
    }
    user.refresh_from_db()
    assert user.email == "moved@example.test"
    for schema in ("org_noord", "org_zuid"):
        with schema_context(schema):
            assert PortalAccount.objects.get(user=user).login_email == "moved@example.test"
    with schema_context("org_zuid"):
        assert StaffMembership.objects.get(user=user).email == "moved@example.test"
        assert Customer.objects.get(customer_number=zuid["number"]).email == data["email"]  # billing data
    zuid_login = client_for("portal.zuid.test").post(
        "/api/auth/login/", {"email": "moved@example.test", "password": PASSWORD}, format="json"
    )
    assert zuid_login.status_code == 200, zuid_login.content
    old_login = client_for("portal.zuid.test").post(
        "/api/auth/login/", {"email": data["email"], "password": PASSWORD}, format="json"
    )
    assert old_login.status_code == 400


def test_email_change_is_refused_during_impersonation(resident, client_for):
    data, _client = resident
    staff = as_staff_client(client_for("portal.noord.test"))
    with schema_context("org_noord"):
        from customers.models import Customer

        customer_id = Customer.objects.get(customer_number=data["number"]).pk
    key = staff.post(f"/api/admin/customers/{customer_id}/portal/impersonate/", {}, format="json").json()[
        "key"
    ]
    impersonating = client_for("portal.noord.test")
    impersonating.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = impersonating.post(
        "/api/portal/details/email/", {"new_email": "x@example.test", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed_during_impersonation"
    assert not outbox("org_noord", "x@example.test")
    with schema_context("org_noord"):
        from credentials.models import OneTimeToken

        assert not OneTimeToken.objects.filter(purpose="email_change", email="x@example.test").exists()


def test_visitor_help_request(client_for, db):
    visitor = client_for("portal.noord.test")
    missing = visitor.post(
        "/api/support/tickets/", {"kind": "question", "subject": "Hi", "message": "Q"}, format="json"
    )
    assert missing.json()["code"] == "required"
    created = visitor.post(
        "/api/support/tickets/",
        {
            "kind": "meter_problem",
            "subject": "Meter blinks",
            "message": "It blinks red.",
            "name": "Vera",
            "email": "vera@example.test",
        },
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["status"] == "open"
    [to_support] = outbox("org_noord", "admin@noord.test", "ticket_new")  # no support address set: the admins
    assert "It blinks red." in to_support.body_text
    assert to_support.reply_to == "vera@example.test"
    assert outbox("org_noord", "vera@example.test", "ticket_received")
    bad_kind = visitor.post(
        "/api/support/tickets/",
        {"kind": "rant", "subject": "x", "message": "y", "email": "a@b.test"},
        format="json",
    )
    assert "kind" in bad_kind.json()


def test_resident_ticket_with_attachment_answered_by_staff(resident, client_for):
    data, client = resident
    fake = client.post(
        "/api/support/tickets/",
        {
            "kind": "payment_notice",
            "subject": "Paid",
            "message": "See proof",
            "attachment": SimpleUploadedFile("proof.pdf", b"MZ executable"),
        },
        format="multipart",
    )
    assert fake.json()["code"] == "invalid_file_type"
    created = client.post(
        "/api/support/tickets/",
        {
            "kind": "payment_notice",
            "subject": "Paid",
            "message": "See proof",
            "attachment": SimpleUploadedFile("proof.pdf", PDF_BYTES),
        },
        format="multipart",
    )
    assert created.status_code == 201
    ticket_id = created.json()["id"]
    assert [t["id"] for t in client.get("/api/portal/tickets/").json()["results"]] == [ticket_id]
    assert (
        client.get("/api/portal/overview/").json()["tickets"][0]["reference"] == created.json()["reference"]
    )
    staff = as_staff_client(client_for("portal.noord.test"))
    listed = staff.get("/api/admin/tickets/?status=open").json()["results"]
    assert any(row["id"] == ticket_id and row["messages"][0]["has_attachment"] for row in listed)
    answered = staff.post(
        f"/api/admin/tickets/{ticket_id}/reply/",
        {"message": "Thanks, received.", "close": True},
        format="json",
    )
    assert answered.json()["status"] == "closed"
    assert "Thanks, received." in outbox("org_noord", data["email"], "ticket_answered")[-1].body_text
    assert client.get(f"/api/portal/tickets/{ticket_id}/").json()["messages"][-1]["author"] == "staff"
    assert client.get("/api/portal/overview/").json()["tickets"] == []
    assert (
        staff.post(f"/api/admin/tickets/{ticket_id}/reply/", {"message": "more"}, format="json").status_code
        == 409
    )


def test_another_residents_ticket_is_404(resident, client_for):
    _data, client = resident
    other = billing_customer()
    other_client = resident_client(client_for, other)
    ticket_id = other_client.post(
        "/api/support/tickets/", {"kind": "question", "subject": "Mine", "message": "x"}, format="json"
    ).json()["id"]
    assert client.get(f"/api/portal/tickets/{ticket_id}/").status_code == 404


def test_faq_managed_by_staff_and_read_without_login(client_for, db):
    staff = as_staff_client(client_for("portal.noord.test"))
    category = staff.post(
        "/api/admin/faq/categories/",
        {"names": {"nl": "Facturen", "en": "Invoices"}, "position": 1},
        format="json",
    )
    assert category.status_code == 201
    entry = staff.post(
        "/api/admin/faq/entries/",
        {
            "category": category.json()["id"],
            "questions": {"nl": "Wanneer krijg ik mijn afrekening?", "en": "When do I get my settlement?"},
            "answers": {
                "nl": "<p>Elk jaar in <strong>maart</strong>.<script>x()</script></p>",
                "en": "<p>Every March.</p>",
            },
        },
        format="json",
    )
    assert entry.status_code == 201
    assert "<script" not in entry.json()["answers"]["nl"]
    hidden = staff.post(
        "/api/admin/faq/entries/",
        {
            "category": category.json()["id"],
            "questions": {"en": "Draft?"},
            "answers": {"en": "No"},
            "published": False,
        },
        format="json",
    )
    assert hidden.status_code == 201
    bad = staff.post(
        "/api/admin/faq/entries/",
        {"category": category.json()["id"], "questions": {"de": "Was?"}, "answers": {"en": "x"}},
        format="json",
    )
    assert bad.status_code == 400
    dutch = client_for("portal.noord.test", language="nl").get("/api/support/faq/").json()
    assert dutch == [
        {
            "id": category.json()["id"],
            "name": "Facturen",
            "entries": [
                {
                    "id": entry.json()["id"],
                    "question": "Wanneer krijg ik mijn afrekening?",
                    "answer": entry.json()["answers"]["nl"],
                }
            ],
        }
    ]
    french = client_for("portal.noord.test", language="fr").get("/api/support/faq/").json()
    assert french[0]["name"] == "Facturen"  # falls back to the organisation's language
    assert client_for("portal.zuid.test").get("/api/support/faq/").json() == []


def test_change_feed_for_the_billing_system(resident, client_for):
    data, client = resident
    client.patch("/api/portal/details/", {"phone": "+32 470 00 00 01"}, format="json")
    admin = as_staff_client(client_for("portal.noord.test"))
    key = admin.post("/api/admin/integration/tokens/", {"name": "billing"}, format="json").json()["key"]
    api = client_for("portal.noord.test")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    rows = api.get("/api/integration/changes/?after=0").json()
    mine = [row for row in rows if row["customer_number"] == data["number"]]
    assert mine[-1]["kind"] == "customer_details"
    assert mine[-1]["customer_external_id"] == data["ext"]
    assert mine[-1]["data"]["changes"]["phone"] == {"from": "", "to": "+32 470 00 00 01"}
    assert api.get(f"/api/integration/changes/?after={rows[-1]['id']}").json() == []
    bad = api.get("/api/integration/changes/?after=x")
    assert bad.status_code == 400
    assert "after" in bad.json()
    assert client.get("/api/integration/changes/").status_code == 403


def test_email_changes_have_their_own_throttle(resident, client_for, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    data, client = resident
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "email_change", "2/hour")
    statuses = [request_change(client, f"new{n}@example.test").status_code for n in range(3)]
    assert statuses == [202, 202, 429]
    login = client_for("portal.noord.test").post(
        "/api/auth/login/", {"email": data["email"], "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200  # the login counter is untouched
