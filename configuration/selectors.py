"""Reads of the configuration for the staff admin."""

from __future__ import annotations

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from core.errors import RuleViolation

from .contrast import rich_text_warnings
from .models import GeneralPreferences, PageMessage, PaymentSettings, PortalPreferences
from .payment_details import PLACEHOLDERS
from .rich_text import display_html, text_length
from .rich_text_colours import MESSAGE_SURFACES
from .services import RECOMMENDED_MESSAGE_LENGTH, long_message_warnings

LANGUAGES = ("en", "nl", "fr")


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
        "terms_url": preferences.terms_url,
        "privacy_url": preferences.privacy_url,
        "advance_changes_allowed": preferences.advance_changes_allowed,
        "advance_range": preferences.advance_range,
        "advance_fixed_amount": preferences.advance_fixed_amount,
        "advance_min_percentage": preferences.advance_min_percentage,
        "advance_max_percentage": preferences.advance_max_percentage,
        "invoices_visible": preferences.invoices_visible,
        "payment_status_visible": preferences.payment_status_visible,
        "cost_visualisation": preferences.cost_visualisation,
        "cost_visualisation_available": organisation.feature_enabled("cost_visualisation"),
        "warnings": list(warnings),
        "updated_at": preferences.updated_at,
    }


def payment_settings_view(*, settings: PaymentSettings) -> dict:
    return {
        "creditor_name": settings.creditor_name,
        "iban": settings.iban,
        "bic": settings.bic,
        "reference_scheme": settings.reference_scheme,
        "provider_url_template": settings.provider_url_template,
        "placeholders": list(PLACEHOLDERS),
        "updated_at": settings.updated_at,
    }


def general_preferences_view(*, general: GeneralPreferences, warnings=()) -> dict:
    return {
        "logo_url": general.logo.url if general.logo else None,
        "primary_colour": general.primary_colour,
        "secondary_colour": general.secondary_colour,
        "warnings": list(warnings),
        "updated_at": general.updated_at,
    }


def page_messages(
    *, page: str | None = None, kind: str | None = None, search: str = ""
) -> QuerySet[PageMessage]:
    """Every message of this organisation in page order, or those of one page or type, or whose
    text (in any language) holds every word searched for."""
    messages = PageMessage.objects.all()
    if page:
        messages = messages.filter(page=page)
    if kind:
        messages = messages.filter(kind=kind)
    if search.split():
        messages = messages.annotate(text=Cast("bodies", TextField()))
        for word in search.split():
            messages = messages.filter(text__icontains=word)
    return messages


def page_message(*, message_id: int) -> PageMessage:
    """One message of this organisation (its schema); another's id is simply not found."""
    message = PageMessage.objects.filter(pk=message_id).first()
    if message is None:
        raise RuleViolation(_("There is no such message."), code="not_found", http_status=404)
    return message


def message_preview(*, kind: str, html: str) -> dict:
    """A message's HTML exactly as the resident page will show it (the same sanitiser and colour
    adjustment as ``site.build_site``), with the warnings a save would give. Nothing is stored."""
    surface = MESSAGE_SURFACES[kind]
    return {
        "kind": kind,
        "html": str(display_html(html, surface=surface)),
        "length": text_length(html),
        "recommended_length": RECOMMENDED_MESSAGE_LENGTH,
        "background": surface.backgrounds[0],
        "text_colour": surface.text,
        "warnings": [
            *long_message_warnings(html, field="html"),
            *rich_text_warnings(html, surface=surface, field="html"),
        ],
    }
