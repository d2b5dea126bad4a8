"""The page of a suspended portal in a real browser: at phone width, accessible, in its colours.

A committed organisation (the server is another process) is suspended; Chromium (Debian's, via
Playwright) opens it at 375 px: no sideways scrolling, no axe-core (WCAG 2.1 A/AA) violation, no
Content-Security-Policy violation, the logo shown, and the language links switch the page.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.support.axe import describe, violations
from tests.support.live import PortalServer

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#8250df"/></svg>'


@pytest.fixture(scope="module")
def suspended_host(django_db_setup, django_db_blocker):
    from django.core.files.base import ContentFile
    from django.db import connection
    from django_tenants.utils import schema_context

    from configuration.models import GeneralPreferences
    from operators.onboarding import onboard_organisation
    from tenants import provisioning
    from tenants.models import Organisation
    from tenants.services import suspend_organisation

    slug = f"s{uuid.uuid4().hex[:8]}"
    host = f"portal.{slug}.test"
    with django_db_blocker.unblock():
        result = onboard_organisation(
            name="Warmte Oost", slug=slug, domain=host, admin_email=f"a@{slug}.test"
        )
        with schema_context(result.organisation.schema_name):
            general = GeneralPreferences.objects.current()
            general.primary_colour = "#8250df"
            general.logo.save("logo.svg", ContentFile(LOGO.encode()), save=True)
        suspend_organisation(organisation=result.organisation, reason="Contract ended")
        connection.set_schema_to_public()
    yield host
    with django_db_blocker.unblock():
        organisation = Organisation.objects.get(slug=slug)
        provisioning.drop_schema(organisation.schema_name)
        organisation.domains.all().delete()
        organisation.delete()
        connection.set_schema_to_public()


def test_suspended_page_at_phone_width_is_accessible_and_branded(suspended_host):
    server = PortalServer()
    server.start()
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP *.test 127.0.0.1"],
            )
            context = browser.new_context(locale="nl-BE", viewport={"width": 375, "height": 800})
            page = context.new_page()
            csp: list[str] = []
            page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
            response = page.goto(server.url(suspended_host, "/overview/"))
            assert response is not None
            assert response.status == 403
            assert page.locator("html").get_attribute("lang") == "nl"
            assert page.get_by_role("img", name="Warmte Oost").evaluate("img => img.naturalWidth") > 0
            width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            assert width <= inner
            found = violations(page)
            assert found == [], describe(found)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "suspended-375.png"), full_page=True)
            page.get_by_role("link", name="FR").click()
            assert page.locator("html").get_attribute("lang") == "fr"
            assert csp == []
            browser.close()
    finally:
        server.stop()
