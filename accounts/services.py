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


def _failed_attempt(organisation, request, email: str, password: str) -> None:
    """After a wrong password: a pending registration with this password means "not confirmed".

    Costs one password check whether or not a pending registration exists.
    """
    if organisation is None:
        from memberships.services.common import spend_one_password_check

        spend_one_password_check(password)
        raise _invalid()
    from activity.models import ActivityEvent
    from activity.services import record_event
    from memberships.models import PortalAccount
    from memberships.services.common import spend_one_password_check

    account = PortalAccount.objects.select_related("customer").filter(login_email__iexact=email).first()
    if account is not None and account.user_id is None and account.pending_password:
        if check_password(password, account.pending_password):
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
    token = getattr(request, "auth", None)
    account = getattr(request, "portal_account", None)
    if account is not None and getattr(request, "impersonation", None) is None:
        from activity.models import ActivityEvent
        from activity.services import record_event

        record_event(
            customer=account.customer,
            kind=ActivityEvent.Kind.LOGOUT,
            actor=ActivityEvent.Actor.RESIDENT,
            actor_user=request.user,
            origin=_origin(request),
        )
    if token is not None and hasattr(token, "key_id") and getattr(token, "impersonated_by_id", None) is None:
        revoke_access_token(token=token)
    django_logout(request)
