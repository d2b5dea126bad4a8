"""The sender's look in emails: organisation name, colours, logo and links to its own portal."""

from __future__ import annotations

from django.conf import settings

from configuration.colours import AA_NORMAL_TEXT, WHITE, best_text_colour, darkened_until
from configuration.models import GeneralPreferences, PortalPreferences
from configuration.site import effective_branding
from tenants.selectors import base_url_for_host, portal_base_url

DEFAULT_PRIMARY_COLOUR = "#0b5394"


def readable_brand(primary: str) -> dict:
    """The layout puts text on the primary colour (header, buttons) and uses it for links on white:
    text in white or near-black, whichever reads better, links in a shade reaching 4.5:1 on white."""
    return {
        "primary_colour": primary,
        "primary_text_colour": best_text_colour(primary),
        "link_colour": darkened_until(primary, AA_NORMAL_TEXT, (WHITE,)),
    }


def email_branding(organisation) -> dict:
    """Called inside the organisation's schema: the same branding its portal shows."""
    if organisation is None:
        return {
            "organisation_name": "Energy portal platform",
            "portal_url": base_url_for_host(settings.PLATFORM_DOMAIN),
            **readable_brand(DEFAULT_PRIMARY_COLOUR),
            "logo_url": "",
            "support_email": "",
        }

    base = portal_base_url(organisation)
    preferences = PortalPreferences.objects.current()
    branding = effective_branding(GeneralPreferences.objects.current(), preferences)
    logo = branding["logo_url"]
    return {
        "organisation_name": organisation.name,
        "portal_url": base,
        **readable_brand(branding["primary_colour"]),
        "logo_url": f"{base}{logo}" if logo and not logo.endswith(".svg") else "",  # mail clients show no SVG
        "support_email": preferences.support_email,
    }
