"""Logging in and out, the same on the platform domain and on every organisation's domain.

The platform domain is the public schema: no organisation tables, no ``request.organisation``.
Everything that needs an organisation's tables is only done when there is one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.hashing import check_once
from accounts.models import User, normalise_email
from activity.models import ActivityEvent
from activity.services import Origin, record_event
from core.errors import RuleViolation
from credentials.csrf import CsrfFailed, csrf_failure, from_a_browser
from credentials.login_throttle import begin_login_attempt
from credentials.services import IssuedToken, issue_access_token, revoke_access_token, revoke_session_token
from memberships.models import PortalAccount
from memberships.selectors import active_staff_membership, confirmed_portal_account, login_secrets
from memberships.services.impersonation import end_impersonation_of_request

# The token a session's login issued along with it: it ends with the session (see log_out).
SESSION_TOKEN_KEY = "access_token_id"  # noqa: S105 - a session key name, not a secret
# When the session last noted its token's use (epoch seconds; memberships.middleware).
SESSION_SEEN_KEY = "access_token_seen_at"


class LoginError(RuleViolation):
    def __init__(self, code: str, message: str, http_status: int = 400):
        super().__init__(message, code=code, http_status=http_status)


@dataclass(frozen=True)
class LoginResult:
    user: object
    token: IssuedToken | None
    context: dict = field(default_factory=dict)
    session: bool = False


def _origin(request):

    return Origin.of(request)


def _invalid() -> LoginError:
    return LoginError("invalid_credentials", _("The email address or password is not correct."))


def _not_confirmed() -> LoginError:
    return LoginError(
        "email_not_confirmed",
        _("Confirm your email address first: use the link we emailed you, or ask for a new one."),
        http_status=403,
    )


def _record(account, kind: str, request, user=None) -> None:

    actor = ActivityEvent.Actor.RESIDENT if user is not None else ActivityEvent.Actor.ANONYMOUS
    record_event(customer=account.customer, kind=kind, actor=actor, actor_user=user, origin=_origin(request))


def _identity(*, organisation, request, email: str, password: str):
    """The active identity whose password this is, checked with exactly one password hash.

    On an organisation's domain the same derivation also answers for the address's pending
    registration (see :mod:`accounts.hashing`): its password answers "not confirmed". Every way to
    fail costs what success costs, so the time taken reveals nothing about the address.
    """
    user = User.objects.filter(email=email).first()
    pending, account = (None, None)
    if organisation is not None:
        pending, account = login_secrets(email)
    identity_matches, pending_matches = check_once(password, [user.password if user else None, pending])
    if identity_matches and user.is_active:
        return user, account
    if pending_matches:
        raise _not_confirmed()
    if account is not None:
        _record(account, ActivityEvent.Kind.LOGIN_FAILED, request)
    raise _invalid()


def _organisation_context(*, organisation, request, user, account) -> dict:
    """Whether the identity may use this organisation's domain, and as what."""

    membership = active_staff_membership(user=user)
    own = PortalAccount.objects.select_related("customer").filter(user=user).first()
    if membership is None and own is None:
        if account is not None and account.user_id is None:
            raise _not_confirmed()  # the address's registration waits for its link
        raise _invalid()
    if membership is None and not organisation.portal_is_active:
        raise LoginError("portal_inactive", _("This portal is not active at the moment."), http_status=503)
    context: dict = {"platform": False}
    if membership is not None:
        context["staff_membership"] = membership
    if own is not None:
        context["portal_account"] = own
        own.last_login_at = timezone.now()
        own.save(update_fields=["last_login_at"])
        _record(own, ActivityEvent.Kind.LOGIN, request, user=user)
    return context


def _upgrade_hash(user, password: str) -> None:
    """Django's rule: a password stored with an outdated hasher or work factor is hashed anew."""
    from django.contrib.auth.hashers import identify_hasher

    if identify_hasher(user.password).must_update(user.password):
        user.set_password(password)
        user.save(update_fields=["password"])


