"""Delete my account (issue 19): asked with the password, confirmed with the emailed link (48 h,
once), then the portal account and the personal data the organisation does not need are removed;
the customer and its billing data stay, and the resident can register again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from activity.models import ActivityEvent
from communications.models import OutboundEmail
from core.errors import RuleViolation
from credentials.models import AccessToken, OneTimeToken
from customers.models import Customer
from memberships.models import AccountEmailRequest, PortalAccount
from memberships.services.registration import confirm_registration, register_resident
from moves.models import MoveInRequest
from moves.move_in import start_draft
from notifications.models import NotificationPreference
from personal_data import deletion
from personal_data.models import DataExport, DeletionRequest
from tenants.models import Organisation
from tests.support.billing_data import billing_customer
from tests.support.deletion import CONFIRM, URL, ask, billing_rows, emailed_token
from tests.support.factories import last_link, outbox
from tests.support.organisations import PASSWORD as STAFF_PASSWORD
from tests.support.residents import PASSWORD, active_resident, login, resident_client
from tests.support.staff import add_staff, as_staff_client
from tests.support.web import logged_in

NOORD = "portal.noord.test"


def _customer(data, schema="org_noord") -> Customer:
    with schema_context(schema):
        return Customer.objects.get(customer_number=data["number"])


def _sessions_of(user_id: int, schema="org_noord") -> int:
    with schema_context(schema):
        return sum(
            1 for s in Session.objects.all() if str(s.get_decoded().get("_auth_user_id")) == str(user_id)
        )


def test_asking_emails_a_link_and_deletes_nothing(resident, client_for):
    data, client = resident
    asked = ask(client, reason="Moving abroad")
    assert asked.status_code == 202, asked.content
    assert (asked.json()["status"], asked.json()["reason"]) == ("pending", "Moving abroad")
    [mail] = outbox("org_noord", data["email"], "account_deletion_confirm")
    assert "/delete-account/confirm/" in mail.body_text
    assert "accounting records" in mail.body_text
    latest = client.get(URL).json()["latest"]
    assert latest["status"] == "pending"
    expires = timezone.datetime.fromisoformat(latest["expires_at"].replace("Z", "+00:00"))
    assert timedelta(hours=47) < expires - timezone.now() <= timedelta(hours=48)
    assert client.get("/api/portal/me/").status_code == 200  # still there
    customer = _customer(data)
    with schema_context("org_noord"):
        assert PortalAccount.objects.filter(customer=customer).exists()
        assert ActivityEvent.objects.filter(customer=customer, kind="deletion_requested").count() == 1


def test_a_wrong_password_is_refused_and_writes_nothing(resident):
    data, client = resident
    refused = ask(client, password="not-my-password")
    assert refused.status_code == 400
    assert refused.json()["code"] == "wrong_password"
    assert "password" in refused.json()
    assert ask(client, password="").status_code == 400
    with schema_context("org_noord"):
        assert not DeletionRequest.objects.exists()
    assert outbox("org_noord", data["email"], "account_deletion_confirm") == []


def test_staff_acting_as_the_resident_cannot_ask_or_cancel(resident, client_for):
    data, _client = resident
    staff = as_staff_client(client_for(NOORD))
    customer = _customer(data)
    started = staff.post(f"/api/admin/customers/{customer.pk}/portal/impersonate/", {}, format="json")
    impersonating = client_for(NOORD)
    impersonating.credentials(HTTP_AUTHORIZATION=f"Token {started.json()['key']}")
    for response in (ask(impersonating), impersonating.delete(URL), impersonating.get(URL)):
        assert response.status_code == 403
        assert response.json()["code"] == "not_allowed_during_impersonation"
    with schema_context("org_noord"):
        account = PortalAccount.objects.select_related("user", "customer").get(customer=customer)
        with pytest.raises(RuleViolation) as refused:
            deletion.request_deletion(
                account=account, password=PASSWORD, organisation=None, impersonating=True
            )
    assert refused.value.code == "not_allowed_during_impersonation"


def _portal_data(data, customer) -> None:
    """What the portal holds about the resident beyond the account: a phone number entered in the
    portal, a notification choice, an archive with its file, move-in drafts, a pending email change."""
    client = resident_client_of(data)
    assert (
        client.patch("/api/portal/details/", {"phone": "+32 470 12 34 56"}, format="json").status_code == 200
    )
    changed = client.post(
        "/api/portal/details/email/",
        {"new_email": "new.address@example.test", "password": PASSWORD},
        format="json",
    )
    assert changed.status_code == 202
    with schema_context("org_noord"):
        account = PortalAccount.objects.get(customer=customer)
        NotificationPreference.objects.create(account=account, kind="invoice_available", enabled=False)
        AccountEmailRequest.objects.create(
            kind="password_reset", email=data["email"], language="en", ip="10.1.2.3"
        )
        export = DataExport.objects.create(customer=customer, requested_by=account, language="en")
        export.file.save("data-test.zip", ContentFile(b"PK archive"), save=True)
        start_draft(language="en", existing_customer=customer)
        anonymous = start_draft(language="en").request
        anonymous.email = data["email"]
        anonymous.save()


def resident_client_of(data):
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST=NOORD, HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {login(client, data['email']).json()['key']}")
    return client


def _assert_removed_here(data, customer, user, before: dict) -> None:
    """What the deletion removed in the organisation's schema, and what it left."""
    with schema_context("org_noord"):
        assert not PortalAccount.objects.filter(customer=customer).exists()
        assert not AccessToken.objects.filter(user_id=user.pk).exists()
        assert NotificationPreference.objects.count() == before["preferences"] - 1
        assert not DataExport.objects.filter(customer=customer).exists()
        assert not default_storage.exists(before["export_file"])
        assert MoveInRequest.objects.count() == before["drafts"] - 2
        assert not OneTimeToken.objects.filter(email__in=[data["email"], "new.address@example.test"]).exists()
        assert Customer.objects.get(pk=customer.pk).phone == ""
        assert not AccountEmailRequest.objects.filter(email=data["email"]).exists()
        events = list(ActivityEvent.objects.filter(customer=customer))
        assert len(events) == before["events"] + 3  # requested, confirmed, deleted
        assert all(event.ip is None and event.user_agent == "" for event in events)
        assert all(data["email"] not in str((event.actor_email, event.data)) for event in events)
        assert "+32 470" not in str([event.data for event in events])
        deleted = next(event for event in events if event.kind == "account_deleted")
        assert deleted.actor == "resident"
        request = DeletionRequest.objects.get(customer=customer)
        assert (request.status, request.email, request.reason) == ("completed", "", "Too many emails")
        assert len(request.email_hash) == 64
        assert request.identity_deleted
        assert request.removed["data_exports"] == 1
        assert request.removed["move_in_drafts"] == 2
        assert request.removed["notification_choices"] == 1
        # The outbox's copies of earlier emails are gone; the goodbye is the one left to the address.
        assert list(OutboundEmail.objects.filter(to=data["email"]).values_list("template", flat=True)) == [
            "account_deleted"
        ]
        assert (
            list(ActivityEvent.objects.filter(customer=before["neighbour"]).values("ip", "actor_email"))
            == before["neighbour_events"]
        )


