"""Log out everywhere: end every API token and browser session of one person in this organisation.

Sessions and tokens live in the organisation's schema (docs/architecture.md), so everything here
touches this organisation only: the same identity's sessions on another organisation's domain, or
on the platform domain, go on. A password change is the way to end those.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from activity.models import ActivityEvent
from activity.services import Origin, record_event
from credentials.services import delete_user_sessions, revoke_user_access_tokens

from ..errors import MembershipError
from ..models import ImpersonationSession, PortalAccount, StaffMembership
from .impersonation import stop_impersonation

logger = logging.getLogger("memberships.audit")


@dataclass(frozen=True)
class LoggedOut:
    """How many credentials ended: API tokens (impersonations' included) and browser sessions."""

    tokens: int
    sessions: int


def _end_credentials(user) -> LoggedOut:
    tokens = revoke_user_access_tokens(user=user)
    sessions = delete_user_sessions(user=user)
    return LoggedOut(tokens=tokens, sessions=sessions)


@transaction.atomic
def log_out_customer_everywhere(*, customer, staff_user, origin: Origin | None = None) -> LoggedOut:
    """End every token and session of the customer's portal account here (the portal card's action).

    Staff acting as this resident are stopped too (their impersonation token is one of the
    account's). Refused when the identity is also an active staff member here: their staff
    sessions are the same credentials, and ending them is an administrator's decision
    (``log_out_staff_everywhere``).
    """
    account = (
        PortalAccount.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(customer=customer)
        .first()
    )
    if account is None:
        raise MembershipError(_("This customer has no portal account."), code="no_account", http_status=404)
    user = account.user
    if (
        user is not None
        and StaffMembership.objects.filter(user=user, status=StaffMembership.Status.ACTIVE).exists()
    ):
        raise MembershipError(
            _(
                "This resident is also a staff member here; an administrator logs them out from the staff list."
            ),
            code="staff_identity",
            http_status=409,
        )
    for session in ImpersonationSession.objects.select_for_update(of=("self",)).filter(
        customer=customer, ended_at__isnull=True
    ):
        stop_impersonation(session=session, origin=origin, by="logged_out", actor_user=staff_user)
    ended = _end_credentials(user) if user is not None else LoggedOut(tokens=0, sessions=0)
    record_event(
        customer=customer,
        kind=ActivityEvent.Kind.LOGGED_OUT_EVERYWHERE,
        actor=ActivityEvent.Actor.STAFF,
        actor_user=staff_user,
        origin=origin,
        data={"tokens": ended.tokens, "sessions": ended.sessions},
    )
    return ended


@transaction.atomic
def log_out_staff_everywhere(*, membership: StaffMembership, acting: StaffMembership) -> LoggedOut:
    """End every token and session of a staff member here (administrators; e.g. a lost laptop).

    Their impersonations end with their tokens; the audit log says who did it.
    """
    if membership.user_id is None:
        ended = LoggedOut(tokens=0, sessions=0)
    else:
        for session in ImpersonationSession.objects.select_for_update(of=("self",)).filter(
            staff_membership=membership, ended_at__isnull=True
        ):
            stop_impersonation(session=session, by="logged_out", actor_user=acting.user)
        ended = _end_credentials(membership.user)
    logger.info(
        "staff member logged out everywhere",
        extra={
            "membership": membership.pk,
            "email": membership.email,
            "by": acting.email,
            "tokens": ended.tokens,
            "sessions": ended.sessions,
        },
    )
    return ended
