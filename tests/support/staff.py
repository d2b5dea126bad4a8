"""Staff members and their API clients."""

from __future__ import annotations

from django_tenants.utils import schema_context

from memberships.services.staff import accept_staff_invitation, invite_staff_member
from tenants.models import Organisation
from tests.support.organisations import PASSWORD as STAFF_PASSWORD
from tests.support.residents import login


def staff_client(client, email="admin@noord.test"):
    key = login(client, email, STAFF_PASSWORD).json()["key"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def add_staff(email: str, role: str, can_impersonate: bool = False, schema: str = "org_noord"):
    organisation = Organisation.objects.get(schema_name=schema)
    with schema_context(schema):
        invitation = invite_staff_member(
            organisation=organisation, email=email, role=role, can_impersonate=can_impersonate
        )
        accept_staff_invitation(raw_token=invitation.raw_token, password=STAFF_PASSWORD)


def as_staff_client(client, email="admin@noord.test"):
    """The same as staff_client, for other test modules."""
    return staff_client(client, email)
