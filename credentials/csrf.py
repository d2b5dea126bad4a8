"""Login CSRF: a login that starts a browser session passes the login form's own CSRF check.

The API's views are exempt from Django's CSRF middleware (DRF checks CSRF only for requests that
are already authenticated by a session), so a login through the API would otherwise let a hostile
page log a visitor into the attacker's account. The same check as the portal's login form is run
here, by Django's own middleware (Origin against the host and ``CSRF_TRUSTED_ORIGINS``, the Referer
on HTTPS, the CSRF token from the cookie in the ``X-CSRFToken`` header).
"""

from __future__ import annotations

from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions


class CsrfFailed(exceptions.PermissionDenied):
    default_detail = _(
        "This request is not from a page of this site, or its CSRF token is missing or wrong. "
        "Reload the page and try again."
    )
    default_code = "csrf_failed"


class _Check(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason

    def origin_allowed(self, request) -> bool:
        return self._origin_verified(request)


def csrf_failure(request) -> str | None:
    """Why Django's CSRF protection refuses ``request`` (a Django or DRF request); None if it passes.

    A request the middleware already accepted (a portal page's form post) passes as it is.
    """
    http_request = getattr(request, "_request", request)
    check = _Check(lambda _request: None)
    check.process_request(http_request)
    return check.process_view(http_request, None, (), {})


def from_a_browser(request) -> bool:
    """Browsers mark every request made by a page's script or form (``Origin``, ``Sec-Fetch-Site``);
    API clients (scripts, generated clients, curl) send neither and hold no cookie of ours."""
    meta = request.META
    return "HTTP_ORIGIN" in meta or "HTTP_SEC_FETCH_SITE" in meta


def cross_site(request) -> bool:
    """A browser says this request comes from a page of another site (checked before the body is read).

    An ``Origin`` must be this host's own or one of ``CSRF_TRUSTED_ORIGINS``; without one, the
    ``Sec-Fetch-Site`` of a browser must be ``same-origin`` (or ``none``: the user's own action).
    """
    http_request = getattr(request, "_request", request)
    meta = http_request.META
    if "HTTP_ORIGIN" in meta:
        return not _Check(lambda _request: None).origin_allowed(http_request)
    return meta.get("HTTP_SEC_FETCH_SITE", "same-origin") not in ("same-origin", "none")


class NotFromAnotherSite(permissions.BasePermission):
    """The API login's first check, as a permission so that it runs before the body is read:
    a request a browser marks as coming from another site is refused (403 ``csrf_failed``)."""

    def has_permission(self, request, view) -> bool:
        if cross_site(request):
            raise CsrfFailed()
        return True
