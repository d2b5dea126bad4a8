"""Logging in and out on the platform domain and on an organisation's domain."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout

from credentials.services import IssuedToken, issue_access_token, revoke_access_token

from .models import normalise_email


class LoginError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class LoginResult:
    user: object
    token: IssuedToken
    context: dict


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def log_in(*, request, email: str, password: str) -> LoginResult:
    """Check the password and whether the identity may use this domain; issue a token and session.

    On the platform domain any active identity may log in (the operator API then checks the
    operator role). On an organisation's domain the identity needs a membership in that
    organisation; otherwise the answer is the same as for a wrong password.
    """
    from django.utils.translation import gettext as _

    user = authenticate(request, username=normalise_email(email), password=password)
    invalid = LoginError("invalid_credentials", _("The email address or password is not correct."))
    if user is None:
        raise invalid
    context: dict = {"platform": getattr(request, "organisation", None) is None}
    organisation = getattr(request, "organisation", None)
    if organisation is not None:
        from memberships.selectors import active_staff_membership

        membership = active_staff_membership(user=user)
        if membership is None:
            raise invalid
        context["staff_membership"] = membership
    token = issue_access_token(
        user=user, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
    )
    django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return LoginResult(user=user, token=token, context=context)


def log_out(*, request) -> None:
    token = getattr(request, "auth", None)
    if token is not None and hasattr(token, "key_id"):
        revoke_access_token(token=token)
    django_logout(request)
