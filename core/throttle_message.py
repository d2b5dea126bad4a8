"""What a caller refused by a throttle is told, in their language: the API and the pages say the same."""

from __future__ import annotations

import math

from django.utils.translation import ngettext


def throttled_message(wait: float | None) -> str:
    """What a refused attempt is told, in the caller's language (API and pages alike)."""
    wait = max(1, math.ceil(wait or 1))
    if wait < 120:
        return ngettext(
            "Too many attempts. Try again in %(count)s second.",
            "Too many attempts. Try again in %(count)s seconds.",
            wait,
        ) % {"count": wait}
    minutes = math.ceil(wait / 60)
    return ngettext(
        "Too many attempts. Try again in %(count)s minute.",
        "Too many attempts. Try again in %(count)s minutes.",
        minutes,
    ) % {"count": minutes}
