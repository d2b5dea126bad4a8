"""Reads about who belongs to the current organisation."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User, normalise_email
from credentials.models import OneTimeToken
from credentials.services import check_one_time_token
from tenants.data_versions import remembered

from .models import AddressInUseRegistration, PortalAccount, StaffMembership


def confirmed_portal_account(*, user) -> PortalAccount | None:
    """The user's portal account in this schema, once its email address is confirmed (with the
    customer). Asked on every resident request, so kept under the data versions (a write to either
    is seen at once)."""
    return remembered(
        "portal_account",
        lambda: (
            PortalAccount.objects.select_related("customer")
            .filter(user=user, email_confirmed_at__isnull=False)
            .first()
        ),
        user.pk,
    )


def login_secrets(email: str) -> tuple[str | None, PortalAccount | None]:
    """What a login with ``email`` is checked against here besides the identity's own password.

    The pending hash a correct password answers "not confirmed" to: of a registration of this
    address waiting for its link, or of one that used the address while it belongs to another
    customer (``AddressInUseRegistration``), the newest. And the portal account with this login
    address, if any (for the activity log).
    """
    account = PortalAccount.objects.select_related("customer").filter(login_email__iexact=email).first()
    candidates = []
    if account is not None and account.user_id is None and account.pending_password:
        candidates.append((account.registered_at, account.pending_password))
    attempt = (
        AddressInUseRegistration.objects.filter(login_email=email)
        .order_by("-registered_at")
        .values_list("registered_at", "pending_password")
        .first()
    )
    if attempt is not None:
        candidates.append(attempt)
    pending = max(candidates)[1] if candidates else None
    return pending, account


def active_staff_membership(*, user) -> StaffMembership | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return StaffMembership.objects.filter(user=user, status=StaffMembership.Status.ACTIVE).first()


def staff_memberships() -> QuerySet[StaffMembership]:
    """People; integration identities are listed under /api/admin/integration/tokens/."""
    return (
        StaffMembership.objects.exclude(role=StaffMembership.Role.INTEGRATION)
        .select_related("user")
        .order_by("email")
    )


def invitation_details(*, raw_token: str) -> dict:
    """What the invitation page shows before it is accepted; raises TokenError when unusable."""

    token = check_one_time_token(
        raw=raw_token, purpose=OneTimeToken.Purpose.INVITATION, subject_prefix="staff:"
    )
    membership = StaffMembership.objects.get(pk=token.subject.split(":", 1)[1])
    return {
        "email": membership.email,
        "role": membership.role,
        "needs_password": not User.objects.filter(email=normalise_email(membership.email)).exists(),
        "expires_at": token.expires_at,
    }


CONSOLE_ROLES = (StaffMembership.Role.ADMIN, StaffMembership.Role.STAFF, StaffMembership.Role.SUPPORT)


def console_access(*, user, organisation, impersonating: bool = False) -> dict:
    """Who may use the staff console on this host, and with which role (GET /api/auth/console/).

    An organisation's host: its active staff members of a people role (not the billing system's
    integration identity, not while impersonating a resident). The platform host (public schema,
    no memberships there): platform operators only.
    """
    if organisation is None:
        operator = bool(getattr(user, "is_platform_operator", False))
        return {
            "kind": "platform",
            "role": None,
            "can_impersonate": False,
            "is_platform_operator": operator,
            "allowed": operator,
        }
    membership = None if impersonating else active_staff_membership(user=user)
    if membership is not None and membership.role not in CONSOLE_ROLES:
        membership = None
    return {
        "kind": "organisation",
        "role": membership.role if membership else None,
        "can_impersonate": bool(membership and membership.can_impersonate),
        "is_platform_operator": bool(getattr(user, "is_platform_operator", False)),
        "allowed": membership is not None,
    }
