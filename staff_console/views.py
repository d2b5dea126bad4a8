"""The console's shell page: served for /staff/ and every client route under it (deep links).

No inline script: the page links the built files and hands the app its bootstrap data as a JSON
block (never executed) and the CSP nonce for its style tags.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from configuration.colours import best_text_colour
from configuration.site import cached_site

from .assets import console_assets

PLATFORM_COLOUR = "#0b5394"


def bootstrap_data(request) -> dict:
    """Who the console serves on this host; nothing secret (the page is public)."""
    organisation = getattr(request, "organisation", None)
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    common = {"language": language, "csrf_cookie_name": settings.CSRF_COOKIE_NAME}
    if organisation is None:
        return {
            "kind": "platform",
            "name": _("Energy portal platform"),
            "logo_url": None,
            "primary_colour": PLATFORM_COLOUR,
            "primary_text_colour": best_text_colour(PLATFORM_COLOUR),
            "secondary_colour": "#444444",
            **common,
        }

    site, _etag = cached_site(
        organisation=organisation,
        page=None,
        language=language,
        routing_version=getattr(request, "routing_version", None),
    )
    branding = site["branding"]
    return {
        "kind": "organisation",
        "name": organisation.name,
        "logo_url": branding["logo_url"],
        "favicon_url": branding["favicon_url"],
        "primary_colour": branding["primary_colour"],
        "primary_text_colour": branding["primary_text_colour"],
        "secondary_colour": branding["secondary_colour"],
        **common,
    }


@never_cache
def shell(request, path: str = ""):
    assets = console_assets()
    bootstrap = bootstrap_data(request)
    if bootstrap["kind"] == "platform":
        title = _("Platform operators console")
    else:
        title = _("%(name)s staff console") % {"name": bootstrap["name"]}
    context = {"bootstrap": bootstrap, "title": title, "assets": assets}
    if assets is None:
        return render(request, "staff_console/not_built.html", context, status=503)
    return render(request, "staff_console/shell.html", context)
