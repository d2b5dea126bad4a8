"""Staff acting as a resident: explicit permission, audited, time-limited, stoppable."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import ActivityEvent
from activity.services import Origin, record_event
from credentials.services import issue_access_token

from ..errors import MembershipError
from ..models import ImpersonationSession, PortalAccount, StaffMembership

Actor = ActivityEvent.Actor
Kind = ActivityEvent.Kind


@dataclass(frozen=True)
class StartedImpersonation:
    session: ImpersonationSession
    raw_token: str


@transaction.atomic
def start_impersonation(
    *, staff_membership: StaffMembership, customer, reason: str = "", origin: Origin | None = None
) -> StartedImpersonation:
    if not staff_membership.can_impersonate:
        raise MembershipError(
            _("You do not have permission to log in as a customer."),
            code="impersonation_not_allowed",
            http_status=403,
        )
    account = PortalAccount.objects.select_related("user").filter(customer=customer).first()
    if account is None or account.status != PortalAccount.Status.ACTIVE:
        raise MembershipError(
            _("This customer has no active portal account to log in to."),
            code="no_active_account",
            http_status=409,
        )
    # One live impersonation per staff member at a time.
    for previous in ImpersonationSession.objects.select_for_update().filter(
        staff_membership=staff_membership, ended_at__isnull=True
    ):
        _end(previous, by="staff", origin=origin)
    minutes = settings.IMPERSONATION_MINUTES
    issued = issue_access_token(
        user=account.user,
        ip=(origin or Origin()).ip,
        user_agent=(origin or Origin()).user_agent,
        lifetime_seconds=minutes * 60,
        impersonated_by=staff_membership.user,
    )
    session = ImpersonationSession.objects.create(
        staff_membership=staff_membership,
        staff_email=staff_membership.email,
        customer=customer,
        access_token=issued.token,
        reason=reason[:300],
        expires_at=issued.token.expires_at,
        ip=(origin or Origin()).ip,
    )
    record_event(
        customer=customer,
        kind=Kind.IMPERSONATION_STARTED,
        actor=Actor.STAFF,
        actor_user=staff_membership.user,
        origin=origin,
        data={"session": session.pk, "reason": session.reason, "expires_at": session.expires_at.isoformat()},
    )
    return StartedImpersonation(session=session, raw_token=issued.raw)


def _end(session: ImpersonationSession, *, by: str, origin: Origin | None) -> None:
    session.ended_at = timezone.now()
    session.ended_by = by
    token = session.access_token
    session.access_token = None
    session.save(update_fields=["ended_at", "ended_by", "access_token"])
    if token is not None:
        token.delete()
    record_event(
        customer=session.customer,
        kind=Kind.IMPERSONATION_STOPPED,
        actor=Actor.STAFF,
        actor_user=session.staff_membership.user,
        origin=origin,
        data={"session": session.pk, "ended_by": by},
    )


@transaction.atomic
def stop_impersonation(
    *, session: ImpersonationSession, origin: Origin | None = None
) -> ImpersonationSession:
    session = (
        ImpersonationSession.objects.select_for_update().select_related("staff_membership").get(pk=session.pk)
    )
    if session.ended_at is None:
        _end(session, by="staff" if session.expires_at > timezone.now() else "expired", origin=origin)
    return session


SESSION_KEY = "impersonation_session_id"


def session_impersonation(session) -> ImpersonationSession | bool | None:
    """For browser sessions: the live impersonation, None when not impersonating, False when it ended."""
    session_id = session.get(SESSION_KEY) if session is not None else None
    if session_id is None:
        return None
    found = ImpersonationSession.objects.select_related("staff_membership").filter(pk=session_id).first()
    return found if found is not None and found.is_live else False


def live_session_for_token(token) -> ImpersonationSession | None:
    """The impersonation a token belongs to, if it is still running."""
    if token is None or getattr(token, "impersonated_by_id", None) is None:
        return None
    session = (
        ImpersonationSession.objects.select_related("staff_membership").filter(access_token=token).first()
    )
    if session is None or not session.is_live:
        return None
    return session
