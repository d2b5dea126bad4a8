"""Notification choices in a real browser (issue 19): at phone width (375 px) a resident opens
"Email notifications" from My details, turns one kind off and saves; then opens an email's
unsubscribe link without being logged in, confirms, and that kind is off. No sideways scrolling,
no axe-core (WCAG 2.1 A/AA) violation, no Content-Security-Policy violation. Screenshots in
test-artifacts/screenshots/."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from django.db import connection, connections
from django_tenants.utils import schema_context
from playwright.sync_api import expect, sync_playwright

from tests.support.axe import describe, violations
from tests.support.billing_data import billing_customer
from tests.support.live import PortalServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PASSWORD = "browser-notify-pass-7"


def _resident(organisation) -> dict:
    # Inside, like the other browser tests' fixtures: models are imported once Django is set up.
    from credentials.models import OneTimeToken
    from credentials.services import issue_one_time_token
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident
    from notifications.unsubscribe import make_token

    schema = organisation.schema_name
    data = billing_customer(schema, invoices=2, email=f"notify-{uuid.uuid4().hex[:6]}@example.test")
    with schema_context(schema):
        register_resident(
            organisation=organisation,
            customer_number=data["number"],
            email=data["email"],
            password=PASSWORD,
            language="en",
        )
        account = PortalAccount.objects.get(customer__customer_number=data["number"])
        issued = issue_one_time_token(
            purpose=OneTimeToken.Purpose.CONFIRMATION,
            subject=f"portal_account:{account.pk}",
            email=data["email"],
        )
        confirm_registration(raw_token=issued.raw)
        token = make_token(account=account, kind="payment_reminder")
    return {**data, "account_id": account.pk, "token": token}


@pytest.fixture(scope="module")
def resident(django_db_setup, django_db_blocker):
    """An organisation of its own (the server is another process: committed data) and a resident."""
    # Inside: models are imported once Django is set up (a module fixture runs before the tests).
    from operators.onboarding import onboard_organisation
    from tenants import provisioning

    slug = f"nt{uuid.uuid4().hex[:6]}"
    with django_db_blocker.unblock():
        organisation = onboard_organisation(
            name="Warmte Melding", slug=slug, domain=f"portal.{slug}.test", admin_email=f"admin@{slug}.test"
        ).organisation
        data = _resident(organisation)
        connection.set_schema_to_public()
        connections.close_all()
    yield {"host": f"portal.{slug}.test", "schema": organisation.schema_name, **data}
    with django_db_blocker.unblock():
        provisioning.drop_schema(organisation.schema_name)
        organisation.domains.all().delete()
        organisation.delete()
        connection.set_schema_to_public()
        connections.close_all()


def _check_page(page, name: str) -> None:
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, (name, width, inner)
    found = violations(page)
    assert found == [], describe(found)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _preferences(resident, django_db_blocker) -> dict[str, bool]:
    from memberships.models import PortalAccount
    from notifications.selectors import preferences_for

    with django_db_blocker.unblock(), schema_context(resident["schema"]):
        try:
            return preferences_for(PortalAccount.objects.get(pk=resident["account_id"]))
        finally:
            connection.set_schema_to_public()
            connections.close_all()


def _choose(page, server, resident) -> None:
    page.goto(server.url(resident["host"], "/my-details/"))
    page.get_by_role("link", name="Email notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email notifications")
    box = page.get_by_label(re.compile("A new invoice is available"))
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your email choices were saved.")).to_be_visible()
    expect(page.get_by_label(re.compile("A new invoice is available"))).not_to_be_checked()
    _check_page(page, "notifications-preferences-375")


def _unsubscribe(context, server, resident) -> None:
    """A fresh context: the link works without a login."""
    page = context.new_page()
    page.goto(server.url(resident["host"], f"/notifications/unsubscribe/{resident['token']}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("A reminder before an invoice is due")
    _check_page(page, "notifications-unsubscribe-375")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribed")
    _check_page(page, "notifications-unsubscribed-375")


def test_choose_notifications_and_unsubscribe_at_phone_width(resident, django_db_blocker):
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
            context = browser.new_context(locale="en-GB", viewport={"width": 375, "height": 800})
            page = context.new_page()
            page.set_default_timeout(10_000)
            csp: list[str] = []
            page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(server.url(resident["host"], "/login/"))
            page.get_by_label("Email address").fill(resident["email"])
            page.get_by_label("Password").fill(PASSWORD)
            page.locator("main").get_by_role("button", name="Log in").click()
            expect(page).to_have_url(re.compile(r"/overview/$"))
            _choose(page, server, resident)
            anonymous = browser.new_context(locale="en-GB", viewport={"width": 375, "height": 800})
            _unsubscribe(anonymous, server, resident)
            assert csp == []
            browser.close()
    finally:
        server.stop()
    chosen = _preferences(resident, django_db_blocker)
    assert chosen["invoice_available"] is False
    assert chosen["payment_reminder"] is False
    assert chosen["refund_paid"] is True
