"""The staff portal card: account state, activity log, invitation, resets, impersonation, staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from activity.models import ActivityEvent
from memberships.models import ImpersonationSession, PortalAccount, StaffMembership
from memberships.services.registration import register_resident
from tenants.models import Organisation
from tests.support.common import data_queries
from tests.support.factories import last_link, make_customer, outbox
from tests.support.organisations import PASSWORD as STAFF_PASSWORD
from tests.support.residents import PASSWORD, active_resident, login
from tests.support.staff import add_staff, staff_client


def card(client, customer):
    return client.get(f"/api/admin/customers/{customer.pk}/portal/")


def test_card_shows_each_state(noord_client):
    staff_client(noord_client)
    nobody = make_customer()
    assert card(noord_client, nobody).json()["status"] == "no_account"
    assert card(noord_client, nobody).json()["has_account"] is False

    pending = make_customer()
    with schema_context("org_noord"):
        register_resident(
            organisation=Organisation.objects.get(slug="noord"),
            customer_number=pending.customer_number,
            email=pending.email,
            password=PASSWORD,
        )
    body = card(noord_client, pending).json()
    assert (body["status"], body["email_confirmed"], body["portal_email"]) == (
        "not_confirmed",
        False,
        pending.email,
    )
    assert body["registration_date"] is not None

    active = active_resident()
    body = card(noord_client, active).json()
    assert (body["status"], body["email_confirmed"], body["has_account"]) == ("active", True, True)


def test_activity_log_newest_first_and_paginated_with_constant_queries(noord_client):
    staff_client(noord_client)
    customer = active_resident()
    with schema_context("org_noord"):
        for index in range(60):
            ActivityEvent.objects.create(
                customer=customer,
                kind="login",
                actor="resident",
                created_at=timezone.now() + timedelta(seconds=index),
            )
    noord_client.get(f"/api/admin/customers/{customer.pk}/portal/activity/")  # warm-up
    with CaptureQueriesContext(connection) as first:
        page1 = noord_client.get(f"/api/admin/customers/{customer.pk}/portal/activity/").json()
    with CaptureQueriesContext(connection) as third:
        page3 = noord_client.get(f"/api/admin/customers/{customer.pk}/portal/activity/?page=3").json()
    assert page1["count"] == 62  # 60 + registered + confirmed
    times = [row["created_at"] for row in page1["results"]]
    assert times == sorted(times, reverse=True)
    assert page3["results"][-1]["kind"] == "registered"
    assert len(data_queries(first)) == len(data_queries(third))


def test_invitation_activates_an_account(noord_client, client_for):
    staff_client(noord_client)
    customer = make_customer(email="")
    refused = noord_client.post(f"/api/admin/customers/{customer.pk}/portal/invite/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "no_email"
    sent = noord_client.post(
        f"/api/admin/customers/{customer.pk}/portal/invite/", {"email": "Invited@Example.test"}, format="json"
    )
    assert sent.status_code == 200
    token = last_link("org_noord", "invited@example.test", "portal_invitation", "/activate/")
    visitor = client_for("portal.noord.test")
    details = visitor.get(f"/api/auth/activation/{token}/").json()
    assert details["needs_password"] is True
    assert details["customer_number"] == customer.customer_number
    weak = visitor.post("/api/auth/activation/", {"token": token, "password": "x"}, format="json")
    assert weak.json()["code"] == "password_invalid"
    done = visitor.post("/api/auth/activation/", {"token": token, "password": PASSWORD}, format="json")
    assert done.status_code == 200
    assert card(noord_client, customer).json()["status"] == "active"
    assert login(visitor, "invited@example.test").status_code == 200
    staff_token_refused = client_for("portal.noord.test").post(
        "/api/auth/invitations/accept/", {"token": token, "password": PASSWORD}, format="json"
    )
    assert staff_token_refused.json()["code"] in {"token_invalid", "token_used"}
    kinds = [
        row["kind"]
        for row in noord_client.get(f"/api/admin/customers/{customer.pk}/portal/activity/").json()["results"]
    ]
    assert kinds[:3] == ["login", "invitation_accepted", "invitation_sent"]


@pytest.mark.parametrize("confirmed", [True, False])
def test_an_invitation_to_another_customers_login_address_is_refused_not_a_500(
    noord_client, client_for, confirmed
):
    """One login address per portal account: accepting is refused with a clear code, nothing saved."""
    if confirmed:
        holder = active_resident()
    else:
        holder = make_customer()
        with schema_context("org_noord"):
            register_resident(
                organisation=Organisation.objects.get(slug="noord"),
                customer_number=holder.customer_number,
                email=holder.email,
                password=PASSWORD,
            )
    staff_client(noord_client)
    invited = make_customer()
    sent = noord_client.post(
        f"/api/admin/customers/{invited.pk}/portal/invite/", {"email": holder.email.upper()}, format="json"
    )
    assert sent.status_code == 200
    token = last_link("org_noord", holder.email, "portal_invitation", "/activate/")
    visitor = client_for("portal.noord.test")
    refused = visitor.post("/api/auth/activation/", {"token": token, "password": PASSWORD}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "address_in_use",
        "detail": "This email address is already used to log in for another customer account. Ask us to "
        "send the invitation to another address.",
    }
    with schema_context("org_noord"):
        assert not PortalAccount.objects.filter(customer_id=invited.pk).exists()
        holder_account = PortalAccount.objects.get(customer_id=holder.pk)
        assert holder_account.login_email == holder.email
        assert (holder_account.user_id is not None) is confirmed
        assert not ActivityEvent.objects.filter(customer_id=invited.pk, kind="invitation_accepted").exists()
    assert card(noord_client, invited).json()["status"] == "no_account"
    # Nothing was committed, so the same answer comes again (not "link already used").
    again = visitor.post("/api/auth/activation/", {"token": token, "password": PASSWORD}, format="json")
    assert again.json()["code"] == "address_in_use"


def test_a_new_invitation_invalidates_the_old_one(noord_client, client_for):
    staff_client(noord_client)
    customer = make_customer()
    noord_client.post(f"/api/admin/customers/{customer.pk}/portal/invite/", {}, format="json")
    first = last_link("org_noord", customer.email, "portal_invitation", "/activate/")
    noord_client.post(f"/api/admin/customers/{customer.pk}/portal/invite/", {}, format="json")
    response = client_for("portal.noord.test").post(
        "/api/auth/activation/", {"token": first, "password": PASSWORD}, format="json"
    )
    assert response.json()["code"] == "token_invalid"


def test_resend_confirmation_and_password_reset_from_the_card(noord_client):
    staff_client(noord_client)
    pending = make_customer()
    with schema_context("org_noord"):
        register_resident(
            organisation=Organisation.objects.get(slug="noord"),
            customer_number=pending.customer_number,
            email=pending.email,
            password=PASSWORD,
        )
    assert (
        noord_client.post(f"/api/admin/customers/{pending.pk}/portal/resend-confirmation/").status_code == 200
    )
    assert len(outbox("org_noord", pending.email, "registration_confirmation")) == 2
    wrong_state = noord_client.post(f"/api/admin/customers/{pending.pk}/portal/send-password-reset/")
    assert wrong_state.status_code == 409
    assert wrong_state.json()["code"] == "not_confirmed"

    active = active_resident()
    assert (
        noord_client.post(f"/api/admin/customers/{active.pk}/portal/send-password-reset/").status_code == 200
    )
    assert outbox("org_noord", active.email, "password_reset")
    assert (
        noord_client.post(f"/api/admin/customers/{active.pk}/portal/resend-confirmation/").status_code == 409
    )


def test_reset_account_deletes_it_completely(noord_client, client_for):
    staff_client(noord_client)
    customer = active_resident()
    resident = client_for("portal.noord.test")
    key = login(resident, customer.email).json()["key"]
    response = noord_client.post(f"/api/admin/customers/{customer.pk}/portal/reset/")
    assert response.status_code == 200
    with schema_context("org_noord"):
        assert not PortalAccount.objects.filter(customer_id=customer.pk).exists()
    assert card(noord_client, customer).json()["status"] == "no_account"
    resident.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert resident.get("/api/portal/me/").status_code == 401
    resident.credentials()
    assert login(resident, customer.email).json()["code"] == "invalid_credentials"
    assert outbox("org_noord", customer.email, "account_reset")
    kinds = [
        row["kind"]
        for row in noord_client.get(f"/api/admin/customers/{customer.pk}/portal/activity/").json()["results"]
    ]
    assert kinds[0] == "account_reset"
    again = resident.post(
        "/api/auth/register/",
        {"customer_number": customer.customer_number, "email": customer.email, "password": PASSWORD},
        format="json",
    )
    assert again.status_code == 202
    assert (
        noord_client.post(f"/api/admin/customers/{customer.pk}/portal/reset/").status_code == 200
    )  # pending one


def test_support_role_may_not_reset_accounts(noord_client):
    add_staff("support@noord.test", StaffMembership.Role.SUPPORT)
    staff_client(noord_client, "support@noord.test")
    customer = active_resident()
    assert card(noord_client, customer).status_code == 200
    response = noord_client.post(f"/api/admin/customers/{customer.pk}/portal/reset/")
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "This requires a staff role that you do not have.",
    }
    with schema_context("org_noord"):
        account = PortalAccount.objects.get(customer_id=customer.pk)
        assert account.status == PortalAccount.Status.ACTIVE
        assert not ActivityEvent.objects.filter(customer_id=customer.pk, kind="account_reset").exists()
    assert outbox("org_noord", customer.email, "account_reset") == []
    assert card(noord_client, customer).json()["status"] == "active"


def test_impersonation_needs_the_permission(noord_client):
    add_staff("helper@noord.test", StaffMembership.Role.STAFF, can_impersonate=False)
    staff_client(noord_client, "helper@noord.test")
    customer = active_resident()
    response = noord_client.post(f"/api/admin/customers/{customer.pk}/portal/impersonate/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "impersonation_not_allowed"
    with schema_context("org_noord"):
        assert not ImpersonationSession.objects.exists()


def test_impersonation_is_marked_limited_audited_and_stoppable(noord_client, client_for):
    staff_client(noord_client)  # admin@noord.test may impersonate
    customer = active_resident()
    started = noord_client.post(
        f"/api/admin/customers/{customer.pk}/portal/impersonate/", {"reason": "Ticket 42"}, format="json"
    )
    assert started.status_code == 201
    body = started.json()
    session_id = body["session"]["id"]
    as_resident = client_for("portal.noord.test")
    as_resident.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    me = as_resident.get("/api/portal/me/")
    assert me.json()["impersonation"]["staff_email"] == "admin@noord.test"
    assert me["X-Impersonation-Session"] == str(session_id)
    assert as_resident.get("/api/admin/customers/").status_code == 403  # not a staff token
    change = as_resident.post(
        "/api/auth/password/change/",
        {"old_password": PASSWORD, "new_password": "brand-new-secret-42"},
        format="json",
    )
    assert change.status_code == 403
    assert change.json()["code"] == "not_allowed_during_impersonation"
    assert User.objects.get(email=customer.email).check_password(PASSWORD)

    stopped = noord_client.post(f"/api/admin/impersonations/{session_id}/stop/")
    assert stopped.json()["is_live"] is False
    assert as_resident.get("/api/portal/me/").status_code == 401
    kinds = [
        row["kind"]
        for row in noord_client.get(f"/api/admin/customers/{customer.pk}/portal/activity/").json()["results"]
    ]
    assert kinds[:2] == ["impersonation_stopped", "impersonation_started"]


def test_impersonation_expires(noord_client, client_for):
    staff_client(noord_client)
    customer = active_resident()
    body = noord_client.post(
        f"/api/admin/customers/{customer.pk}/portal/impersonate/", {}, format="json"
    ).json()
    with schema_context("org_noord"):
        ImpersonationSession.objects.filter(pk=body["session"]["id"]).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    as_resident = client_for("portal.noord.test")
    as_resident.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    response = as_resident.get("/api/portal/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "impersonation_ended"


def test_resident_side_can_stop_the_impersonation(noord_client, client_for):
    staff_client(noord_client)
    customer = active_resident()
    body = noord_client.post(
        f"/api/admin/customers/{customer.pk}/portal/impersonate/", {}, format="json"
    ).json()
    as_resident = client_for("portal.noord.test")
    as_resident.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    assert as_resident.post("/api/auth/impersonation/stop/").json()["code"] == "impersonation_stopped"
    assert as_resident.get("/api/portal/me/").status_code == 401


def test_impersonating_a_customer_without_account_is_refused(noord_client):
    staff_client(noord_client)
    response = noord_client.post(
        f"/api/admin/customers/{make_customer().pk}/portal/impersonate/", {}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "no_active_account"


def test_other_organisations_customers_do_not_exist_here(noord_client):
    staff_client(noord_client)
    zuid_customer = make_customer("org_zuid", customer_number="Z-ONLY-1")
    with schema_context("org_noord"):
        from customers.models import Customer

        assert not Customer.objects.filter(pk=zuid_customer.pk, customer_number="Z-ONLY-1").exists()
    for path in ("portal/", "portal/activity/"):
        response = noord_client.get(f"/api/admin/customers/{zuid_customer.pk}/{path}")
        assert "Z-ONLY-1" not in response.content.decode()
    assert (
        noord_client.post("/api/admin/customers/999999/portal/impersonate/", {}, format="json").status_code
        == 404
    )


def test_staff_of_b_cannot_use_a_admin(noord_client, zuid_client):
    key = login(zuid_client, "admin@zuid.test", STAFF_PASSWORD).json()["key"]
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert noord_client.get("/api/admin/customers/").status_code == 401


def test_customer_list_with_constant_queries(noord_client):
    staff_client(noord_client)
    for _ in range(3):
        active_resident()
    noord_client.get("/api/admin/customers/")
    with CaptureQueriesContext(connection) as few:
        noord_client.get("/api/admin/customers/")
    for _ in range(20):
        make_customer()
    with CaptureQueriesContext(connection) as many:
        rows = noord_client.get("/api/admin/customers/?search=Test").json()
    assert len(data_queries(few)) == len(data_queries(many))
    assert {row["portal_status"] for row in rows["results"]} >= {"active", "no_account"}


def test_staff_management(noord_client, client_for):
    staff_client(noord_client)
    invited = noord_client.post(
        "/api/admin/staff/",
        {"email": "new@noord.test", "role": "support", "can_impersonate": True},
        format="json",
    )
    assert invited.status_code == 201
    assert invited.json()["status"] == "invited"
    assert outbox("org_noord", "new@noord.test", "staff_invitation")
    member_id = invited.json()["id"]
    premature = noord_client.patch(f"/api/admin/staff/{member_id}/", {"status": "active"}, format="json")
    assert premature.json()["code"] == "not_accepted"
    changed = noord_client.patch(f"/api/admin/staff/{member_id}/", {"role": "staff"}, format="json")
    assert changed.json()["role"] == "staff"
    with schema_context("org_noord"):
        own_id = StaffMembership.objects.get(email="admin@noord.test").pk
    self_change = noord_client.patch(f"/api/admin/staff/{own_id}/", {"status": "disabled"}, format="json")
    assert self_change.json()["code"] == "self_change"

    add_staff("plain@noord.test", StaffMembership.Role.STAFF)
    plain = staff_client(client_for("portal.noord.test"), "plain@noord.test")
    assert plain.get("/api/admin/staff/").status_code == 403


def test_disabled_staff_member_loses_access(noord_client, client_for):
    add_staff("leaver@noord.test", StaffMembership.Role.STAFF)
    leaver = staff_client(client_for("portal.noord.test"), "leaver@noord.test")
    assert leaver.get("/api/admin/customers/").status_code == 200
    staff_client(noord_client)
    with schema_context("org_noord"):
        member_id = StaffMembership.objects.get(email="leaver@noord.test").pk
    noord_client.patch(f"/api/admin/staff/{member_id}/", {"status": "disabled"}, format="json")
    assert leaver.get("/api/admin/customers/").status_code == 401
    assert login(client_for("portal.noord.test"), "leaver@noord.test", STAFF_PASSWORD).status_code == 400


@pytest.mark.parametrize("path", ["/api/admin/customers/", "/api/admin/staff/", "/api/admin/impersonations/"])
def test_admin_endpoints_need_credentials(noord_client, path):
    response = noord_client.get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