def log_in(
    *, request, email: str, password: str, issue_token: bool = True, start_session: bool = True
) -> LoginResult:
    """Check the password and whether the identity may use this domain; issue a token and/or session.

    On the platform domain any active identity may log in (the operator API then checks the
    operator role). On an organisation's domain the identity needs a confirmed portal account or an
    active staff membership there; otherwise the answer is the same as for a wrong password.
    Failed logins are limited over the whole platform (:mod:`credentials.login_throttle`); a login
    that starts a browser session must pass the CSRF check of the login form
    (:mod:`credentials.csrf`).
    """
    email = normalise_email(email)
    organisation = getattr(request, "organisation", None)
    if start_session and csrf_failure(request):
        raise LoginError("csrf_failed", str(CsrfFailed.default_detail), http_status=403)
    origin = _origin(request)
    attempt = begin_login_attempt(email=email, ip=origin.ip)
    try:
        user, account = _identity(organisation=organisation, request=request, email=email, password=password)
        context = (
            {"platform": True}
            if organisation is None
            else _organisation_context(organisation=organisation, request=request, user=user, account=account)
        )
    except LoginError as exc:
        if exc.code == "invalid_credentials":
            attempt.failed()
        else:
            attempt.succeeded()
        raise
    except BaseException:
        attempt.succeeded()
        raise
    attempt.succeeded()
    _upgrade_hash(user, password)
    token = issue_access_token(user=user, ip=origin.ip, user_agent=origin.user_agent) if issue_token else None
    if start_session:
        django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if token is not None:
            request.session[SESSION_TOKEN_KEY] = token.token.pk
            request.session[SESSION_SEEN_KEY] = time.time()
    return LoginResult(user=user, token=token, context=context, session=start_session)


def log_in_through_api(*, request, email: str, password: str) -> LoginResult:
    """The API's login: a browser's must pass the login form's CSRF check and also gets a session.

    A request a browser marks (``Origin``, ``Sec-Fetch-Site``) without a valid CSRF token is refused;
    an API client (neither header, no cookie of ours) gets its token and no session.
    """
    refused = csrf_failure(request)
    if refused and from_a_browser(request):
        raise CsrfFailed()
    return log_in(request=request, email=email, password=password, start_session=refused is None)


def log_out(*, request) -> None:
    """End the session and the token of this request; an impersonation ends with it (logged).

    A session's logout also revokes the token its login issued. A resident's logout is in their
    activity log; a staff member acting as the resident stops the impersonation instead, so no
    "logged out" is put in the resident's name.
    """
    token = getattr(request, "auth", None)
    organisation = getattr(request, "organisation", None)
    ended_impersonation = organisation is not None and end_impersonation_of_request(
        request, origin=_origin(request)
    )
    if organisation is not None and not ended_impersonation and request.user.is_authenticated:
        resident = getattr(request, "resident", None)
        account = resident.portal_account if resident else confirmed_portal_account(user=request.user)
        if account is not None:
            _record(account, ActivityEvent.Kind.LOGOUT, request, user=request.user)
    if token is not None and hasattr(token, "key_id"):
        revoke_access_token(token=token)
    session = getattr(request, "session", None)
    if session is not None and request.user.is_authenticated:
        revoke_session_token(user=request.user, token_id=session.get(SESSION_TOKEN_KEY))
    django_logout(request)


def continue_after_password_change(*, request, user, issue_token: bool = True) -> IssuedToken | None:
    """The browser that changed the password stays logged in; an API caller gets a new token.

    Every older token of the identity stopped working with the old password (on every domain); a
    new one is tied to this session, if the change was made with one bound to a token (so the
    browser stays one of the signed-in devices).
    """
    from django.contrib.auth import SESSION_KEY, update_session_auth_hash

    session = getattr(request, "session", None)
    if session is not None and str(session.get(SESSION_KEY)) == str(user.pk):
        update_session_auth_hash(getattr(request, "_request", request), user)
    # The session's device goes on with a token of the new password (the old one no longer works).
    bound = session is not None and session.get(SESSION_TOKEN_KEY) is not None
    if not issue_token and not bound:
        return None
    origin = _origin(request)
    issued = issue_access_token(user=user, ip=origin.ip, user_agent=origin.user_agent)
    if bound:
        session[SESSION_TOKEN_KEY] = issued.token.pk
        session[SESSION_SEEN_KEY] = time.time()
    return issued if issue_token else None
