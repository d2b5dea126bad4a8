"""Fixtures of the staff console's browser tests (tests/test_console_*.py): how to use them.

They are imported into tests/conftest.py, so a screen test just names them as arguments:

    def test_something(console_org, staff_console):
        console = staff_console(email=console_org.admin_email)   # logged in through the login form
        console.go("customers")                                  # /staff/customers
        console.page.get_by_label("Search").fill("...")
        console.shot("customers-list")          # test-artifacts/screenshots/staff/customers-list.png
        console.axe()                           # no WCAG 2.1 A/AA violation (axe-core)
        with console.db():                      # ORM work in the organisation's schema
            ...

- ``console_org`` (module): an onboarded organisation (every feature on, English by default) with an
  administrator who may impersonate (``.admin_email``) and a support member (``.support_email``),
  both with ``CONSOLE_PASSWORD``; ``.host``, ``.schema_name``, ``.organisation``; dropped afterwards.
- ``console_server`` (module): gunicorn (tests/support/live.py PortalServer) on the test database; the
  console is built first when its sources changed (staff_console/build.py).
- ``console_browser`` (module): headless Chromium resolving ``*.test`` to this machine.
- ``staff_console`` (function): a factory of ``ConsoleSession``; ``staff_console(email=None)`` opens
  a fresh browser context without logging in; every session is checked for CSP violations and
  closed at the end of the test. ``host=`` another host (the platform's: ``settings.PLATFORM_DOMAIN``).
Emails: add the ``smtp`` and ``celery_worker`` fixtures (tests/conftest.py) and read ``smtp``.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tests.support.axe import describe, violations
from tests.support.live import PortalServer
from tests.support.resident_browser import launched_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots" / "staff"
# Nothing like an organisation slug or an email (Django's similarity check refuses those at random).
CONSOLE_PASSWORD = "Harbour-lantern-7319"


@contextlib.contextmanager
def database(blocker, schema: str):
    """ORM work between browser steps (see tests/test_web_browser.py: one connection per block)."""
    with blocker.unblock(), schema_context(schema):
        try:
            yield
        finally:
            connection.set_schema_to_public()
            connections.close_all()


def add_staff_member(organisation, *, email: str, role: str, can_impersonate: bool = False) -> None:
    """An active staff member with CONSOLE_PASSWORD (invited and accepted, as in real life)."""
    from memberships.services.staff import accept_staff_invitation, invite_staff_member

    invitation = invite_staff_member(
        organisation=organisation, email=email, role=role, can_impersonate=can_impersonate
    )
    accept_staff_invitation(raw_token=invitation.raw_token, password=CONSOLE_PASSWORD)


def add_resident(organisation, *, email: str, password: str = CONSOLE_PASSWORD):
    """A confirmed resident (customer + portal account) of ``organisation``; returns the customer."""
    from credentials.models import OneTimeToken
    from credentials.services import issue_one_time_token
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident
    from tests.support.factories import make_customer

    customer = make_customer(organisation.schema_name, email=email)
    with schema_context(organisation.schema_name):
        register_resident(
            organisation=organisation,
            customer_number=customer.customer_number,
            email=email,
            password=password,
            language="en",
        )
        account = PortalAccount.objects.get(customer=customer)
        issued = issue_one_time_token(
            purpose=OneTimeToken.Purpose.CONFIRMATION, subject=f"portal_account:{account.pk}", email=email
        )
        confirm_registration(raw_token=issued.raw)
    return customer


class ConsoleOrganisation:
    def __init__(self, organisation, host: str, admin_email: str, support_email: str) -> None:
        self.organisation = organisation
        self.schema_name = organisation.schema_name
        self.name = organisation.name
        self.host = host
        self.admin_email = admin_email
        self.support_email = support_email
        self.password = CONSOLE_PASSWORD


@pytest.fixture(scope="module")
def console_org(django_db_setup, django_db_blocker):
    from memberships.models import StaffMembership
    from memberships.services.staff import accept_staff_invitation
    from operators.onboarding import onboard_organisation
    from tenants import provisioning

    slug = f"console{uuid.uuid4().hex[:6]}"
    admin_email, support_email = f"admin@{slug}.test", f"support@{slug}.test"
    with django_db_blocker.unblock():
        result = onboard_organisation(
            name="Warmte Console",
            slug=slug,
            domain=f"portal.{slug}.test",
            admin_email=admin_email,
            default_language="en",
            features={"cost_visualisation": True, "move_in": True, "move_out": True, "help_requests": True},
        )
        connections.close_all()
    organisation = result.organisation
    with database(django_db_blocker, organisation.schema_name):
        accepted = accept_staff_invitation(raw_token=result.invitation.raw_token, password=CONSOLE_PASSWORD)
        StaffMembership.objects.filter(pk=accepted.membership.pk).update(can_impersonate=True)
        add_staff_member(organisation, email=support_email, role=StaffMembership.Role.SUPPORT)
    yield ConsoleOrganisation(organisation, f"portal.{slug}.test", admin_email, support_email)
    with django_db_blocker.unblock():
        provisioning.drop_schema(organisation.schema_name)
        organisation.domains.all().delete()
        organisation.delete()
        connections.close_all()


@pytest.fixture(scope="module")
def console_server(django_db_setup):
    from staff_console.build import ensure_built

    ensure_built()
    server = PortalServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def console_browser():
    with launched_chromium() as browser:
        yield browser


class ConsoleSession:
    """One browser context on the console of one host."""

    def __init__(self, browser, server, host: str, schema: str, blocker, *, width: int = 1280) -> None:
        self.server, self.host, self.schema, self.blocker = server, host, schema, blocker
        self.context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.csp_violations: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def url(self, path: str = "") -> str:
        return self.server.url(self.host, "/staff/" + path.lstrip("/"))

    def go(self, path: str = ""):
        """Open /staff/<path> (a client route: the server answers with the shell page)."""
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.status < 500, self.server.output()
        return response

    def log_in(self, email: str, password: str = CONSOLE_PASSWORD, *, expect_success: bool = True) -> None:
        self.go("login")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Log in").click()
        if expect_success:
            # The first login of a module loads the whole bundle: slow on a loaded CI machine.
            expect(self.page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible(
                timeout=30_000
            )

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self) -> None:
        # A menu or dialog still fading in or out is half transparent: axe would measure its
        # contrast mid-transition. Check the page once its CSS transitions have ended.
        self.page.wait_for_function(
            "() => document.getAnimations().every(animation => animation.playState !== 'running')"
        )
        found = violations(self.page)
        assert found == [], describe(found)

    def db(self, schema: str | None = None):
        return database(self.blocker, schema or self.schema)

    def api(self, path: str, method: str = "GET", data: dict | None = None) -> dict:
        """A call from the page with this browser's session (cookie and CSRF token), as the console
        makes it: ``{"status": …, "json": …}``."""
        return self.page.evaluate(
            """async ([path, method, data]) => {
                const token = (document.cookie.match(/(?:^|; )(?:__Host-)?csrftoken=([^;]*)/) || [])[1] || '';
                const response = await fetch(path, {
                    method, credentials: 'same-origin',
                    headers: {'Accept': 'application/json', 'Content-Type': 'application/json',
                              'X-CSRFToken': decodeURIComponent(token)},
                    body: data === null ? undefined : JSON.stringify(data),
                });
                const text = await response.text();
                let json = null;
                try { json = text ? JSON.parse(text) : null; } catch (e) { json = text; }
                return {status: response.status, json};
            }""",
            [path, method, data],
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def staff_console(console_org, console_server, console_browser, django_db_blocker):
    opened: list[ConsoleSession] = []

    def make(
        email: str | None = None,
        *,
        host: str | None = None,
        password: str = CONSOLE_PASSWORD,
        width: int = 1280,
    ):
        schema = "public" if host == settings.PLATFORM_DOMAIN else console_org.schema_name
        session = ConsoleSession(
            console_browser, console_server, host or console_org.host, schema, django_db_blocker, width=width
        )
        opened.append(session)
        if email:
            session.log_in(email, password)
        return session

    yield make
    for session in opened:
        violations_seen = session.csp_violations
        session.close()
        assert violations_seen == [], violations_seen


RESIDENT_PASSWORD = "resident-pass-2026"


@pytest.fixture(scope="module")
def console_resident(console_org, django_db_blocker):
    """A confirmed resident of the console's organisation (password RESIDENT_PASSWORD)."""
    from credentials.models import OneTimeToken
    from credentials.services import issue_one_time_token
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident
    from tests.support.billing_data import billing_customer

    with database(django_db_blocker, "public"):
        data = billing_customer(
            console_org.schema_name, invoices=2, email=f"resident-{uuid.uuid4().hex[:6]}@example.test"
        )
    with database(django_db_blocker, console_org.schema_name):
        register_resident(
            organisation=console_org.organisation,
            customer_number=data["number"],
            email=data["email"],
            password=RESIDENT_PASSWORD,
            language="en",
        )
        account = PortalAccount.objects.get(customer__customer_number=data["number"])
        issued = issue_one_time_token(
            purpose=OneTimeToken.Purpose.CONFIRMATION,
            subject=f"portal_account:{account.pk}",
            email=data["email"],
        )
        confirm_registration(raw_token=issued.raw)
    return data


def resident_page(console, console_org, resident: dict | None, path: str):
    """The resident portal in a context of its own (logged in when ``resident`` is given)."""
    context = console.page.context.browser.new_context(locale="en-GB")
    page = context.new_page()
    if resident:
        page.goto(console.server.url(console_org.host, "/login/"))
        page.get_by_label("Email address").fill(resident["email"])
        page.get_by_label("Password").fill(RESIDENT_PASSWORD)
        page.locator("main").get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/overview/$"))
    page.goto(console.server.url(console_org.host, path))
    return context, page
