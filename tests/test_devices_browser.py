"""Signed-in devices in a real browser (issue 19): the resident logs in from two browsers (two
contexts), opens "Signed-in devices" from My details at phone width (375 px), sees this one marked
and signs the other out; the other browser is then logged out, this one goes on. Then a third
browser, and "Sign out all other devices". No sideways scrolling, no axe-core (WCAG 2.1 A/AA)
violation, no Content-Security-Policy violation. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.resident_browser import ResidentBrowser, resident_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIGN_OUT = re.compile(r"^Sign out .+, signed in on .+")


@pytest.fixture(scope="module")
def resident(django_db_setup, django_db_blocker):
    with resident_site(django_db_blocker, slug="dv", invoices=2, name="Warmte Apparaat") as site:
        yield site


def _open_devices(tab: ResidentBrowser) -> None:
    page = tab.page
    tab.go("/my-details/")
    page.get_by_role("link", name="Signed-in devices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signed-in devices")


def _assert_logged_out(tab: ResidentBrowser) -> None:
    tab.go("/overview/")
    expect(tab.page).to_have_url(re.compile(r"/login/"))


def test_sign_out_another_browser_and_then_all_others(resident, portal_server, chromium_browser):
    phone = ResidentBrowser(chromium_browser, portal_server, resident, width=375)
    other = ResidentBrowser(chromium_browser, portal_server, resident)
    phone.log_in()
    other.log_in()
    _open_devices(phone)
    page = phone.page
    expect(page.locator("section.device")).to_have_count(2)
    expect(page.locator("section.device").first.get_by_text("This device")).to_be_visible()
    expect(page.get_by_role("button", name=SIGN_OUT)).to_have_count(1)
    phone.check("devices-375")

    page.get_by_role("button", name=SIGN_OUT).click()
    expect(page.get_by_text(re.compile(r"was signed out\.$"))).to_be_visible()
    expect(page.locator("section.device")).to_have_count(1)
    phone.check("devices-signed-out-375")
    _assert_logged_out(other)
    phone.go("/overview/")
    expect(page).to_have_url(re.compile(r"/overview/$"))

    third = ResidentBrowser(chromium_browser, portal_server, resident)
    third.log_in()
    _open_devices(phone)
    page.get_by_role("button", name="Sign out all other devices").click()
    expect(page.get_by_text("You were signed out on 1 other device.")).to_be_visible()
    phone.check("devices-all-others-375")
    _assert_logged_out(third)
    assert phone.csp_violations == other.csp_violations == third.csp_violations == []
    for tab in (phone, other, third):
        tab.close()
