"""Logging in and out through the API, on the platform domain and on every portal domain."""

from __future__ import annotations

from dj_rest_auth.views import LoginView as RestAuthLoginView
from dj_rest_auth.views import UserDetailsView
from django.middleware.csrf import get_token
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from credentials.csrf import NotFromAnotherSite
from memberships.permissions import is_impersonating, use_resident_language
from memberships.selectors import console_access
from memberships.services.login import log_out

from .login_serializers import (
    ConsoleAccessSerializer,
    IdentitySerializer,
    LoginSerializer,
    TokenResponseSerializer,
)

_REFUSED = {
    403: OpenApiResponse(
        description="`csrf_failed`: a browser's request from another site, or without this site's CSRF "
        "token; `email_not_confirmed`: the registration still waits for its link."
    ),
    429: OpenApiResponse(
        description="`throttled`: too many failed logins for this address or from this client, on any "
        "host of the platform; the password was not checked."
    ),
}


@extend_schema(tags=["auth"], request=LoginSerializer, responses={200: TokenResponseSerializer, **_REFUSED})
class LoginView(RestAuthLoginView):
    """Log in

    With email and password: an API token valid on this domain only (and, for a page of this site
    that sends its CSRF token, a browser session). The body is JSON. A browser's request must come from a page of this domain and carry the CSRF
    token (`X-CSRFToken`, from `GET /api/auth/csrf/`), as the login form does; it then also gets a
    session cookie. An API client (no `Origin`) gets the token and no cookie.
    """

    # dj-rest-auth's post as it is, configured by settings.REST_AUTH: LoginSerializer logs in
    # (memberships.services.login), issued_login hands on the token log_in issued, and
    # TokenResponseSerializer answers. JSON only, read by the project's parsers.
    authentication_classes: list = []
    # A browser's request from another site is refused before its body is read.
    permission_classes = [permissions.AllowAny, NotFromAnotherSite]
    throttle_classes: list = []  # failed logins are limited by log_in itself, platform-wide


# Not dj-rest-auth's LogoutView: its logout() would be replaced whole (docs/architecture.md,
# "What the stack gives").
@extend_schema(tags=["auth"], request=None, responses={204: None})
class LogoutView(APIView):
    """Log out

    Ends the session and revokes the token used for this request (a session's logout also revokes
    the token its login issued); an impersonation token stops the impersonation.
    """

    permission_classes = [permissions.IsAuthenticated]

    def post(self, request):

        use_resident_language(request)
        log_out(request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"], responses={200: IdentitySerializer})
class MeView(UserDetailsView):
    """Get the logged-in identity

    The identity behind the credentials of this request.
    """

    # Read only: a name changes with the resident's details, a login address through its own
    # confirmation (self_service), each with its activity log; not here.
    http_method_names = ["get", "head", "options"]


@extend_schema(
    tags=["auth"],
    responses={200: inline_serializer("CsrfToken", {"csrf_token": serializers.CharField()})},
)
class CsrfView(APIView):
    """Get a CSRF token

    For a page's script (also set as the `csrftoken` cookie): send it as `X-CSRFToken` with the
    login and with every change made with the session.
    """

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    def get(self, request):
        return Response({"csrf_token": get_token(request._request)})


@extend_schema(tags=["auth"], responses={200: ConsoleAccessSerializer})
class ConsoleAccessView(APIView):
    """Get the staff console's access

    Whether the logged-in person may use the staff console on this host (`allowed`), with their
    staff role and impersonation permission in this organisation; on the platform host, whether
    they are a platform operator. The console reads it after logging in and on every reload.
    """

    def get(self, request):

        organisation = getattr(request, "organisation", None)
        access = console_access(
            user=request.user,
            organisation=organisation,
            impersonating=organisation is not None and is_impersonating(request),
        )
        user = request.user
        payload = {
            "user": {"id": user.pk, "email": user.email, "full_name": user.full_name},
            "language": get_language() or "en",
            **access,
        }
        return Response(ConsoleAccessSerializer(payload).data)
