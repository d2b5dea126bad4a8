"""Reads of the configuration for the staff admin."""

from __future__ import annotations

from django.urls import reverse

from communications.catalogue import CATALOGUE
from communications.models import EmailTemplate

from .models import GeneralPreferences, PortalPreferences

LANGUAGES = ("en", "nl", "fr")


def email_links() -> list[dict]:
    return [
        {
            "key": kind.key,
            "label": str(kind.label),
            "templates": {
                language: reverse("admin-email-template", kwargs={"key": kind.key, "language": language})
                for language in LANGUAGES
            },
        }
        for kind in CATALOGUE.values()
    ]


def email_overview() -> list[dict]:
    customised = set(EmailTemplate.objects.values_list("template", "language"))
    return [
        {
            "key": kind.key,
            "label": str(kind.label),
            "variables": list(kind.variables),
            "templates": {
                language: {
                    "customised": (kind.key, language) in customised,
                    "url": reverse("admin-email-template", kwargs={"key": kind.key, "language": language}),
                }
                for language in LANGUAGES
            },
        }
        for kind in CATALOGUE.values()
    ]


def portal_preferences_view(*, organisation, preferences: PortalPreferences, warnings=()) -> dict:
    return {
        "portal_status": organisation.portal_status,
        "use_organisation_logo": preferences.use_organisation_logo,
        "logo_url": preferences.logo.url if preferences.logo else None,
        "favicon_url": preferences.favicon.url if preferences.favicon else None,
        "use_organisation_colours": preferences.use_organisation_colours,
        "primary_colour": preferences.primary_colour,
        "secondary_colour": preferences.secondary_colour,
        "support_email": preferences.support_email,
        "website": preferences.website,
        "support_phone": preferences.support_phone,
        "advance_changes_allowed": preferences.advance_changes_allowed,
        "advance_range": preferences.advance_range,
        "advance_fixed_amount": preferences.advance_fixed_amount,
        "advance_min_percentage": preferences.advance_min_percentage,
        "advance_max_percentage": preferences.advance_max_percentage,
        "invoices_visible": preferences.invoices_visible,
        "payment_status_visible": preferences.payment_status_visible,
        "cost_visualisation": preferences.cost_visualisation,
        "cost_visualisation_available": organisation.feature_enabled("cost_visualisation"),
        "emails": email_links(),
        "warnings": list(warnings),
        "updated_at": preferences.updated_at,
    }


def general_preferences_view(*, general: GeneralPreferences, warnings=()) -> dict:
    return {
        "logo_url": general.logo.url if general.logo else None,
        "primary_colour": general.primary_colour,
        "secondary_colour": general.secondary_colour,
        "warnings": list(warnings),
        "updated_at": general.updated_at,
    }
