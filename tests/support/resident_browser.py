"""The resident pages in a real Chromium: one organisation with a confirmed resident, the platform
under gunicorn, and a browser tab that logs in and checks what every resident page must pass.

The server is another process, so the organisation and its resident are committed (unique names)
and dropped afterwards. ``chromium_browser`` is the one Chromium of a module (``console_browser``
of the staff console tests is the same launch).
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection, connections
from django_tenants.utils import schema_context
from playwright.sync_api import expect, sync_playwright

from tests.support.axe import describe, violations
from tests.support.billing_data import billing_customer
from tests.support.live import PortalServer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
RESIDENT_PASSWORD = "browser-resident-pass-7"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP *.test 127.0.0.1"]


@contextlib.contextmanager
def launched_chromium() -> Iterator:
    """Debian's Chromium, headless; ORM calls are allowed between Playwright's synchronous steps."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="module")
def chromium_browser():
    with launched_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def portal_server(django_db_setup):
    server = PortalServer()
    server.start()
    yield server
    server.stop()


@dataclass
class ResidentSite:
    """A committed organisation with one confirmed resident (``billing`` is billing_customer's data)."""

    organisation: object
    host: str
    schema: str
    email: str
    password: str
    customer_number: str
    billing: dict = field(default_factory=dict)


def confirm_resident(organisation, *, customer_number: str, email: str, password: str) -> None:
    """Register the customer's portal account and confirm it, as the emailed link would."""
    # Inside: models are imported once Django is set up (module fixtures run before the tests).
    from credentials.models import OneTimeToken
    from credentials.services import issue_one_time_token
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident

    with schema_context(organisation.schema_name):
        register_resident(
            organisation=organisation,
            customer_number=customer_number,
            email=email,
            password=password,
            language="en",
        )
        account = PortalAccount.objects.get(customer__customer_number=customer_number)
        issued = issue_one_time_token(
            purpose=OneTimeToken.Purpose.CONFIRMATION, subject=f"portal_account:{account.pk}", email=email
        )
        confirm_registration(raw_token=issued.raw)


@contextlib.contextmanager
def resident_site(django_db_blocker, *, slug: str, invoices: int = 3, name: str = "Warmte Browser"):
    """Onboard an organisation of its own with a billed, confirmed resident; drop it afterwards."""
    # Inside: models are imported once Django is set up (module fixtures run before the tests).
    from operators.onboarding import onboard_organisation
    from tenants import provisioning

    slug = f"{slug}{uuid.uuid4().hex[:6]}"
    host = f"portal.{slug}.test"
    with django_db_blocker.unblock():
        organisation = onboard_organisation(
            name=name, slug=slug, domain=host, admin_email=f"admin@{slug}.test", default_language="en"
        ).organisation
        schema = organisation.schema_name
        billing = billing_customer(
            schema, invoices=invoices, email=f"{slug}-{uuid.uuid4().hex[:6]}@example.test"
        )
        confirm_resident(
            organisation,
            customer_number=billing["number"],
            email=billing["email"],
            password=RESIDENT_PASSWORD,
        )
        connection.set_schema_to_public()
        connections.close_all()
    try:
        yield ResidentSite(
            organisation=organisation,
            host=host,
            schema=schema,
            email=billing["email"],
            password=RESIDENT_PASSWORD,
            customer_number=billing["number"],
            billing=billing,
        )
    finally:
        with django_db_blocker.unblock():
            provisioning.drop_schema(schema)
            organisation.domains.all().delete()
            organisation.delete()
            connection.set_schema_to_public()
            connections.close_all()


class ResidentBrowser:
    """One browser context on one organisation's portal: log in, open pages, check and photograph them."""

    def __init__(self, browser, server: PortalServer, site: ResidentSite, *, width: int = 1280) -> None:
        self.server, self.site = server, site
        self.context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.csp_violations: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def url(self, path: str = "/") -> str:
        return self.server.url(self.site.host, path)

    def go(self, path: str):
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.status < 500, self.server.output()
        return response

    def log_in(self, email: str | None = None, password: str | None = None) -> None:
        self.go("/login/")
        self.page.get_by_label("Email address").fill(email or self.site.email)
        self.page.get_by_label("Password").fill(password or self.site.password)
        self.page.locator("main").get_by_role("button", name="Log in").click()
        expect(self.page).to_have_url(re.compile(r"/overview/$"))

    def assert_accessible(self) -> None:
        """No WCAG 2.1 A/AA violation that axe-core finds in the page as it is now."""
        found = violations(self.page)
        assert found == [], describe(found)

    def assert_fits(self) -> None:
        """Nothing scrolls sideways at the current width."""
        width, inner = self.page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert width <= inner, f"the page is {width} px wide in a {inner} px window"

    def set_width(self, width: int, height: int = 800) -> None:
        self.page.set_viewport_size({"width": width, "height": height})

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def check(self, name: str) -> None:
        """What every page must pass as it is now (fits, axe-core clean), then its screenshot."""
        self.assert_fits()
        self.assert_accessible()
        self.shot(name)

    def close(self) -> None:
        self.context.close()
