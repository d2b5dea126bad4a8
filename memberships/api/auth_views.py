"""Resident account flows on an organisation's domain: register, confirm, reset, activate."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.services import Origin
from credentials.throttles import AUTH_THROTTLES, AuthIPThrottle

from ..models import AccountEmailRequest
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
    """Stop an impersonation

    Ends the impersonation this request belongs to (its token, or the browser session staff opened
    with it); `not_impersonating` for any other credential, also on the platform domain.
    """

    def post(self, request):
        stopped = impersonation.stop_impersonation_of_request(request, origin=Origin.of(request))
        if not stopped:
            return _message(
                "not_impersonating", _("This is not an impersonation session."), status.HTTP_400_BAD_REQUEST
            )
        return _message("impersonation_stopped", _("You are no longer logged in as the customer."))
