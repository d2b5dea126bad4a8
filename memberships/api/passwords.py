"""Password change and reset through the API, on the platform domain and on every portal domain.

Not dj-rest-auth's views: each is one post() whose answer and input differ from ours
(docs/architecture.md, "What the stack gives").
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.services import Origin
from credentials.throttles import AUTH_THROTTLES, AuthIPThrottle
from memberships.api import auth_serializers as s
from memberships.permissions import NotImpersonating, use_resident_language
from memberships.services import passwords
from memberships.services.login import continue_after_password_change


def _message(code: str, detail: str, http_status: int = 200, **extra) -> Response:
    return Response({"code": code, "detail": detail, **extra}, status=http_status)


@extend_schema(tags=["auth"], request=s.EmailSerializer, responses={202: s.MessageSerializer})
class PasswordResetRequestView(APIView):
    """Ask for a password reset link

    The answer is the same whether or not the address is known. On an organisation's domain the link goes to a resident or staff member of that organisation;
    on the platform domain, to a platform operator. It points to the domain it was asked on.
    """

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = AUTH_THROTTLES

    def post(self, request):
        serializer = s.EmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        passwords.request_password_reset(
            organisation=getattr(request, "organisation", None),
            email=serializer.validated_data["email"],
            language=request.LANGUAGE_CODE,
            origin=Origin.of(request),
        )
        return _message(
            "request_received",
            _("If this address has an account with us, we sent a link to choose a new password."),
            status.HTTP_202_ACCEPTED,
        )


@extend_schema(tags=["auth"], request=s.ResetConfirmSerializer, responses={200: s.MessageSerializer})
class PasswordResetConfirmView(APIView):
    """Reset your password

    Choose a new password with the reset link's token (single use).
    """

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [AuthIPThrottle]

    def post(self, request):
        serializer = s.ResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        passwords.reset_password(
            organisation=getattr(request, "organisation", None),
            raw_token=serializer.validated_data["token"],
            new_password=serializer.validated_data["new_password"],
            origin=Origin.of(request),
            fallback_language=request.LANGUAGE_CODE,
        )
        return _message("password_reset", _("Your password was changed. Log in with your new password."))


@extend_schema(tags=["auth"], request=s.ChangePasswordSerializer, responses={200: s.NewTokenSerializer})
class PasswordChangeView(APIView):
    """Change your password

    Other sessions and tokens stop working; this one gets a new token.
    """

    permission_classes = [permissions.IsAuthenticated, NotImpersonating]
    throttle_classes = [AuthIPThrottle]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        use_resident_language(request)

    def post(self, request):
        serializer = s.ChangePasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = passwords.change_password(
            organisation=getattr(request, "organisation", None),
            user=request.user,
            old_password=serializer.validated_data["old_password"],
            new_password=serializer.validated_data["new_password"],
            origin=Origin.of(request),
            fallback_language=request.LANGUAGE_CODE,
        )
        issued = continue_after_password_change(request=request, user=user)
        return _message("password_changed", _("Your password was changed."), key=issued.raw)
