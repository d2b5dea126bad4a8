"""The demo configuration: each organisation has its own logo and favicon, and re-seeding changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django_tenants.utils import schema_context
from PIL import Image

from configuration import media, services
from configuration.models import GeneralPreferences, PageMessage, PortalPreferences
from configuration.site import effective_branding
from demo.configuration_seed import NOORD_MARK, favicon, seed_configuration
from tenants.services import update_organisation
from tests.support.configuration import site


def _seed(organisation) -> list[str]:
    report: list[str] = []
    with schema_context(organisation.schema_name):
        seed_configuration(organisation, None, report)
    return report


def _branding(schema: str) -> dict:
    with schema_context(schema):
        return effective_branding(GeneralPreferences.objects.current(), PortalPreferences.objects.current())


def _file(url: str) -> bytes:
    """The stored file behind a /media/<schema>/<name> URL, read in that schema."""
    schema, name = url.removeprefix("/media/").split("/", 1)
    with schema_context(schema), default_storage.open(name, "rb") as handle:
        return handle.read()


def test_each_demo_organisation_gets_its_own_logo_and_favicon(noord, zuid, client_for):
    update_organisation(organisation=noord, features={"cost_visualisation": True})
    _seed(noord)
    _seed(zuid)
    noord_branding, zuid_branding = _branding("org_noord"), _branding("org_zuid")

    with Image.open(io.BytesIO(_file(noord_branding["logo_url"]))) as logo:
        assert (logo.format, logo.size) == ("PNG", (360, 120))
        assert logo.getpixel((60, 10))[:3] == (0x1A, 0x7F, 0x37)  # noord's green
    assert b"Zuid</text>" in _file(zuid_branding["logo_url"])
    for branding, colour in ((noord_branding, (0x1A, 0x7F, 0x37)), (zuid_branding, (0x82, 0x50, 0xDF))):
        with Image.open(io.BytesIO(_file(branding["favicon_url"]))) as icon:
            assert icon.format == "ICO"
            assert {(16, 16), (32, 32), (48, 48), (64, 64)} <= icon.info["sizes"]
            icon.size = (64, 64)
            assert icon.convert("RGB").getpixel((5, 32)) == colour
    assert noord_branding["logo_url"] != zuid_branding["logo_url"]
    assert noord_branding["favicon_url"] != zuid_branding["favicon_url"]

    # The portals link them, and serve each only on its own domain.
    noord_site = site(client_for("portal.noord.test")).json()["branding"]
    assert (noord_site["logo_url"], noord_site["favicon_url"]) == (
        noord_branding["logo_url"],
        noord_branding["favicon_url"],
    )
    served = client_for("portal.noord.test").get(noord_branding["favicon_url"])
    assert (served.status_code, served["Content-Type"]) == (200, "image/x-icon")
    assert client_for("portal.zuid.test").get(noord_branding["favicon_url"]).status_code == 404

    # Seeding again keeps the same files and messages.
    _seed(noord)
    _seed(zuid)
    assert _branding("org_noord") == noord_branding
    assert _branding("org_zuid") == zuid_branding
    with schema_context("org_noord"):
        assert PageMessage.objects.count() == 2


def test_favicon_ico_redirects_to_the_portals_favicon(noord):
    request = RequestFactory().get("/favicon.ico", HTTP_HOST="portal.noord.test")
    with schema_context("org_noord"):
        with pytest.raises(Http404):
            media.favicon(request)
        _seed_favicon_only(noord)
        response = media.favicon(request)
        url = PortalPreferences.objects.current().favicon.url
    assert (response.status_code, response["Location"]) == (302, url)
    assert url.startswith("/media/org_noord/branding/")
    assert url.endswith(".ico")
    assert response["Cache-Control"] == "public, max-age=300"


def _seed_favicon_only(organisation) -> None:
    services.update_portal_preferences(
        organisation=organisation,
        changes={},
        uploads={"favicon": SimpleUploadedFile("favicon.ico", favicon("#1a7f37", NOORD_MARK))},
    )
