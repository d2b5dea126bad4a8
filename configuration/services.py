"""Saving the portal configuration: every rule checked before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import FieldErrors, RuleViolation
from core.files import FileRefused
from core.storage import delete_after_commit

from .contrast import colour_warnings, rich_text_warnings
from .models import BillingSettings, GeneralPreferences, PageMessage, PaymentSettings, PortalPreferences
from .pages import PAGES
from .payment_details import PaymentDetailError, check_url_template, normalise_bic, normalise_iban
from .rich_text import sanitise, text_length
from .rich_text_colours import MESSAGE_SURFACES
from .site import bump_configuration_version
from .uploads import check_favicon, check_logo

RECOMMENDED_MESSAGE_LENGTH = 300
LANGUAGES = ("en", "nl", "fr")


@dataclass
class Saved:
    instance: object
    warnings: list[dict] = field(default_factory=list)


def warning(field_name: str, code: str, message: str) -> dict:
    return {"field": field_name, "code": code, "detail": str(message)}


def _store(file_field, checked, *, old_name: str | None) -> None:
    file_field.save(checked.filename, ContentFile(checked.content), save=False)
    if old_name and old_name != file_field.name:
        # The old file goes only once the new state is committed: a rollback keeps it in use.
        delete_after_commit(old_name, storage=file_field.storage)


def _remove(instance, name: str) -> None:
    file_field = getattr(instance, name)
    delete_after_commit(file_field.name, storage=file_field.storage)
    setattr(instance, name, "")


def _apply_upload(errors: FieldErrors, name: str, upload, checker) -> object | None:
    if upload is None:
        return None
    try:
        return checker(upload, field=name)
    except FileRefused as exc:
        errors.add(name, exc.message, exc.code)
        return None


@transaction.atomic
def update_portal_preferences(*, organisation, changes: dict, uploads: dict | None = None) -> Saved:
    """Apply ``changes`` (already of the right types) and uploads; all rules are checked together."""
    preferences = PortalPreferences.objects.select_for_update().get(pk=PortalPreferences.objects.current().pk)
    uploads = uploads or {}
    errors = FieldErrors()
    for name, value in changes.items():
        if name.startswith("remove_"):
            continue
        setattr(preferences, name, value)

    logo = _apply_upload(errors, "logo", uploads.get("logo"), check_logo)
    favicon = _apply_upload(errors, "favicon", uploads.get("favicon"), check_favicon)
    _check_colours(errors, preferences)
    if preferences.advance_changes_allowed:
        _check_advance_range(errors, preferences)
    for name in ("terms_url", "privacy_url"):
        if getattr(preferences, name) and not getattr(preferences, name).lower().startswith("https://"):
            errors.add(name, _("Enter an address that starts with https://."), "https_required")
    if preferences.cost_visualisation and not organisation.feature_enabled("cost_visualisation"):
        errors.add(
            "cost_visualisation",
            _("Consumption cost visualisation is not available for your organisation."),
            "feature_not_available",
        )
    errors.raise_if_any()

    for name, checked in (("logo", logo), ("favicon", favicon)):
        file_field = getattr(preferences, name)
        if checked is not None:
            _store(file_field, checked, old_name=file_field.name or None)
        elif changes.get(f"remove_{name}") and file_field:
            _remove(preferences, name)
    preferences.save()
    bump_configuration_version()

    general = GeneralPreferences.objects.current()
    primary = general.primary_colour if preferences.use_organisation_colours else preferences.primary_colour
    secondary = (
        general.secondary_colour if preferences.use_organisation_colours else preferences.secondary_colour
    )
    return Saved(preferences, colour_warnings(primary, secondary))


def _check_colours(errors: FieldErrors, preferences: PortalPreferences) -> None:
    """Colours of its own are both chosen, unless the portal uses the organisation's."""
    if preferences.use_organisation_colours:
        return
    if not preferences.primary_colour:
        errors.add(
            "primary_colour", _("Choose a primary colour, or use the organisation's colours."), "required"
        )
    if not preferences.secondary_colour:
        errors.add(
            "secondary_colour",
            _("Choose a secondary colour, or use the organisation's colours."),
            "required",
        )


def _check_advance_range(errors: FieldErrors, preferences: PortalPreferences) -> None:
    """The range residents may choose their advance in: a fixed amount around the base advance,
    or percentages of it that include the base advance itself."""
    if preferences.advance_range == PortalPreferences.AdvanceRange.FIXED:
        amount = preferences.advance_fixed_amount
        if amount is None:
            errors.add(
                "advance_fixed_amount",
                _("Enter the amount in euros around the base advance."),
                "required",
            )
        elif amount <= 0:
            errors.add("advance_fixed_amount", _("The amount must be more than 0."), "invalid_range")
        return
    low, high = preferences.advance_min_percentage, preferences.advance_max_percentage
    if low is None:
        errors.add("advance_min_percentage", _("Enter the minimum percentage."), "required")
    if high is None:
        errors.add("advance_max_percentage", _("Enter the maximum percentage."), "required")
    if low is None or high is None:
        return
    if low > high:
        errors.add(
            "advance_min_percentage",
            _("The minimum is greater than the maximum."),
            "min_greater_than_max",
        )
        return
    if low < 0 or low > 100:
        errors.add(
            "advance_min_percentage",
            _("The minimum must be between 0 and 100 %, so that the base advance is allowed."),
            "invalid_range",
        )
    if high < 100 or high > 1000:
        errors.add(
            "advance_max_percentage",
            _("The maximum must be between 100 and 1000 %, so that the base advance is allowed."),
            "invalid_range",
        )


