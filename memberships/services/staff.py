"""Staff invitations: invite by email, accept with the emailed single-use link."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import normalise_email
from communications.services import queue_email
from credentials.models import OneTimeToken
from credentials.services import (
    consume_one_time_token,
    issue_one_time_token,
    revoke_one_time_tokens,
    revoke_user_access_tokens,
    subject_id,
)
from tenants.selectors import portal_base_url

from ..errors import MembershipError
from ..models import StaffMembership
from .common import checked_email

User = get_user_model()


def _subject(membership: StaffMembership) -> str:
    return f"staff:{membership.pk}"


@dataclass(frozen=True)
class StaffInvitation:
    membership: StaffMembership
    # The secret is only ever sent by email; callers inside the process (seed data, tests of the
    # acceptance flow) may use it, the API never returns it.
    raw_token: str


@transaction.atomic
def invite_staff_member(
    *,
    organisation,
    email: str,
    role: str = StaffMembership.Role.STAFF,
    can_impersonate: bool = False,
    full_name: str = "",
    language: str | None = None,
) -> StaffInvitation:
    """Create (or refresh) an invitation and email a single-use link to the organisation's portal."""
    email = checked_email(normalise_email(email))
    membership = StaffMembership.objects.filter(email__iexact=email).first()
    if membership is None:
        membership = StaffMembership.objects.create(
            email=email, role=role, can_impersonate=can_impersonate, full_name=full_name
        )
    elif membership.status == StaffMembership.Status.ACTIVE:
        raise MembershipError(
            _("This person is already a staff member."), code="already_member", field="email"
        )
    else:
        membership.role, membership.can_impersonate = role, can_impersonate
        membership.status, membership.invited_at = StaffMembership.Status.INVITED, timezone.now()
        membership.save(update_fields=["role", "can_impersonate", "status", "invited_at"])
    issued = issue_one_time_token(
        purpose=OneTimeToken.Purpose.INVITATION, subject=_subject(membership), email=email
    )
    queue_email(
        template="staff_invitation",
        to=email,
        language=language or organisation.default_language,
        organisation=organisation,
        context={
            "accept_url": f"{portal_base_url(organisation)}/invitation/{issued.raw}",
            "role": membership.get_role_display(),
            "expires_at": issued.token.expires_at,
        },
    )
    return StaffInvitation(membership=membership, raw_token=issued.raw)


@dataclass(frozen=True)
class InvitationAcceptance:
    membership: StaffMembership
    user: object
    created_identity: bool


@transaction.atomic
def accept_staff_invitation(
    *, raw_token: str, password: str | None, full_name: str = ""
) -> InvitationAcceptance:
    """Link the invited address to an identity, creating it if this address has none yet.

    An existing identity keeps its password: the link proves control of the address, and the
    person logs in with the password they already have.
    """
    token = consume_one_time_token(
        raw=raw_token, purpose=OneTimeToken.Purpose.INVITATION, subject_prefix="staff:"
    )
    membership = StaffMembership.objects.select_for_update().filter(pk=subject_id(token)).first()
    if membership is None:
        raise MembershipError(_("This invitation is no longer valid."), code="token_invalid")
    user = User.objects.filter(email=normalise_email(membership.email)).first()
    created = False
    if user is None:
        if not password:
            raise MembershipError(_("Choose a password."), code="password_required", field="password")
        candidate = User(email=membership.email, full_name=full_name or membership.full_name)
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise MembershipError(" ".join(exc.messages), code="password_invalid", field="password") from exc
        user = User.objects.create_user(membership.email, password, full_name=candidate.full_name)
        created = True
    membership.user = user
    membership.status = StaffMembership.Status.ACTIVE
    membership.accepted_at = timezone.now()
    membership.save(update_fields=["user", "status", "accepted_at"])
    return InvitationAcceptance(membership=membership, user=user, created_identity=created)


@transaction.atomic
def update_staff_member(
    *, membership: StaffMembership, acting: StaffMembership, role=None, can_impersonate=None, status=None
) -> StaffMembership:
    """Change a staff member's role, impersonation right or status; nobody locks themselves out."""
    membership = StaffMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.pk == acting.pk and (
        role not in (None, membership.role) or status == StaffMembership.Status.DISABLED
    ):
        raise MembershipError(
            _("You cannot change your own role or disable yourself; ask another administrator."),
            code="self_change",
        )
    if status == StaffMembership.Status.ACTIVE and membership.user_id is None:
        raise MembershipError(
            _("This person has not accepted the invitation yet."), code="not_accepted", field="status"
        )
    fields = []
    for name, value in (("role", role), ("can_impersonate", can_impersonate), ("status", status)):
        if value is not None and getattr(membership, name) != value:
            setattr(membership, name, value)
            fields.append(name)
    if fields:
        membership.save(update_fields=fields)
        if status == StaffMembership.Status.DISABLED and membership.user_id:
            revoke_user_access_tokens(user=membership.user)
    return membership


def _pending_invitation(membership: StaffMembership) -> StaffMembership:
    membership = StaffMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != StaffMembership.Status.INVITED or membership.user_id is not None:
        # Accepted already (active or disabled): the same words as inviting a member again.
        raise MembershipError(
            _("This person is already a staff member."), code="not_an_invitation", http_status=409
        )
    return membership


@transaction.atomic
def resend_staff_invitation(*, organisation, membership: StaffMembership, language: str | None = None):
    """A new link (the old one stops working) for an invitation not accepted yet."""
    membership = _pending_invitation(membership)
    return invite_staff_member(
        organisation=organisation,
        email=membership.email,
        role=membership.role,
        can_impersonate=membership.can_impersonate,
        full_name=membership.full_name,
        language=language,
    )


@transaction.atomic
def revoke_staff_invitation(*, membership: StaffMembership) -> None:
    """Withdraw an invitation not accepted yet: its link stops working, the person leaves the list."""

    membership = _pending_invitation(membership)
    revoke_one_time_tokens(subject=_subject(membership), purpose=OneTimeToken.Purpose.INVITATION)
    membership.delete()
