from __future__ import annotations

from dj_rest_auth.views import LoginView as RestAuthLoginView
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from credentials.throttles import AUTH_THROTTLES

from ..services import log_in, log_out
from .serializers import IdentitySerializer, LoginSerializer, TokenResponseSerializer


@extend_schema(tags=["auth"], request=LoginSerializer, responses={200: TokenResponseSerializer})
class LoginView(RestAuthLoginView):
    """Log in with email and password: returns an API token valid on this domain only, and a session."""

    serializer_class = LoginSerializer
    authentication_classes: list = []
    throttle_classes = AUTH_THROTTLES

    def login(self):
        data = self.serializer.validated_data
        self.result = log_in(request=self.request, email=data["email"], password=data["password"])
        self.user = self.result.user

    def get_response(self):
        return Response(TokenResponseSerializer(self.result).data, status=status.HTTP_200_OK)


@extend_schema(tags=["auth"], request=None, responses={204: None})
class LogoutView(APIView):
    """End the session and revoke the token used for this request; an impersonation token stops it."""

    permission_classes = [permissions.IsAuthenticated]

    def post(self, request):
        from memberships.permissions import use_resident_language

        use_resident_language(request)
        log_out(request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"], responses={200: IdentitySerializer})
class MeView(APIView):
    """The identity behind the credentials of this request."""

    def get(self, request):
        return Response(IdentitySerializer(request.user).data)
