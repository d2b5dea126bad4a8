"""Service identities for the billing system, and their long-lived API tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from credentials.models import AccessToken
from credentials.services import issue_access_token
from memberships.models import StaffMembership

User = get_user_model()
INTEGRATION_TOKEN_DAYS = 365


@dataclass(frozen=True)
class IntegrationToken:
    membership: StaffMembership
    token: AccessToken
    raw: str


@transaction.atomic
def create_integration_token(*, organisation, name: str) -> IntegrationToken:
    """A new service identity (no password, integration role only) and a token valid for a year."""
    email = f"integration-{secrets.token_hex(6)}@{organisation.slug}.integration.invalid"
    user = User.objects.create_user(email, None, full_name=name[:200])
    membership = StaffMembership.objects.create(
        user=user,
        email=email,
        full_name=name[:200],
        role=StaffMembership.Role.INTEGRATION,
        status=StaffMembership.Status.ACTIVE,
        accepted_at=timezone.now(),
    )
    issued = issue_access_token(user=user, lifetime_seconds=INTEGRATION_TOKEN_DAYS * 86400)
    return IntegrationToken(membership=membership, token=issued.token, raw=issued.raw)


@transaction.atomic
def revoke_integration_token(*, membership: StaffMembership) -> None:
    AccessToken.objects.filter(user_id=membership.user_id).delete()
    membership.status = StaffMembership.Status.DISABLED
    membership.save(update_fields=["status"])
