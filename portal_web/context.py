"""Template context for every portal page: the organisation's site data and the visitor."""

from __future__ import annotations

from configuration.site import cached_site, configuration_version


def portal(request) -> dict:
    organisation = getattr(request, "organisation", None)
    if organisation is None:
        return {}
    resident = getattr(request, "resident", None)
    site, _etag = cached_site(
        organisation=organisation,
        page=None,
        language=getattr(request, "LANGUAGE_CODE", organisation.default_language),
        routing_version=getattr(request, "routing_version", None),
    )
    return {
        # Defaults that a view's own context overrides: the page (navigation and page messages).
        "page": None,
        "messages_page": None,
        "site": site,
        "organisation": organisation,
        "branding_version": configuration_version(organisation.schema_name)[:8],
        "resident": resident,  # memberships.residents.ResidentContext (portal_web.access)
        "impersonation": resident.impersonation if resident else None,
    }
