"""Pick the organisation (and so the database schema) from the Host header of each request."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http.request import split_domain_port
from django.urls import set_urlconf
from django.utils.translation import gettext as _

from core.api_errors import error_response

from . import data_versions
from .routing import ROUTING_SCOPE, routing_table

# While an organisation's portal is inactive, its staff can still log in and configure it.
PATHS_OPEN_WHILE_PORTAL_INACTIVE = (
    "/api/admin/",
    "/api/auth/",
    "/api/integration/",
    "/api/schema",
    "/api/docs",
)
# A portal that is suspended or inactive shows browsers a page in its own colours: its look (these
# paths and its branding files) stays served; everything else answers with that page (or JSON).
UNAVAILABLE_URLCONF = "config.urls_unavailable"
BRANDING_PATHS = ("/static/", "/branding.css", "/favicon.ico")


@dataclass(frozen=True)
class Unavailable:
    """Why an organisation's portal does not serve this request: the status, code and message."""

    status: int
    code: str
    message: str


def unavailability(organisation, path: str) -> Unavailable | None:
    """The one rule for what a suspended organisation or an inactive portal still serves."""
    if path.startswith(BRANDING_PATHS) or path.startswith(f"/media/{organisation.schema_name}/branding/"):
        return None
    if organisation.is_suspended:
        return Unavailable(403, "organisation_suspended", _("This organisation's portal has been suspended."))
    if not organisation.portal_is_active and not path.startswith(PATHS_OPEN_WHILE_PORTAL_INACTIVE):
        return Unavailable(503, "portal_inactive", _("This portal is not active at the moment."))
    return None


def wants_page(request) -> bool:
    """A browser asking for a page (not the API), which gets HTML rather than JSON."""
    return not request.path.startswith("/api/") and "text/html" in request.headers.get("Accept", "")


def request_hostname(request) -> str:
    """The Host header without port, lower case, without a trailing dot."""
    domain, _port = split_domain_port(request.get_host())
    if not domain:
        raise DisallowedHost("Malformed host")
    return domain


class OrganisationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Each data version is read from Redis once per request (tenants.data_versions).
        with data_versions.request_memo():
            return self._route(request)

    def _route(self, request):
        connection.set_schema_to_public()
        request.organisation = None
        request.routing_version = None
        try:
            host = request_hostname(request)
        except DisallowedHost:
            return error_response(400, "invalid_host", _("The Host header of this request is not valid."))

        if host == settings.PLATFORM_DOMAIN:
            request.tenant = connection.tenant
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            return self.get_response(request)

        # One round trip for the routing version and, when this process knows the host, its
        # schema's data versions; checked by the resolution, read again only if the guess was wrong.
        guess = routing_table.known_schema(host)
        if guess is not None:
            data_versions.prefetch(guess, ROUTING_SCOPE)
        organisation, request.routing_version = routing_table.resolve_with_version(host)
        if organisation is None:
            return error_response(404, "unknown_host", _("No portal is configured for this address."))
        unavailable = unavailability(organisation, request.path)
        if unavailable and not wants_page(request):
            return error_response(unavailable.status, unavailable.code, unavailable.message)

        organisation.domain_url = host
        request.tenant = request.organisation = organisation
        connection.set_tenant(organisation)
        data_versions.prefetch(organisation.schema_name)
        if unavailable:
            # The rest of the chain (security headers, CSP, language) runs; every path is the page.
            request.portal_unavailable = unavailable
            request.urlconf = UNAVAILABLE_URLCONF
            set_urlconf(request.urlconf)
        return self.get_response(request)
