"""A browser session lives only as long as the access token its login issued.

Every browser login keeps the id of the token it issued in the session (``SESSION_TOKEN_KEY``), so
that the session shows up as one of the resident's signed-in devices. This middleware, right after
Django's ``AuthenticationMiddleware``, makes ``request.user`` check that token when the user is first
needed, and only every ``LAST_USED_EVERY`` (5 minutes, a timestamp kept in the session): that one
``UPDATE`` notes the token's last use and IP, and when it finds no live token (signed out from another
device, revoked, expired) the session ends and the request is anonymous. Between two checks a request
costs no query more than before. Signing out a device also deletes its sessions at once
(``self_service.devices``); this check is what catches a session that escaped that (one started on
the way, or a token revoked by any other path).
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject

from core.client_ip import client_ip
from credentials.services import LAST_USED_EVERY, note_token_use

from .services.login import SESSION_SEEN_KEY, SESSION_TOKEN_KEY


def session_user(request):
    """The session's user, or AnonymousUser once the session's token no longer works."""
    user = get_user(request)
    if not user.is_authenticated:
        return user
    session = request.session
    token_id = session.get(SESSION_TOKEN_KEY)
    if token_id is None:
        return user  # a session without a token of its own (an impersonation's, an older login)
    now = time.time()
    seen = session.get(SESSION_SEEN_KEY)
    if isinstance(seen, int | float) and 0 <= now - seen < LAST_USED_EVERY.total_seconds():
        return user
    if not note_token_use(token_id=token_id, user=user, ip=client_ip(request)):
        session.flush()
        return AnonymousUser()
    session[SESSION_SEEN_KEY] = now
    return user


class SessionTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, "session"):
            request.user = SimpleLazyObject(lambda: session_user(request))
        return self.get_response(request)
