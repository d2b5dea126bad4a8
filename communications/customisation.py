"""Staff's own wording of the platform's emails: which emails can be customised, and saving or
resetting a customised template (checked by the restricted template compiler, sanitised HTML)."""

from __future__ import annotations

import re

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from configuration.contrast import rich_text_warnings
from configuration.rich_text import sanitise
from configuration.rich_text_colours import EMAIL_SURFACE
from configuration.services import Saved, warning
from core.errors import FieldErrors, RuleViolation

from .catalogue import CATALOGUE, EmailKind
from .models import EmailTemplate
from .rendering import UnsafeTemplate, compile_restricted

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


def email_kind(*, key: str, language: str) -> EmailKind:
    """The catalogue entry of an email, for a language the portal offers."""
    if key not in CATALOGUE:
        raise RuleViolation(_("There is no such email."), code="not_found", http_status=404)
    if language not in LANGUAGES:
        raise RuleViolation(_("Choose en, nl or fr."), code="not_found", http_status=404)
    return CATALOGUE[key]


@transaction.atomic
def save_email_template(
    *, key: str, language: str, subject: str, body_text: str, body_html: str = ""
) -> Saved:
    if key not in CATALOGUE:
        raise RuleViolation(_("There is no such email."), code="not_found", http_status=404)
    if language not in LANGUAGES:
        raise RuleViolation(_("Choose en, nl or fr."), code="not_found", http_status=404)
    errors = FieldErrors()
    clean_html = sanitise(body_html)
    for name, source in (("subject", subject), ("body_text", body_text), ("body_html", clean_html)):
        try:
            compile_restricted(source, field=name)
        except UnsafeTemplate as exc:
            errors.add(name, exc.message, exc.code)
    if not subject.strip():
        errors.add("subject", _("Write a subject."), "required")
    if not body_text.strip():
        errors.add("body_text", _("Write the text version of the email."), "required")
    errors.raise_if_any()
    template, _created = EmailTemplate.objects.update_or_create(
        template=key,
        language=language,
        defaults={"subject": subject, "body_text": body_text, "body_html": clean_html},
    )
    known = set(CATALOGUE[key].variables) | {"organisation_name", "portal_url", "support_email"}
    used = set(re.findall(r"{{\s*([a-z_]+)", subject + body_text + clean_html))
    warnings = [
        warning(
            "body_text", "unknown_variable", _("“%(name)s” is not available in this email.") % {"name": name}
        )
        for name in sorted(used - known)
    ]
    warnings += rich_text_warnings(clean_html, surface=EMAIL_SURFACE, field="body_html")
    return Saved(template, warnings)


@transaction.atomic
def reset_email_template(*, key: str, language: str) -> None:
    EmailTemplate.objects.filter(template=key, language=language).delete()
