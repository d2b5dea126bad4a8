"""Counters of their own for the public move-in endpoints, apart from the login throttle.

A move-in takes many requests (seven steps, photos, the address search as you type); sharing the
login's per-IP counter would lock the person out of logging in. Same key shape: organisation + IP.
"""

from __future__ import annotations

from credentials.throttles import AuthIPThrottle


class MoveInThrottle(AuthIPThrottle):
    scope = "move_in"


class LocationSearchThrottle(AuthIPThrottle):
    scope = "location_search"
