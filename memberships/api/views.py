from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from credentials.throttles import AuthIPThrottle

from .. import selectors
from ..services import staff as staff_services
from .serializers import AcceptedInvitationSerializer, AcceptInvitationSerializer, InvitationDetailsSerializer


@extend_schema(tags=["auth"], responses={200: InvitationDetailsSerializer})
class InvitationDetailsView(APIView):
    """Check a staff invitation

    What a staff invitation link is for (email address, role, whether a password is needed),
    before accepting it.
    """

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [AuthIPThrottle]  # the token is the key: no guessing at scale

    def get(self, request, token: str):
        details = selectors.invitation_details(raw_token=token)
        return Response(InvitationDetailsSerializer(details).data)


@extend_schema(
    tags=["auth"], request=AcceptInvitationSerializer, responses={200: AcceptedInvitationSerializer}
)
class AcceptInvitationView(APIView):
    """Accept a staff invitation

    Set a password (a new identity) or keep the existing one.
    """

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [AuthIPThrottle]  # the token is the key: no guessing at scale

    def post(self, request):
        serializer = AcceptInvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        accepted = staff_services.accept_staff_invitation(
            raw_token=data["token"], password=data.get("password"), full_name=data.get("full_name", "")
        )
        return Response(
            AcceptedInvitationSerializer(
                {
                    "email": accepted.membership.email,
                    "role": accepted.membership.role,
                    "created_identity": accepted.created_identity,
                }
            ).data
        )