def test_confirming_removes_the_account_and_personal_data_and_keeps_billing(
    resident, client_for, django_capture_on_commit_callbacks
):
    data, client = resident
    customer = _customer(data)
    other = billing_customer(email="neighbour.keeps@example.test")
    neighbour = resident_client(client_for, other)
    _portal_data(data, customer)
    browser = logged_in(data)
    user = User.objects.get(email=data["email"])
    with schema_context("org_noord"):
        export_file = DataExport.objects.get(customer=customer).file.name
        assert default_storage.exists(export_file)
        drafts_before = MoveInRequest.objects.count()
        preferences_before = NotificationPreference.objects.count()
        kept_before = billing_rows(customer.pk)
        assert kept_before["invoices"] >= 5
        events_before = ActivityEvent.objects.filter(customer=customer).count()
        neighbour_events = list(
            ActivityEvent.objects.filter(customer=_customer(other)).values("ip", "actor_email")
        )
    assert _sessions_of(user.pk) >= 1
    assert ask(client, reason="Too many emails").status_code == 202
    token = emailed_token(data["email"])

    with django_capture_on_commit_callbacks(execute=True):
        done = client_for(NOORD).post(CONFIRM, {"token": token}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["code"] == "account_deleted"

    assert billing_rows(customer.pk) == kept_before  # the customer and its billing data stay
    assert client.get("/api/portal/me/").status_code == 401  # its tokens are gone
    assert browser.get("/overview/")["Location"].startswith("/login/")  # and its sessions
    assert _sessions_of(user.pk) == 0
    assert not User.objects.filter(pk=user.pk).exists()  # used nowhere else: the identity goes too
    _assert_removed_here(
        data,
        customer,
        user,
        {
            "drafts": drafts_before,
            "preferences": preferences_before,
            "events": events_before,
            "export_file": export_file,
            "neighbour_events": neighbour_events,
            "neighbour": _customer(other),
        },
    )
    [goodbye] = outbox("org_noord", data["email"], "account_deleted")
    assert data["number"] in goodbye.body_text
    assert neighbour.get("/api/portal/me/").status_code == 200  # nobody else is touched
    assert login(client_for(NOORD), data["email"]).json()["code"] == "invalid_credentials"


def test_the_link_works_once_and_a_new_request_replaces_the_old_link(resident, client_for):
    data, client = resident
    ask(client)
    first = emailed_token(data["email"])
    ask(client)
    second = emailed_token(data["email"])
    assert first != second
    stale = client_for(NOORD).post(CONFIRM, {"token": first}, format="json")
    assert (stale.status_code, stale.json()["code"]) == (400, "token_invalid")
    with schema_context("org_noord"):
        assert DeletionRequest.objects.filter(status="pending").count() == 1
    assert client_for(NOORD).post(CONFIRM, {"token": second}, format="json").status_code == 200
    again = client_for(NOORD).post(CONFIRM, {"token": second}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] in ("token_invalid", "token_used")


def test_an_expired_link_deletes_nothing_and_the_request_expires(resident, client_for):
    data, client = resident
    ask(client)
    token = emailed_token(data["email"])
    past = timezone.now() - timedelta(minutes=1)
    with schema_context("org_noord"):
        OneTimeToken.objects.filter(purpose="account_deletion").update(expires_at=past)
        DeletionRequest.objects.update(expires_at=past)
    refused = client_for(NOORD).post(CONFIRM, {"token": token}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "token_expired")
    assert client.get("/api/portal/me/").status_code == 200
    with schema_context("org_noord"):
        assert deletion.expire_deletions() == 1
        request = DeletionRequest.objects.get()
        assert (request.status, request.email) == ("expired", "")
        OutboundEmail.objects.create(
            template="account_deleted",
            language="en",
            to="gone@example.test",
            from_email="x",
            subject="s",
            body_text="b",
            sent_at=timezone.now(),
        )
        OutboundEmail.objects.create(
            template="account_deleted",
            language="en",
            to="waiting@example.test",
            from_email="x",
            subject="s",
            body_text="b",
        )
        deletion.expire_deletions()
        # A goodbye email leaves the outbox once sent (the last copy of the address), not before.
        assert list(
            OutboundEmail.objects.filter(template="account_deleted").values_list("to", flat=True)
        ) == ["waiting@example.test"]
    assert client.get(URL).json()["latest"]["status"] == "expired"


def test_cancelling_keeps_the_account_and_kills_the_link(resident, client_for):
    data, client = resident
    ask(client)
    token = emailed_token(data["email"])
    cancelled = client.delete(URL)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    refused = client_for(NOORD).post(CONFIRM, {"token": token}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "token_invalid")
    nothing = client.delete(URL)
    assert (nothing.status_code, nothing.json()["code"]) == (404, "no_pending_deletion")
    assert client.get("/api/portal/me/").status_code == 200
    with schema_context("org_noord"):
        assert DeletionRequest.objects.get().email == ""
        assert ActivityEvent.objects.filter(kind="deletion_cancelled", actor="resident").count() == 1


def test_an_identity_used_by_another_organisation_stays_there(db, client_for):
    data = billing_customer(email="two.homes@example.test")
    there = billing_customer("org_zuid", email="two.homes@example.test")
    noord = resident_client(client_for, data)
    zuid = resident_client(client_for, there, schema="org_zuid", host="portal.zuid.test")
    ask(noord)
    assert (
        client_for(NOORD).post(CONFIRM, {"token": emailed_token(data["email"])}, format="json").status_code
        == 200
    )
    assert User.objects.filter(email="two.homes@example.test").exists()
    assert zuid.get("/api/portal/me/").status_code == 200
    assert login(client_for("portal.zuid.test"), there["email"]).status_code == 200
    assert login(client_for(NOORD), data["email"]).json()["code"] == "invalid_credentials"
    with schema_context("org_noord"):
        request = DeletionRequest.objects.get()
        assert not request.identity_deleted


def test_the_resident_can_register_again_with_the_customer_number(resident, client_for):
    data, client = resident
    ask(client)
    client_for(NOORD).post(CONFIRM, {"token": emailed_token(data["email"])}, format="json")
    organisation = Organisation.objects.get(schema_name="org_noord")
    with schema_context("org_noord"):
        register_resident(
            organisation=organisation,
            customer_number=data["number"],
            email=data["email"],
            password="a-new-password-42",
        )
        confirm_registration(
            raw_token=last_link("org_noord", data["email"], "registration_confirmation", "/confirm/")
        )
    assert login(client_for(NOORD), data["email"], "a-new-password-42").status_code == 200


def test_a_token_of_one_organisation_is_useless_on_another(resident, client_for):
    data, client = resident
    ask(client)
    token = emailed_token(data["email"])
    elsewhere = client_for("portal.zuid.test").post(CONFIRM, {"token": token}, format="json")
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (400, "token_invalid")
    assert client.get("/api/portal/me/").status_code == 200
    other = billing_customer(email="curious.neighbour@example.test")
    neighbour = resident_client(client_for, other)
    assert neighbour.get(URL).json()["latest"] is None
    assert neighbour.delete(URL).status_code == 404
    assert client.get(URL).json()["latest"]["status"] == "pending"  # the neighbour cancelled nothing
    zuid_staff = as_staff_client(client_for("portal.zuid.test"), "admin@zuid.test")
    assert zuid_staff.get("/api/admin/account-deletions/").json()["count"] == 0


def test_staff_list_filter_see_and_cancel(resident, client_for):
    data, client = resident
    other = billing_customer(email="done.deleting@example.test")
    done = resident_client(client_for, other)
    ask(done)
    client_for(NOORD).post(CONFIRM, {"token": emailed_token(other["email"])}, format="json")
    ask(client, reason="Privacy")
    staff = as_staff_client(client_for(NOORD))
    listed = staff.get("/api/admin/account-deletions/").json()
    assert listed["count"] == 2
    assert all("email" not in row for row in listed["results"])
    pending = staff.get("/api/admin/account-deletions/", {"status": "pending"}).json()["results"]
    assert [row["customer_number"] for row in pending] == [data["number"]]
    customer_id = _customer(other).pk
    by_customer = staff.get("/api/admin/account-deletions/", {"customer": customer_id}).json()["results"]
    assert [row["status"] for row in by_customer] == ["completed"]
    detail = staff.get(f"/api/admin/account-deletions/{by_customer[0]['id']}/").json()
    assert detail["removed"]["portal_account"] == 1
    bad = staff.get("/api/admin/account-deletions/", {"status": "nonsense"})
    assert bad.status_code == 400
    add_staff("support.desk@noord.test", "support")
    support = as_staff_client(client_for(NOORD), "support.desk@noord.test")
    assert support.get("/api/admin/account-deletions/").status_code == 200
    assert support.post(f"/api/admin/account-deletions/{pending[0]['id']}/cancel/").status_code == 403
    assert client.get("/api/admin/account-deletions/").status_code == 403  # residents never
    cancelled = staff.post(f"/api/admin/account-deletions/{pending[0]['id']}/cancel/")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert cancelled.json()["cancelled_by"] == "staff"
    again = staff.post(f"/api/admin/account-deletions/{pending[0]['id']}/cancel/")
    assert (again.status_code, again.json()["code"]) == (404, "no_pending_deletion")
    activity = staff.get(f"/api/admin/customers/{_customer(data).pk}/portal/activity/").json()["results"]
    assert [event["kind"] for event in activity[:2]] == ["deletion_cancelled", "deletion_requested"]
    assert activity[0]["actor"] == "staff"


def test_the_portal_card_says_the_account_was_deleted(resident, client_for):
    data, client = resident
    ask(client)
    client_for(NOORD).post(CONFIRM, {"token": emailed_token(data["email"])}, format="json")
    staff = as_staff_client(client_for(NOORD))
    card = staff.get(f"/api/admin/customers/{_customer(data).pk}/portal/").json()
    assert (card["has_account"], card["status"]) == (False, "no_account")
    assert card["account_deletion"]["status"] == "completed"
    assert card["account_deletion"]["completed_at"]


def test_a_resident_who_is_also_staff_here_keeps_the_staff_login(db, client_for):
    customer = active_resident(email="admin@noord.test")  # the administrator is also a customer here
    resident_side = client_for(NOORD)
    body = login(resident_side, "admin@noord.test", STAFF_PASSWORD).json()
    assert body["roles"] == ["staff:admin", "resident"]
    resident_side.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    staff = as_staff_client(client_for(NOORD))
    assert ask(resident_side, password=STAFF_PASSWORD).status_code == 202
    done = client_for(NOORD).post(CONFIRM, {"token": emailed_token("admin@noord.test")}, format="json")
    assert done.status_code == 200
    assert User.objects.filter(email="admin@noord.test").exists()
    assert staff.get("/api/admin/account-deletions/").status_code == 200  # its staff token lives on
    with schema_context("org_noord"):
        request = DeletionRequest.objects.get(customer=customer)
        assert not request.identity_deleted
        assert "api_tokens" not in request.removed
    again = login(client_for(NOORD), "admin@noord.test", STAFF_PASSWORD).json()
    assert again["roles"] == ["staff:admin"]
