"""Logging in and out on the platform domain and on an organisation's domain."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.contrib.auth.hashers import check_password
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import RuleViolation
from credentials.services import IssuedToken, issue_access_token, revoke_access_token

from .models import normalise_email


class LoginError(RuleViolation):
    def __init__(self, code: str, message: str, http_status: int = 400):
        super().__init__(message, code=code, http_status=http_status)


@dataclass(frozen=True)
class LoginResult:
    user: object
    token: IssuedToken | None
    context: dict


def _origin(request):
    from activity.services import Origin

    return Origin.of(request)


def _invalid() -> LoginError:
    return LoginError("invalid_credentials", _("The email address or password is not correct."))


def _not_confirmed() -> LoginError:
    return LoginError(
        "email_not_confirmed",
        _("Confirm your email address first: use the link we emailed you, or ask for a new one."),
        http_status=403,
    )


def _pending_password(email: str):
    """The hash a login with ``email`` would answer "not confirmed" to, and that address's account.

    A pending registration of this address, or a registration that used it while it belongs to
    another customer (``AddressInUseRegistration``): the newest of the two, so that exactly one
    password check is spent whatever exists.
    """
    from memberships.models import AddressInUseRegistration, PortalAccount

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


def _failed_attempt(organisation, request, email: str, password: str) -> None:
    """After a wrong password: a pending registration with this password means "not confirmed".

    Costs one password check whether or not a pending registration exists, and answers the same
    whether or not the address already belongs to an account (see ``AddressInUseRegistration``).
    """
    from memberships.services.common import spend_one_password_check

    if organisation is None:
        spend_one_password_check(password)
        raise _invalid()
    from activity.models import ActivityEvent
    from activity.services import record_event

    pending, account = _pending_password(email)
    if pending is not None:
        if check_password(password, pending):
            raise _not_confirmed()
    else:
        spend_one_password_check(password)
    if account is not None:
        record_event(
            customer=account.customer,
            kind=ActivityEvent.Kind.LOGIN_FAILED,
            actor=ActivityEvent.Actor.ANONYMOUS,
            origin=_origin(request),
        )
    raise _invalid()


def log_in(*, request, email: str, password: str, issue_token: bool = True) -> LoginResult:
    """Check the password and whether the identity may use this domain; issue a token and session.

    On the platform domain any active identity may log in (the operator API then checks the
    operator role). On an organisation's domain the identity needs a confirmed portal account or an
    active staff membership there; otherwise the answer is the same as for a wrong password.
    """
    email = normalise_email(email)
    organisation = getattr(request, "organisation", None)
    user = authenticate(request, username=email, password=password)
    if user is None:
        _failed_attempt(organisation, request, email, password)
    context: dict = {"platform": organisation is None}
    if organisation is not None:
        from activity.models import ActivityEvent
        from activity.services import record_event
        from memberships.models import PortalAccount
        from memberships.selectors import active_staff_membership

        membership = active_staff_membership(user=user)
        account = PortalAccount.objects.select_related("customer").filter(user=user).first()
        if membership is None and account is None:
            if PortalAccount.objects.filter(login_email__iexact=email, user__isnull=True).exists():
                raise _not_confirmed()
            raise _invalid()
        if membership is None and not organisation.portal_is_active:
            raise LoginError(
                "portal_inactive", _("This portal is not active at the moment."), http_status=503
            )
        if membership is not None:
            context["staff_membership"] = membership
        if account is not None:
            context["portal_account"] = account
            account.last_login_at = timezone.now()
            account.save(update_fields=["last_login_at"])
            record_event(
                customer=account.customer,
                kind=ActivityEvent.Kind.LOGIN,
                actor=ActivityEvent.Actor.RESIDENT,
                actor_user=user,
                origin=_origin(request),
            )
    token = (
        issue_access_token(user=user, ip=_origin(request).ip, user_agent=_origin(request).user_agent)
        if issue_token
        else None
    )
    django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return LoginResult(user=user, token=token, context=context)


def log_out(*, request) -> None:
    """End the session and the token of this request; an impersonation ends with it (logged).

    A resident's logout is in their activity log; a staff member acting as the resident stops the
    impersonation instead, so no "logged out" is put in the resident's name.
    """
    token = getattr(request, "auth", None)
    organisation = getattr(request, "organisation", None)
    is_access_token = token is not None and hasattr(token, "key_id")
    if organisation is not None:
        from activity.models import ActivityEvent
        from activity.services import record_event
        from memberships.selectors import confirmed_portal_account
        from memberships.services.impersonation import end_impersonation_of_request

        if (
            not end_impersonation_of_request(request, origin=_origin(request))
            and request.user.is_authenticated
        ):
            account = getattr(request, "portal_account", None) or confirmed_portal_account(user=request.user)
            if account is not None:
                record_event(
                    customer=account.customer,
                    kind=ActivityEvent.Kind.LOGOUT,
                    actor=ActivityEvent.Actor.RESIDENT,
                    actor_user=request.user,
                    origin=_origin(request),
                )
    if is_access_token:
        revoke_access_token(token=token)
    django_logout(request)
