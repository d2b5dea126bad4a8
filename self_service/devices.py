"""Signing out a resident's devices: one, or all but the one in use.

A device is a live access token of the resident's own (not an impersonation's). Signing it out
revokes the token and deletes every browser session its login started, so a browser on that device
is logged out at its next request; memberships.middleware ends any session whose token is gone as a
second line. Sessions are per organisation, so this touches this organisation only. Each sign-out is
in the resident's activity log with where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from activity.models import ActivityEvent
from activity.services import Origin, record_event
from core.errors import RuleViolation
from credentials.models import AccessToken
from credentials.selectors import live_access_tokens
from credentials.services import delete_sessions, revoke_access_tokens
from memberships.models import PortalAccount
from memberships.services.impersonation import SESSION_KEY as IMPERSONATION_SESSION_KEY
from memberships.services.login import SESSION_TOKEN_KEY

from .user_agents import describe_user_agent


@dataclass(frozen=True)
class CurrentDevice:
    """The credentials of the request that asks: its own token, or its browser session and the
    token that session's login issued."""

    token_id: int | None = None
    session_key: str | None = None

    @classmethod
    def of(cls, request) -> CurrentDevice:
        auth = getattr(request, "auth", None)
        if getattr(auth, "key_id", None):
            return cls(token_id=auth.pk)
        session = getattr(request, "session", None)
        if session is None:
            return cls()
        return cls(token_id=session.get(SESSION_TOKEN_KEY), session_key=session.session_key)


@dataclass(frozen=True)
class SignedOut:
    """What ended: access tokens (devices) and browser sessions."""

    devices: int
    sessions: int
    label: str = ""  # the device's, when one was signed out


def signed_out_message(count: int) -> str:
    """What the resident is told after signing out their other devices."""
    if not count:
        return str(_("You were not signed in on any other device."))
    return ngettext(
        "You were signed out on %(count)s other device.",
        "You were signed out on %(count)s other devices.",
        count,
    ) % {"count": count}


class DeviceNotFound(RuleViolation):
    def __init__(self):
        super().__init__(str(_("You have no such signed-in device here.")), code="not_found", http_status=404)


class CurrentDeviceRefused(RuleViolation):
    def __init__(self):
        super().__init__(
            str(_("This is the device you are using: log out to sign it out.")),
            code="current_device",
            http_status=409,
        )


def _end(user, tokens: list[AccessToken], *, current: CurrentDevice, unbound: bool) -> SignedOut:
    """Revoke ``tokens`` and delete the sessions bound to them (``unbound``: also the user's
    sessions bound to no token, impersonations' aside), never the asking session."""
    ids = {token.pk for token in tokens}

    def bound(data: dict) -> bool:
        token_id = data.get(SESSION_TOKEN_KEY)
        if token_id is None:
            return unbound and data.get(IMPERSONATION_SESSION_KEY) is None
        return token_id in ids

    devices = revoke_access_tokens(user=user, token_ids=ids) if ids else 0
    sessions = delete_sessions(user=user, where=bound, keep_session_key=current.session_key)
    return SignedOut(devices=devices, sessions=sessions)


def _record(account: PortalAccount, kind: str, origin: Origin | None, data: dict) -> None:
    record_event(
        customer=account.customer,
        kind=kind,
        actor=ActivityEvent.Actor.RESIDENT,
        actor_user=account.user,
        origin=origin,
        data=data,
    )


@transaction.atomic
def sign_out_device(
    *, account: PortalAccount, key_id: str, current: CurrentDevice, origin: Origin | None = None
) -> SignedOut:
    """Sign out one of the resident's devices here (not the one in use: that is logging out).

    Anything else than a live device of the resident's own in this organisation is "not found".
    """
    token = next((token for token in live_access_tokens(user=account.user) if token.key_id == key_id), None)
    if token is None:
        raise DeviceNotFound()
    if token.pk == current.token_id:
        raise CurrentDeviceRefused()
    ended = _end(account.user, [token], current=current, unbound=False)
    description = describe_user_agent(token.user_agent)
    _record(
        account,
        ActivityEvent.Kind.DEVICE_SIGNED_OUT,
        origin,
        {
            "key_id": token.key_id,
            "browser": description.browser,
            "system": description.system,
            "device_type": description.device_type,
            "sessions": ended.sessions,
        },
    )
    return SignedOut(devices=ended.devices, sessions=ended.sessions, label=description.label)


@transaction.atomic
def sign_out_other_devices(
    *, account: PortalAccount, current: CurrentDevice, origin: Origin | None = None
) -> SignedOut:
    """Sign out every device of the resident's here but the one in use.

    Their tokens are revoked and their browser sessions deleted, a session that holds no token of
    its own too; a staff member's impersonation is not the resident's device and goes on.
    """
    tokens = list(
        AccessToken.objects.filter(user=account.user, impersonated_by__isnull=True).exclude(
            pk=current.token_id or 0
        )
    )
    # Dead tokens (expired, or older than the password) go too, but only listed devices are counted.
    listed = sum(1 for token in live_access_tokens(user=account.user) if token.pk != current.token_id)
    ended = _end(account.user, tokens, current=current, unbound=True)
    ended = SignedOut(devices=listed, sessions=ended.sessions)
    _record(
        account,
        ActivityEvent.Kind.OTHER_DEVICES_SIGNED_OUT,
        origin,
        {"devices": ended.devices, "sessions": ended.sessions},
    )
    return ended
