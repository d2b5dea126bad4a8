"""Error answers: JSON for the API and the platform domain, a portal page for browsers on an organisation's domain."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from . import api_errors
from .errors import RequestRefused
from .parsers import too_large


def _is_page(request) -> bool:
    return getattr(request, "organisation", None) is not None and not request.path.startswith(
        ("/api/", "/media/")
    )


def _page(request, status: int, title: str, text: str):
    return render(request, "portal/notice.html", {"title": title, "text": text, "error": True}, status=status)


def not_found(request, exception=None):
    if _is_page(request):
        return _page(
            request,
            404,
            _("Page not found"),
            _("This page does not exist. Check the address or start from the home page."),
        )
    return api_errors.not_found(request, exception)


def permission_denied(request, exception=None):
    if _is_page(request):
        return _page(request, 403, _("Not allowed"), _("You are not allowed to see this page."))
    return api_errors.permission_denied(request, exception)


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):  # a form's fields beyond DATA_UPLOAD_MAX_MEMORY_SIZE
        return refused(request, too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    if _is_page(request):
        return _page(request, 400, _("Bad request"), _("The page could not handle this request."))
    return api_errors.bad_request(request, exception)


def refused(request, refusal: RequestRefused):
    """A request that cannot be read (core.input_guard): the JSON error shape, or the branded page."""
    if not _is_page(request):
        return JsonResponse(refusal.as_dict(), status=refusal.http_status)
    request.LANGUAGE_CODE = translation.get_language()  # the guard runs before the locale middleware
    if refusal.http_status == 413:
        title, text = _("Too much at once"), _("What you sent is too large. Send less at once.")
    elif refusal.code == "invalid_characters":
        title = _("Bad request")
        text = _(
            "The address or the form holds characters that cannot be used. Check what you typed and try again."
        )
    else:
        title, text = _("Bad request"), _("The page could not handle this request.")
    return _page(request, refusal.http_status, title, text)


def server_error(request):
    if _is_page(request):
        # No context processors: whatever broke the page must not break its error page too.
        return HttpResponse(
            render_to_string("portal/500.html", {"LANGUAGE_CODE": getattr(request, "LANGUAGE_CODE", "en")}),
            status=500,
        )
    return api_errors.server_error(request)


def csrf_failure(request, reason: str = ""):
    if request.path.startswith("/api/"):
        return api_errors.error_response(
            403, "csrf_failed", _("CSRF check failed. Reload the page and try again.")
        )
    return _page(
        request,
        403,
        _("The form expired"),
        _("For your security the form could not be sent. Go back, reload the page and try again."),
    )
