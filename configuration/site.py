"""What every portal page needs, per domain: branding, contact, features, messages.

Served without login and cached per organisation, page and language. The cache key carries the
organisation's configuration version (bumped by every configuration save) and the routing version
(bumped by every operator change to the organisation), so a save shows on the very next request.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from tenants import data_versions
from tenants.features import resolve_features

from .colours import best_text_colour
from .models import GeneralPreferences, PageMessage, PortalPreferences
from .pages import PAGES
from .rich_text import display_html
from .rich_text_colours import MESSAGE_SURFACES

MAX_CACHE_SECONDS = 300


# The configuration's own data version (read with the others once per request, see apps.py): not
# the schema's, which every resident's write and every import changes.
VERSION_NAME = "site"


def configuration_version(schema: str) -> str:
    found = data_versions.versions(data_versions.table_scope(schema, VERSION_NAME))
    return found[0] if found else "uncached"


def bump_configuration_version() -> None:
    """Every cached page of this organisation is stale: now (this transaction already sees the
    change) and again after commit (a page rebuilt meanwhile by another process saw the old data)."""
    scopes = [data_versions.table_scope(connection.schema_name, VERSION_NAME)]
    data_versions.bump(scopes)
    transaction.on_commit(lambda: data_versions.bump(scopes))


def effective_branding(general: GeneralPreferences, preferences: PortalPreferences) -> dict:
    logo = general.logo if preferences.use_organisation_logo else preferences.logo
    if preferences.use_organisation_colours or not preferences.primary_colour:
        primary, secondary = general.primary_colour, general.secondary_colour
    else:
        primary, secondary = (
            preferences.primary_colour,
            preferences.secondary_colour or general.secondary_colour,
        )
    return {
        "logo_url": logo.url if logo else None,
        "favicon_url": preferences.favicon.url if preferences.favicon else None,
        "primary_colour": primary,
        "primary_text_colour": best_text_colour(primary),
        "secondary_colour": secondary,
    }


def portal_features(organisation, preferences: PortalPreferences) -> dict:
    flags = resolve_features(organisation.features)
    return {
        "invoices": preferences.invoices_visible,
        "payment_status": preferences.invoices_visible and preferences.payment_status_visible,
        "cost_visualisation": flags["cost_visualisation"] and preferences.cost_visualisation,
        "advance_changes": preferences.advance_changes_allowed,
        "move_in": flags["move_in"],
        "move_out": flags["move_out"],
        "help_requests": flags["help_requests"],
    }


def active_messages(*, page: str, now: datetime):
    return PageMessage.objects.filter(page=page).filter(
        Q(visible_from__isnull=True) | Q(visible_from__lte=now),
        Q(visible_until__isnull=True) | Q(visible_until__gt=now),
    )


def message_text(message: PageMessage, language: str, fallback: str) -> str:
    bodies = message.bodies or {}
    return (
        bodies.get(language) or bodies.get(fallback) or next((text for text in bodies.values() if text), "")
    )


def _seconds_until_next_change(page: str, now: datetime) -> int:
    upcoming = [
        moment
        for row in PageMessage.objects.filter(page=page).values_list("visible_from", "visible_until")
        for moment in row
        if moment is not None and moment > now
    ]
    if not upcoming:
        return MAX_CACHE_SECONDS
    return max(1, min(MAX_CACHE_SECONDS, int((min(upcoming) - now).total_seconds()) + 1))


def build_site(*, organisation, page: str | None, language: str) -> tuple[dict, int]:
    now = timezone.now()
    general = GeneralPreferences.objects.current()
    preferences = PortalPreferences.objects.current()
    payload = {
        "name": organisation.name,
        "slug": organisation.slug,
        "portal_status": organisation.portal_status,
        "default_language": organisation.default_language,
        "language": language,
        "languages": [{"code": code, "name": str(name)} for code, name in settings.LANGUAGES],
        "time_zone": organisation.time_zone,
        "branding": effective_branding(general, preferences),
        "contact": {
            "support_email": preferences.support_email,
            "website": preferences.website,
            "support_phone": preferences.support_phone,
            # Where the move-in's terms and privacy links go; empty: the portal's /terms/ and /privacy/.
            "terms_url": preferences.terms_url,
            "privacy_url": preferences.privacy_url,
        },
        "features": portal_features(organisation, preferences),
        "page": page,
        "messages": [],
    }
    timeout = MAX_CACHE_SECONDS
    if page:
        payload["messages"] = [
            {
                "id": message.pk,
                "kind": message.kind,
                # Sanitised as shown (whatever rule it was saved under), readable on its background.
                "html": display_html(
                    message_text(message, language, organisation.default_language),
                    surface=MESSAGE_SURFACES[message.kind],
                ),
            }
            for message in active_messages(page=page, now=now)
        ]
        timeout = _seconds_until_next_change(page, now)
    return payload, timeout


def cached_site(
    *, organisation, page: str | None, language: str, routing_version: str | None
) -> tuple[dict, str]:
    """(payload, etag); built from the database only when the cache has nothing current."""
    if page is not None and page not in PAGES:
        page = None
    schema = organisation.schema_name
    key = f"site:{schema}:{routing_version}:{configuration_version(schema)}:{page}:{language}"
    cached = data_versions.fetch(key) if routing_version else None
    if cached is not None and cached["until"] > time.time():
        return cached["payload"], cached["etag"]
    payload, timeout = build_site(organisation=organisation, page=page, language=language)
    etag = (
        '"' + hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:32] + '"'
    )
    if routing_version:
        # "until": a message starts or ends then, whichever copy (Redis or this process's) is read.
        kept = {"payload": payload, "etag": etag, "until": time.time() + timeout}
        data_versions.store(key, kept, timeout=timeout)
    return payload, etag
