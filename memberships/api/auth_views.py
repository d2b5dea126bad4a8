"""Resident account flows on an organisation's domain: register, confirm, reset, activate."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.services import Origin
from credentials.services import issue_access_token
from credentials.throttles import AUTH_THROTTLES, AuthIPThrottle

from ..models import AccountEmailRequest
from ..permissions import NotImpersonating, use_resident_language
from ..services import impersonation, passwords, registration
from . import auth_serializers as s


def _message(code: str, detail: str, http_status: int = 200, **extra) -> Response:
    return Response({"code": code, "detail": detail, **extra}, status=http_status)


class PublicAuthView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = AUTH_THROTTLES


@extend_schema(tags=["auth"], request=s.RegisterSerializer, responses={202: s.MessageSerializer})
class RegisterView(PublicAuthView):
    """Register for the portal

    With your customer number and the email address on your customer record (optionally another
    address to log in with). The account is active once the emailed link confirms the address.
    """

    def post(self, request):
        serializer = s.RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        registration.register_resident(
            organisation=request.organisation,
            customer_number=data["customer_number"],
            email=data["email"],
            password=data["password"],
            login_email=data.get("login_email") or None,
            language=data.get("language"),
            fallback_language=request.LANGUAGE_CODE,
            origin=Origin.of(request),
        )
        return _message(
            "confirmation_sent",
            _(
                "Almost done: we sent you an email. Click the link in it to confirm your address and activate your account."
            ),
            status.HTTP_202_ACCEPTED,
        )


@extend_schema(tags=["auth"], request=s.TokenSerializer, responses={200: s.ConfirmedSerializer})
class ConfirmView(PublicAuthView):
    """Confirm your email address

    With the token of the link sent at registration; the account is active afterwards.
    """

    throttle_classes = [AuthIPThrottle]

    def post(self, request):
        serializer = s.TokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = registration.confirm_registration(
            raw_token=serializer.validated_data["token"], origin=Origin.of(request)
        )
        detail = (
            _("Your email address is confirmed. Log in with the password you already use for this address.")
            if not result.created_identity
            else _("Your email address is confirmed. You can log in now.")
        )
        return _message(
            "confirmed",
            detail,
            email=result.account.login_email,
            existing_identity=not result.created_identity,
        )


@extend_schema(tags=["auth"], request=s.EmailSerializer, responses={202: s.MessageSerializer})
class ResendConfirmationView(PublicAuthView):
    """Ask for a new confirmation email

    The answer is the same whether or not the address is known.
    """

    def post(self, request):
        serializer = s.EmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        passwords.request_account_email(
            kind=AccountEmailRequest.Kind.RESEND_CONFIRMATION,
            email=serializer.validated_data["email"],
            language=request.LANGUAGE_CODE,
            origin=Origin.of(request),
        )
        return _message(
            "request_received",
            _(
                "If this address has a registration waiting for confirmation, we sent a new confirmation email."
            ),
            status.HTTP_202_ACCEPTED,
        )


@extend_schema(tags=["auth"], request=s.EmailSerializer, responses={202: s.MessageSerializer})
class PasswordResetRequestView(PublicAuthView):
    """Ask for a password reset link. The answer is the same whether or not the address is known."""

    def post(self, request):
        serializer = s.EmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        passwords.request_account_email(
            kind=AccountEmailRequest.Kind.PASSWORD_RESET,
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
class PasswordResetConfirmView(PublicAuthView):
    """Choose a new password with the reset link's token (single use)."""

    throttle_classes = [AuthIPThrottle]

    def post(self, request):
        serializer = s.ResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        passwords.reset_password(
            organisation=request.organisation,
            raw_token=serializer.validated_data["token"],
            new_password=serializer.validated_data["new_password"],
            origin=Origin.of(request),
        )
        return _message("password_reset", _("Your password was changed. Log in with your new password."))


@extend_schema(tags=["auth"], request=s.ChangePasswordSerializer, responses={200: s.NewTokenSerializer})
class PasswordChangeView(APIView):
    """Change your password; other sessions and tokens stop working, this one gets a new token."""

    permission_classes = [permissions.IsAuthenticated, NotImpersonating]
    throttle_classes = [AuthIPThrottle]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        use_resident_language(request)

    def post(self, request):
        serializer = s.ChangePasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = passwords.change_password(
            organisation=request.organisation,
            user=request.user,
            old_password=serializer.validated_data["old_password"],
            new_password=serializer.validated_data["new_password"],
            origin=Origin.of(request),
        )
        update_session_auth_hash(request._request, user)
        issued = issue_access_token(
            user=user, ip=Origin.of(request).ip, user_agent=Origin.of(request).user_agent
        )
        return _message("password_changed", _("Your password was changed."), key=issued.raw)


@extend_schema(tags=["auth"], responses={200: s.ActivationDetailsSerializer})
class ActivationDetailsView(PublicAuthView):
    """Check a portal invitation

    What a portal invitation link is for, before activating it.
    """

    throttle_classes = [AuthIPThrottle]

    def get(self, request, token: str):
        return Response(
            s.ActivationDetailsSerializer(registration.invitation_needs_password(raw_token=token)).data
        )


@extend_schema(tags=["auth"], request=s.ActivateSerializer, responses={200: s.ConfirmedSerializer})
class ActivateView(PublicAuthView):
    """Activate a portal account

    From an invitation the organisation sent: choose a password (or keep the one of an existing
    identity) and the account is active.
    """

    throttle_classes = [AuthIPThrottle]

    def post(self, request):
        serializer = s.ActivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = registration.accept_portal_invitation(
            organisation=request.organisation,
            raw_token=data["token"],
            password=data.get("password") or None,
            language=data.get("language"),
            origin=Origin.of(request),
        )
        detail = (
            _("Your account is active. Log in with the password you already use for this address.")
            if not result.created_identity
            else _("Your account is active. You can log in now.")
        )
        return _message(
            "activated",
            detail,
            email=result.account.login_email,
            existing_identity=not result.created_identity,
        )


@extend_schema(tags=["auth"], request=None, responses={200: s.MessageSerializer})
class StopImpersonationView(APIView):
    """Called with an impersonation token: ends that impersonation session."""

    def post(self, request):
        session = impersonation.live_session_for_token(request.auth)
        if session is None:
            return _message(
                "not_impersonating", _("This is not an impersonation session."), status.HTTP_400_BAD_REQUEST
            )
        impersonation.stop_impersonation(session=session, origin=Origin.of(request))
        return _message("impersonation_stopped", _("You are no longer logged in as the customer."))
