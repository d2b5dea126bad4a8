"""Failed logins, counted over the whole platform: per identity and per client IP.

One identity has one password on every domain, so guesses at it add up wherever they are made: the
keys hold no schema. Per normalised address (``login_account``, known or not, so the count reveals
nothing) and per client IP (``login_ip``); a login over either limit is refused with 429 before
its password is looked at, on every host, through the API and the portal's login page alike
(:func:`memberships.services.login.log_in` is the one caller).

Each key is a sliding window in a Redis sorted set. An attempt takes its place before the password
is checked, in one MULTI/EXEC, so parallel guesses cannot all slip under the limit; a login that did
not fail (right password) gives its place back, so only failures count. A refused attempt is not
counted. Without Redis the limit lets logins through rather than failing them (as the other
throttles do). Rates come from DRF's table (``THROTTLE_LOGIN_ACCOUNT``, ``THROTTLE_LOGIN_IP``).
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django_redis import get_redis_connection
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

from core.errors import RuleViolation
from core.throttle_message import throttled_message

from .throttles import address_key

logger = logging.getLogger(__name__)


class LoginThrottled(RuleViolation):
    """Too many failed logins for this address or from this client: nothing was checked."""

    def __init__(self, wait: float):
        self.wait = max(1, math.ceil(wait))
        super().__init__(throttled_message(self.wait), code="throttled", http_status=429)


class _Window(SimpleRateThrottle):
    """Only DRF's rate table and parsing; the counting is below."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()


@dataclass
class LoginAttempt:
    """The places one login attempt holds in the counters until it is known whether it failed."""

    member: str
    keys: list[str] = field(default_factory=list)

    def succeeded(self) -> None:
        """Not a failure (right password): give the places back."""
        if not self.keys:
            return
        try:
            pipe = get_redis_connection("default").pipeline()
            for key in self.keys:
                pipe.zrem(key, self.member)
            pipe.execute()
        except RedisError:
            logger.warning("login throttle: Redis unavailable, a place was not given back")

    def failed(self) -> None:
        """A failure keeps its places until they leave the window."""


def _take_place(client, key: str, member: str, now: float, window: _Window) -> float | None:
    """Count ``member`` in ``key``; the seconds to wait (and no place taken) when over the limit."""
    pipe = client.pipeline()
    pipe.zremrangebyscore(key, "-inf", now - window.duration)
    pipe.zadd(key, {member: now})
    pipe.zcard(key)
    pipe.expire(key, int(window.duration) + 1)
    count = pipe.execute()[2]
    if count <= window.num_requests:
        return None
    pipe = client.pipeline()
    pipe.zrem(key, member)
    # The limit is free again when enough of the oldest places have left the window.
    position = count - window.num_requests - 1
    pipe.zrange(key, position, position, withscores=True)
    oldest = pipe.execute()[1]
    return (oldest[0][1] + window.duration - now) if oldest else window.duration


def begin_login_attempt(*, email: str, ip: str | None) -> LoginAttempt:
    """Take this attempt's places in the address's and the client's counters, or raise LoginThrottled."""
    attempt = LoginAttempt(member=uuid.uuid4().hex)
    keys = [
        ("login_account", address_key(email)),
        ("login_ip", ip or "unknown"),
    ]
    try:
        client = get_redis_connection("default")
        now = client.time()
        now = now[0] + now[1] / 1_000_000  # Redis's clock: the same for every worker
        for scope, ident in keys:
            window = _Window(scope)
            if window.rate is None:
                continue
            key = cache.make_key(f"throttle:{scope}:{ident}")
            wait = _take_place(client, key, attempt.member, now, window)
            if wait is not None:
                attempt.succeeded()  # give back the places already taken
                raise LoginThrottled(wait)
            attempt.keys.append(key)
    except RedisError:
        logger.warning("login throttle: Redis unavailable, the attempt is not counted")
        attempt.succeeded()
        return LoginAttempt(member=attempt.member)
    return attempt
