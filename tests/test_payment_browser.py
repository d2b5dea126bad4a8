"""Paying an invoice in a real Chromium: from the invoices page to the payment page, the QR code on
screen read back with zxing-cpp, the copy button, axe-core clean, usable at 375 px."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.support.payment import BIC, IBAN, decode_qr_image, epc_fields, set_payment_settings
from tests.support.resident_browser import ResidentBrowser, resident_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def payer(django_db_setup, django_db_blocker):
    """A committed organisation (the server is another process) with payment settings and a resident."""
    with resident_site(django_db_blocker, slug="pay", name="Warmte Pay") as site:
        with django_db_blocker.unblock():
            set_payment_settings(
                site.schema,
                creditor_name="Warmte Pay",
                provider_url_template="https://pay.example.test/checkout?invoice={invoice_number}&amount={amount}",
            )
        yield site


def test_resident_pays_an_invoice_with_the_qr_code(payer, portal_server, chromium_browser):
    tab = ResidentBrowser(chromium_browser, portal_server, payer)
    tab.log_in()
    tab.go("/invoices/")
    page = tab.page
    number = f"{payer.billing['ext']}-F9003"  # the overdue one, first to pay
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
    tab.check("invoice-payment")
    tab.set_width(375)
    tab.check("phone-375-invoice-payment")
    assert tab.csp_violations == []
    tab.close()
