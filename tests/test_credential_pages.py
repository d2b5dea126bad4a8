"""The pages behind emailed links: activation, staff invitation and password reset say each thing
once and label only what is really optional."""

from __future__ import annotations

import re

from django_tenants.utils import schema_context

from accounts.models import User
from memberships.services.registration import invite_customer
from tenants.models import Organisation
from tests.support.factories import last_link, make_customer
from tests.support.residents import active_resident
from tests.support.web import page_client, text

USED = "This link has already been used. Ask for a new one if you still need it."


def _password_label(page: str) -> str:
    match = re.search(r'<label for="id_password">(.*?)</label>', page, re.S)
    assert match, page[:3000]
    return match.group(1)


def _invite(email: str) -> str:
    customer = make_customer(email=email)
    organisation = Organisation.objects.get(schema_name="org_noord")
    with schema_context("org_noord"):
        invite_customer(organisation=organisation, customer=customer, staff_user=None)
    return last_link("org_noord", email, "portal_invitation", "/activate/")


def test_the_activation_page_asks_for_a_password_it_needs_without_calling_it_optional(db):
    token = _invite("needs-a-password@example.test")
    client = page_client()
    label = _password_label(text(client.get(f"/activate/{token}")))
    assert "optional" not in label
    empty = client.post(f"/activate/{token}", {"password": ""})
    assert empty.status_code == 200
    page = text(empty)
    assert "optional" not in _password_label(page)
    assert re.search(
        r'id="id_password_error"[^>]*>\s*<li>(This field is required\.|Choose a password\.)', page
    )
    assert 'aria-invalid="true"' in page or "has-error" in page
    # Nothing was used up: the link still works with a password.
    done = client.post(f"/activate/{token}", {"password": "invited-portal-pass-4"})
    assert "Your account is active." in text(done)


def test_an_address_with_a_password_activates_without_one(db):
    existing = active_resident(email="has-a-password@example.test")
    User.objects.filter(email=existing.email).update(full_name="Existing")
    zuid = Organisation.objects.get(schema_name="org_zuid")
    customer = make_customer("org_zuid", email="has-a-password@example.test")
    with schema_context("org_zuid"):
        invite_customer(organisation=zuid, customer=customer, staff_user=None)
    token = last_link("org_zuid", "has-a-password@example.test", "portal_invitation", "/activate/")
    client = page_client("portal.zuid.test")
    page = text(client.get(f"/activate/{token}"))
    assert 'name="password"' not in page
    assert "This email address already has a password" in page
    assert "Your account is active." in text(client.post(f"/activate/{token}", {}))


def test_the_staff_invitation_page_asks_for_a_password_it_needs_without_calling_it_optional(db):
    from memberships.services.staff import invite_staff_member

    organisation = Organisation.objects.get(schema_name="org_noord")
    with schema_context("org_noord"):
        invitation = invite_staff_member(
            organisation=organisation, email="new-staff@example.test", role="staff"
        )
    client = page_client()
    assert "optional" not in _password_label(text(client.get(f"/invitation/{invitation.raw_token}")))
    empty = text(client.post(f"/invitation/{invitation.raw_token}", {"password": ""}))
    assert "optional" not in _password_label(empty)
    assert re.search(r'id="id_password_error"', empty)


def test_a_used_reset_link_says_so_once(db):
    customer = active_resident()
    client = page_client()
    client.post("/forgot-password/", {"email": customer.email})
    from tests.support.factories import process_account_requests

    process_account_requests("org_noord")
    token = last_link("org_noord", customer.email, "password_reset", "/reset-password/")
    first = client.post(
        f"/reset-password/{token}", {"new_password": "first-new-pass-81", "repeat": "first-new-pass-81"}
    )
    assert "Your password was changed." in text(first)
    again = text(
        client.post(
            f"/reset-password/{token}", {"new_password": "second-new-pass-2", "repeat": "second-new-pass-2"}
        )
    )
    assert again.count(USED) == 1, again
    assert User.objects.get(email=customer.email).check_password("first-new-pass-81")
