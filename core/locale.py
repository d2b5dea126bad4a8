"""The language of each request: the resident's stored choice, else the visitor's, else the organisation's."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    code = code.lower().split("-")[0]
    return code if code in SUPPORTED else None


def visitor_language(request) -> str:
    """Query ``?lang=``, the language cookie, Accept-Language, the organisation's default, English."""
    chosen = _supported(request.GET.get("lang")) or _supported(
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    )
    if chosen:
        return chosen
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if _supported(code):
            return _supported(code)
    organisation = getattr(request, "organisation", None)
    return _supported(getattr(organisation, "default_language", None)) or settings.LANGUAGE_CODE


class PortalLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = visitor_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        organisation = getattr(request, "organisation", None)
        if organisation is not None and not request.path.startswith("/api/"):
            # Pages show times in the organisation's zone; the API keeps explicit UTC offsets.
            timezone.activate(organisation.zone)
        response = self.get_response(request)
        timezone.deactivate()
        response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        translation.deactivate()  # nothing after this request runs in its language by accident
        return response


def use_language(request, language: str) -> None:
    """Switch the rest of this request to ``language`` (a resident's stored preference)."""
    language = _supported(language)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language
