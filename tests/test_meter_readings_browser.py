"""Submitting a meter reading in a real browser (issue 19): at phone width (375 px) a resident opens
the page from the consumption page, a value below the last reading is refused next to the field,
the right one is sent with a photo and listed; no sideways scrolling, no axe-core (WCAG 2.1 A/AA)
violation, no Content-Security-Policy violation. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import io
import os
import re
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django_tenants.utils import schema_context
from PIL import Image
from playwright.sync_api import expect, sync_playwright

from tests.support.axe import describe, violations
from tests.support.billing_data import billing_customer
from tests.support.consumption_data import BRUSSELS, add_meters, ingest_rows
from tests.support.live import PortalServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PASSWORD = "browser-reading-pass-7"


def _resident(organisation) -> dict:
    # Inside, like the other browser tests' fixtures: models are imported once Django is set up.
    from credentials.models import OneTimeToken
    from credentials.services import issue_one_time_token
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident

    schema = organisation.schema_name
    data = billing_customer(schema, invoices=3, email=f"reader-{uuid.uuid4().hex[:6]}@example.test")
    meters = add_meters(data, schema)
    moment = datetime.combine(date.today() - timedelta(days=30), time(12), BRUSSELS).isoformat()
    ingest_rows(
        [{"meter": meters["heat1"], "timestamp": moment, "kind": "register", "value": "1000"}], schema
    )
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
    return {**data, "meters": meters}


@pytest.fixture(scope="module")
def reader(django_db_setup, django_db_blocker):
    """An organisation of its own (the server is another process: committed data) and a resident."""
    # Inside: models are imported once Django is set up (a module fixture runs before the tests).
    from operators.onboarding import onboard_organisation
    from tenants import provisioning

    slug = f"rd{uuid.uuid4().hex[:6]}"
    with django_db_blocker.unblock():
        organisation = onboard_organisation(
            name="Warmte Lezen",
            slug=slug,
            domain=f"portal.{slug}.test",
            admin_email=f"admin@{slug}.test",
            default_language="en",
        ).organisation
        resident = _resident(organisation)
        connection.set_schema_to_public()
        connections.close_all()
    yield {"host": f"portal.{slug}.test", **resident}
    with django_db_blocker.unblock():
        provisioning.drop_schema(organisation.schema_name)
        organisation.domains.all().delete()
        organisation.delete()
        connection.set_schema_to_public()
        connections.close_all()


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "meter.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _check_page(page, name: str) -> None:
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, (name, width, inner)
    found = violations(page)
    assert found == [], describe(found)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _submit(page, reader, tmp_path: Path) -> None:
    page.goto(page.url.split("/consumption/")[0] + "/consumption/")
    page.get_by_role("link", name="Submit a meter reading").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit a meter reading")
    meter = page.locator("#id_meter_id option", has_text=f"H1-{reader['ext']}").get_attribute("value")
    page.get_by_label("Meter", exact=True).select_option(meter)
    page.get_by_label("Reading", exact=True).fill("990")
    page.get_by_role("button", name="Submit my reading").click()
    expect(page.locator("#id_value_error")).to_contain_text("below the last known reading")
    _check_page(page, "meter-reading-refused-375")
    page.get_by_label("Reading", exact=True).fill("1012.5")
    page.get_by_label("Photo of the meter").set_input_files(str(_photo(tmp_path)))
    page.get_by_role("button", name="Submit my reading").click()
    expect(page.get_by_text(re.compile(r"We received your reading \(MR-\d{6}\)"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("1012.5")
    _check_page(page, "meter-reading-submitted-375")


def test_submit_a_meter_reading_at_phone_width(reader, tmp_path):
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
            page.goto(server.url(reader["host"], "/login/"))
            page.get_by_label("Email address").fill(reader["email"])
            page.get_by_label("Password").fill(PASSWORD)
            page.locator("main").get_by_role("button", name="Log in").click()
            expect(page).to_have_url(re.compile(r"/overview/$"))
            page.goto(server.url(reader["host"], "/consumption/"))
            _submit(page, reader, tmp_path)
            assert csp == []
            browser.close()
    finally:
        server.stop()
