"""The API's throttles on the pages' form posts, so the browser is no way around them.

The pages call the services directly, not through DRF, so they run the same throttle classes
themselves (``credentials.throttles``, ``support.throttles``, ``moves.throttles``, the email-change
throttle): the same scopes, rates and Redis keys, so attempts on ``/login/`` and on
``/api/auth/login/`` from one client (or for one address) use up one allowance. The per-address
throttle is fed the submitted address, known or not, so being throttled reveals nothing. As in DRF,
every throttle counts the attempt it lets through; a refused attempt is not counted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from core.throttle_message import throttled_message

TOO_MANY_REQUESTS = 429


@dataclass(frozen=True)
class Throttled:
    """A refused attempt: how long until the next one is allowed."""

    wait: int  # seconds, at least 1

    @property
    def message(self) -> str:
        return throttled_message(self.wait)


class _Attempt:
    """What the DRF throttles read of a request: ``META`` (the client IP) and ``data["email"]``."""

    def __init__(self, request: HttpRequest, email: object):
        self.META = request.META
        self.data = {"email": email} if email is not None else {}


def check(
    request: HttpRequest,
    throttles: Iterable[type[SimpleRateThrottle]],
    *,
    email: object = None,
) -> Throttled | None:
    """Count this attempt against every throttle, as DRF does for the API; None when all allow it.

    ``email`` is the address as submitted (for ``AuthAccountThrottle``); the throttles normalise it.
    """
    attempt = _Attempt(request, email)
    waits = []
    for throttle_class in throttles:
        throttle = throttle_class()
        if not throttle.allow_request(attempt, None):
            # wait() is None only when the rate was lowered below what is already counted.
            waits.append(throttle.wait() or throttle.duration)
    if not waits:
        return None
    return Throttled(wait=max(1, math.ceil(max(waits))))


def check_post(
    request: HttpRequest,
    throttles: Iterable[type[SimpleRateThrottle]],
    *,
    email_field: str | None = None,
) -> Throttled | None:
    """``check`` for a form post (other methods are not counted); the address is read from the form."""
    if request.method != "POST":
        return None
    return check(request, throttles, email=request.POST.get(email_field) if email_field else None)


def respond(response: HttpResponse, throttled: Throttled | None) -> HttpResponse:
    """A page shown because of ``throttled`` is a 429 with Retry-After, like the API's answer."""
    if throttled is not None:
        response.status_code = TOO_MANY_REQUESTS
        response["Retry-After"] = str(throttled.wait)
    return response


def notice(
    request: HttpRequest, throttled: Throttled, *, back: str, title: str | None = None
) -> HttpResponse:
    """For a button without a form to re-render (a link's confirmation): nothing was done, retry later."""
    response = render(
        request,
        "portal/notice.html",
        {"title": title or _("Please wait"), "text": throttled.message, "error": True, "back": back},
    )
    return respond(response, throttled)