@transaction.atomic
def update_general_preferences(*, changes: dict, uploads: dict | None = None) -> Saved:
    general = GeneralPreferences.objects.select_for_update().get(pk=GeneralPreferences.objects.current().pk)
    errors = FieldErrors()
    for name in ("primary_colour", "secondary_colour"):
        if name in changes:
            if not changes[name]:
                errors.add(name, _("Choose a colour."), "required")
            setattr(general, name, changes[name])
    logo = _apply_upload(errors, "logo", (uploads or {}).get("logo"), check_logo)
    errors.raise_if_any()
    if logo is not None:
        _store(general.logo, logo, old_name=general.logo.name or None)
    elif changes.get("remove_logo") and general.logo:
        _remove(general, "logo")
    general.save()
    bump_configuration_version()
    return Saved(general, colour_warnings(general.primary_colour, general.secondary_colour))


@transaction.atomic
def update_billing_settings(*, minimum_advance_amount: Decimal) -> BillingSettings:
    settings_row = BillingSettings.objects.select_for_update().get(pk=BillingSettings.objects.current().pk)
    if minimum_advance_amount < 0:
        raise RuleViolation(
            _("The minimum advance cannot be negative."), code="invalid_range", field="minimum_advance_amount"
        )
    settings_row.minimum_advance_amount = minimum_advance_amount
    settings_row.save()
    bump_configuration_version()
    return settings_row


def long_message_warnings(html: str, *, field: str) -> list[dict]:
    """A ``message_long`` warning when the visible text is longer than recommended (saved anyway)."""
    length = text_length(html)
    if length <= RECOMMENDED_MESSAGE_LENGTH:
        return []
    detail = _(
        "This message is %(length)s characters long; more than %(limit)s can push the page's "
        "content down. Consider making it shorter."
    ) % {"length": length, "limit": RECOMMENDED_MESSAGE_LENGTH}
    return [warning(field, "message_long", detail)]


def _clean_message(values: dict, errors: FieldErrors) -> tuple[dict, list[dict]]:
    warnings: list[dict] = []
    if "page" in values and values["page"] not in PAGES:
        errors.add("page", _("Choose one of the portal's pages."), "invalid_choice")
    if "kind" in values and values["kind"] not in PageMessage.Kind.values:
        errors.add("kind", _("Choose neutral, warning or important."), "invalid_choice")
    bodies = values.get("bodies")
    if bodies is not None:
        if not isinstance(bodies, dict) or any(language not in LANGUAGES for language in bodies):
            errors.add("bodies", _("Give the text per language: en, nl or fr."), "invalid")
        else:
            cleaned = {language: sanitise(html) for language, html in bodies.items() if isinstance(html, str)}
            cleaned = {language: html for language, html in cleaned.items() if text_length(html)}
            if not cleaned:
                errors.add("bodies", _("Write the message in at least one language."), "required")
            warnings += [
                warning
                for language, html in cleaned.items()
                for warning in long_message_warnings(html, field=f"bodies.{language}")
            ]
            values = {**values, "bodies": cleaned}
    return values, warnings


@transaction.atomic
def save_page_message(*, message: PageMessage | None, values: dict) -> Saved:
    errors = FieldErrors()
    if message is None:
        for required in ("page", "bodies"):
            if required not in values:
                errors.add(required, _("This field is required."), "required")
        message = PageMessage()
    values, warnings = _clean_message(values, errors)
    for name, value in values.items():
        setattr(message, name, value)
    if message.visible_from and message.visible_until and message.visible_until <= message.visible_from:
        errors.add("visible_until", _("The end must be after the start."), "invalid_range")
    errors.raise_if_any()
    message.save()
    bump_configuration_version()
    # Colours are judged on the background of the message's kind, also when only the kind changed.
    for language, html in message.bodies.items():
        surface = MESSAGE_SURFACES[message.kind]
        warnings += rich_text_warnings(html, surface=surface, field=f"bodies.{language}")
    return Saved(message, warnings)


@transaction.atomic
def delete_page_message(*, message: PageMessage) -> None:
    message.delete()
    bump_configuration_version()


_PAYMENT_CHECKS = {
    "iban": normalise_iban,
    "bic": normalise_bic,
    "provider_url_template": check_url_template,
}


@transaction.atomic
def update_payment_settings(*, changes: dict) -> PaymentSettings:
    """Apply ``changes``; every field is checked together and nothing is saved if one is wrong.

    An IBAN and BIC are stored compact and upper-case. A reference scheme or a bank transfer needs
    both the account holder and the IBAN, so a QR code is never offered without them.
    """
    settings = PaymentSettings.objects.select_for_update().get(pk=PaymentSettings.objects.current().pk)
    errors = FieldErrors()
    for name, value in changes.items():
        value = value.strip() if isinstance(value, str) else value
        check = _PAYMENT_CHECKS.get(name)
        if check is not None and value:
            try:
                value = check(value)
            except PaymentDetailError as exc:
                errors.add(name, exc.message, exc.code)
                continue
        setattr(settings, name, value)
    if not errors.errors and bool(settings.iban) != bool(settings.creditor_name):
        missing = "creditor_name" if settings.iban else "iban"
        errors.add(missing, _("Enter both the account holder and the IBAN, or neither."), "required")
    errors.raise_if_any()
    settings.save()
    bump_configuration_version()
    return settings
