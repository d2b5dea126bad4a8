"""Paying an invoice in a real Chromium: from the invoices page to the payment page, the QR code on
screen read back with zxing-cpp, the copy button, axe-core clean, usable at 375 px."""

from __future__ import annotations

import io
import os
import re
import uuid
from pathlib import Path

import pytest
from django.db import connection, connections
from django_tenants.utils import schema_context
from PIL import Image
from playwright.sync_api import expect, sync_playwright

from tests.support.axe import describe, violations
from tests.support.billing_data import billing_customer
from tests.support.live import PortalServer
from tests.support.payment import BIC, IBAN, decode_qr_image, epc_fields, set_payment_settings

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PASSWORD = "browser-pay-pass-7"


@pytest.fixture(scope="module")
def payer(django_db_setup, django_db_blocker):
    """A committed organisation (the server is another process) with payment settings and a resident."""
    from credentials.models import OneTimeToken
    from credentials.services import issue_one_time_token
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident
    from operators.onboarding import onboard_organisation
    from tenants import provisioning

    slug = f"pay{uuid.uuid4().hex[:6]}"
    host = f"portal.{slug}.test"
    with django_db_blocker.unblock():
        result = onboard_organisation(
            name="Warmte Pay", slug=slug, domain=host, admin_email=f"admin@{slug}.test", default_language="en"
        )
        organisation = result.organisation
        schema = organisation.schema_name
        data = billing_customer(schema, invoices=3, email=f"payer-{uuid.uuid4().hex[:6]}@example.test")
        set_payment_settings(
            schema,
            creditor_name="Warmte Pay",
            provider_url_template="https://pay.example.test/checkout?invoice={invoice_number}&amount={amount}",
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
        connection.set_schema_to_public()
        connections.close_all()
    yield {**data, "host": host}
    with django_db_blocker.unblock():
        provisioning.drop_schema(schema)
        organisation.domains.all().delete()
        organisation.delete()
        connection.set_schema_to_public()
        connections.close_all()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_resident_pays_an_invoice_with_the_qr_code(payer):
    server = PortalServer()
    server.start()
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP *.test 127.0.0.1"],
            )
            context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(10_000)
            csp: list[str] = []
            page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
            _pay(page, server, payer)
            assert csp == []
            chromium.close()
    finally:
        server.stop()


def _pay(page, server, payer) -> None:
    page.goto(server.url(payer["host"], "/login/"))
    page.get_by_label("Email address").fill(payer["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/overview/$"))
    page.goto(server.url(payer["host"], "/invoices/"))
    number = f"{payer['ext']}-F9003"  # the overdue one, first to pay
    page.get_by_role("link", name=f"Pay {number}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pay invoice {number}")
    reference = page.locator("#payment-reference").inner_text()
    assert re.fullmatch(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", reference)
    expect(page.get_by_role("link", name="Pay now")).to_have_attribute(
        "href", f"https://pay.example.test/checkout?invoice={number}&amount=100.00"
    )
    qr = page.get_by_role("img", name="QR code for your banking app")
    payload = decode_qr_image(Image.open(io.BytesIO(qr.screenshot())))
    assert epc_fields(payload) == [
        "BCD",
        "002",
        "1",
        "SCT",
        BIC,
        "Warmte Pay",
        IBAN,
        "EUR100",
        "",
        "",
        reference,
    ]
    page.locator("button[data-copy]").last.click()
    expect(page.locator(".copy-status")).to_have_text(f"Copied: {reference}")
    found = violations(page)
    assert found == [], describe(found)
    _shot(page, "invoice-payment")
    page.set_viewport_size({"width": 375, "height": 800})
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner
    assert violations(page) == []
    _shot(page, "phone-375-invoice-payment")
