"""The caller's own API tokens on this domain: list them, revoke one, revoke all others."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from credentials.selectors import live_access_tokens
from credentials.services import revoke_other_access_tokens, revoke_own_access_token
from memberships.permissions import NotImpersonating, use_resident_language
from memberships.services.login import SESSION_TOKEN_KEY

from .login_serializers import AccessTokenSerializer, RevokedTokensSerializer


def current_token_id(request) -> int | None:
    """The token this request uses: its own, or the one its session's login issued."""
    if getattr(request.auth, "key_id", None):
        return request.auth.pk
    session = getattr(request, "session", None)
    return session.get(SESSION_TOKEN_KEY) if session is not None else None


class OwnTokensView(APIView):
    # Staff acting as a resident must not see or end the resident's own credentials.
    permission_classes = [permissions.IsAuthenticated, NotImpersonating]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        use_resident_language(request)


@extend_schema(tags=["auth"])
class TokenListView(OwnTokensView, generics.ListAPIView):
    """List your API tokens

    Your API tokens on this domain that still work, newest first (`current`: the one in use).
    """

    serializer_class = AccessTokenSerializer

    def get_queryset(self):
        return live_access_tokens(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "current_id": current_token_id(self.request)}


@extend_schema(tags=["auth"], responses={204: None, 404: OpenApiResponse(description="`not_found`")})
class TokenRevokeView(OwnTokensView):
    """Revoke one of your API tokens

    It stops working at once. Only your own tokens on this domain (404 for any other id).
    """

    def delete(self, request, key_id: str):
        revoke_own_access_token(user=request.user, key_id=key_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"], request=None, responses={200: RevokedTokensSerializer})
class RevokeOtherTokensView(OwnTokensView):
    """Revoke your other API tokens

    Every API token of yours on this domain except the one this request uses (or this session's).
    """

    def post(self, request):
        count = revoke_other_access_tokens(user=request.user, keep_id=current_token_id(request))
        detail = (
            ngettext("%(count)s other token was revoked.", "%(count)s other tokens were revoked.", count)
            % {"count": count}
            if count
            else _("You had no other tokens.")
        )
        return Response({"code": "tokens_revoked", "detail": detail, "revoked": count})
