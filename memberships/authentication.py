"""DRF authentication with the schema-bound access tokens of :mod:`credentials.models`; an expired
impersonation token closes its session (memberships), which is why it lives here and not in credentials."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name
from rest_framework import authentication, exceptions

from core.client_ip import client_ip
from credentials.services import authenticate_access_token, expired_impersonation_token
from memberships.services.impersonation import close_expired_token_session


def _closed_expired_impersonation(raw: str) -> bool:
    """An impersonation token that ran out: its session is closed (and logged) on this first refusal."""
    if connection.schema_name == get_public_schema_name():
        return False  # impersonation only exists on organisations' domains
    token = expired_impersonation_token(raw)
    if token is None:
        return False
    close_expired_token_session(token=token)
    return True


class AccessTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` (or ``Bearer <key>``) with a token of this domain."""

    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from exc
        token = authenticate_access_token(raw, ip=client_ip(request))
        if token is None:
            if _closed_expired_impersonation(raw):
                raise exceptions.AuthenticationFailed(
                    _("This impersonation session has ended."), code="impersonation_ended"
                )
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."), code="token_invalid")
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'
