"""Staff acting as a resident: explicit permission, audited, time-limited, stoppable."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import ActivityEvent
from activity.services import Origin, record_event
from credentials.models import AccessToken
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
    now = timezone.now()
    for previous in ImpersonationSession.objects.select_for_update().filter(
        staff_membership=staff_membership, ended_at__isnull=True
    ):
        _end(previous, by="staff" if previous.expires_at > now else "expired", origin=origin)
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


def _end(session: ImpersonationSession, *, by: str, origin: Origin | None, actor_user=None) -> None:
    """Close the session, delete its token and log the stop; an expiry is the system's doing.

    ``actor_user`` is who ended it when that is not the impersonating staff member (an account
    reset by a colleague)."""
    session.ended_at = timezone.now()
    session.ended_by = by
    token_id = session.access_token_id
    session.access_token = None
    session.save(update_fields=["ended_at", "ended_by", "access_token"])
    if token_id is not None:
        AccessToken.objects.filter(pk=token_id).delete()
    expired = by == "expired"
    record_event(
        customer=session.customer,
        kind=Kind.IMPERSONATION_STOPPED,
        actor=Actor.SYSTEM if expired else Actor.STAFF,
        actor_user=None if expired else (actor_user or session.staff_membership.user),
        origin=None if expired else origin,
        data={"session": session.pk, "ended_by": by, "staff_email": session.staff_email},
    )


def _locked(session_id: int) -> ImpersonationSession | None:
    return (
        ImpersonationSession.objects.select_for_update(of=("self",))
        .select_related("staff_membership__user", "customer")
        .filter(pk=session_id)
        .first()
    )


@transaction.atomic
def stop_impersonation(
    *, session: ImpersonationSession, origin: Origin | None = None, by: str = "staff", actor_user=None
) -> ImpersonationSession:
    """End a session now (``by`` says why); one that already ran out is recorded as expired."""
    session = _locked(session.pk)
    if session.ended_at is None:
        expired = session.expires_at <= timezone.now()
        _end(session, by="expired" if expired else by, origin=origin, actor_user=actor_user)
    return session


@transaction.atomic
def close_if_expired(*, session_id: int) -> bool:
    """Record the end of a session that ran out; True if this call closed it."""
    session = _locked(session_id)
    if session is None or session.ended_at is not None or session.expires_at > timezone.now():
        return False
    _end(session, by="expired", origin=None)
    return True


SESSION_KEY = "impersonation_session_id"


def session_impersonation(session) -> ImpersonationSession | bool | None:
    """For browser sessions: the live impersonation, None when not impersonating, False when it ended."""
    session_id = session.get(SESSION_KEY) if session is not None else None
    if session_id is None:
        return None
    found = ImpersonationSession.objects.select_related("staff_membership").filter(pk=session_id).first()
    if found is not None and found.is_live:
        return found
    if found is not None and found.ended_at is None:
        close_if_expired(session_id=found.pk)
    return False


def live_session_for_token(token) -> ImpersonationSession | None:
    """The impersonation a token belongs to, if it is still running (one that ran out is closed)."""
    if token is None or getattr(token, "impersonated_by_id", None) is None:
        return None
    session = (
        ImpersonationSession.objects.select_related("staff_membership").filter(access_token=token).first()
    )
    if session is None:
        return None
    if not session.is_live:
        if session.ended_at is None:
            close_if_expired(session_id=session.pk)
        return None
    return session


def close_expired_token_session(*, token: AccessToken) -> bool:
    """An impersonation token that ran out was presented: close its session if still open."""
    session_id = (
        ImpersonationSession.objects.filter(access_token=token, ended_at__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )
    return session_id is not None and close_if_expired(session_id=session_id)


def end_impersonation_of_request(request, *, origin: Origin | None = None) -> bool:
    """At logout: stop the impersonation this request belongs to; False if it is not one."""
    token = getattr(request, "auth", None)
    if getattr(token, "impersonated_by_id", None) is not None:
        session = ImpersonationSession.objects.filter(access_token=token).first()
    else:
        session_id = request.session.get(SESSION_KEY) if getattr(request, "session", None) else None
        if session_id is None:
            return False
        session = ImpersonationSession.objects.filter(pk=session_id).first()
    if session is not None:
        stop_impersonation(session=session, origin=origin, by="logout")
    return True


def stop_impersonation_of_request(request, *, origin: Origin | None = None) -> bool:
    """Stop the live impersonation behind this request's token or browser session; False if none.

    A browser session opened with an impersonation key is the resident's login: it ends too. On the
    platform domain (no organisation, no impersonations) nothing is looked up.
    """
    if getattr(request, "organisation", None) is None:
        return False
    session = live_session_for_token(getattr(request, "auth", None))
    browser = None
    if session is None and getattr(request, "auth", None) is None:
        browser = session_impersonation(getattr(request, "session", None)) or None
    if session is None and browser is None:
        return False
    stop_impersonation(session=session or browser, origin=origin)
    if browser is not None:
        from django.contrib.auth import logout

        logout(getattr(request, "_request", request))
    return True
