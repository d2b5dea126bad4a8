"""Reads for a resident's own account: their signed-in devices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from credentials.models import AccessToken
from credentials.selectors import live_access_tokens

from .user_agents import DeviceDescription, describe_user_agent


@dataclass(frozen=True)
class Device:
    """One signed-in device: a live access token of the resident's (a browser's login issued one,
    an API client holds its own)."""

    key_id: str
    description: DeviceDescription
    ip: str | None
    signed_in_at: datetime
    last_used_at: datetime
    current: bool

    @property
    def label(self) -> str:
        return self.description.label

    @classmethod
    def of(cls, token: AccessToken, *, current_token_id: int | None) -> Device:
        return cls(
            key_id=token.key_id,
            description=describe_user_agent(token.user_agent),
            ip=token.last_ip or token.created_ip,
            signed_in_at=token.created_at,
            last_used_at=token.last_used_at or token.created_at,
            current=token.pk == current_token_id,
        )


def signed_in_devices(*, user, current_token_id: int | None) -> list[Device]:
    """The resident's signed-in devices here: this one first, then the most recently used.

    Impersonations (a staff member's doing) and tokens that no longer work are not devices (one
    query; credentials.selectors.live_access_tokens).
    """
    devices = [Device.of(token, current_token_id=current_token_id) for token in live_access_tokens(user=user)]
    return sorted(devices, key=lambda device: (not device.current, -device.last_used_at.timestamp()))
