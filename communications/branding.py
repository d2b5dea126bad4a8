"""The sender's look in emails: organisation name, colours, logo and links to its own portal."""

from __future__ import annotations

from django.conf import settings

from tenants.selectors import base_url_for_host, portal_base_url

DEFAULT_PRIMARY_COLOUR = "#0b5394"


def email_branding(organisation) -> dict:
    if organisation is None:
        return {
            "organisation_name": "Energy portal platform",
            "portal_url": base_url_for_host(settings.PLATFORM_DOMAIN),
            "primary_colour": DEFAULT_PRIMARY_COLOUR,
            "logo_url": "",
            "support_email": "",
        }
    return {
        "organisation_name": organisation.name,
        "portal_url": portal_base_url(organisation),
        "primary_colour": DEFAULT_PRIMARY_COLOUR,
        "logo_url": "",
        "support_email": "",
    }
