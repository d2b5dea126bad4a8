"""Staff console, preferences: how residents pay and the notification defaults, through Chromium.

A wrong IBAN is refused beside its field and nothing is saved; a right one (typed any way) shows in
groups of four, saves, and the API returns it compact with the chosen reference scheme and provider
address. A notification kind switched off and a new reminder day count are saved; a threshold out
of range is refused beside its field. Both at 375 px without horizontal scrolling; axe-clean.
Screenshots in test-artifacts/screenshots/staff/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PAYMENT = "/api/admin/configuration/payment/"
NOTIFICATIONS = "/api/admin/configuration/notifications/"
PROVIDER = "https://pay.example.test/?invoice={invoice_number}&amount={amount}"


def field(page, source: str):
    """The react-admin input wrapper of one field: where its error is shown."""
    return page.locator(f".ra-input-{source}").first


def assert_fits(page) -> None:
    """Nothing wider than the viewport (375 px): no horizontal scrolling."""
    wider = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
            .map((element) => `${element.tagName}.${element.className} ${Math.round(element.getBoundingClientRect().width)}`.slice(0, 120))"""
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), wider[-8:]


def test_a_wrong_iban_is_refused_beside_its_field_and_a_right_one_is_saved(console_org, staff_console):
    console = staff_console(email=console_org.admin_email)
    console.go("preferences/payments")
    page = console.page
    expect(page.get_by_role("heading", name="How residents pay")).to_be_visible()
    expect(page.get_by_role("tab", name="Payments")).to_have_attribute("aria-selected", "true")
    # The provider address's help names every placeholder the API knows.
    expect(field(page, "provider_url_template")).to_contain_text(
        "{invoice_number}, {amount}, {reference}, {currency}"
    )
    console.axe()

    page.get_by_label("Account holder").fill("Warmte Console CV")
    page.get_by_label("IBAN").fill("BE71 0961 2345 6760")  # wrong check digits
    page.get_by_role("button", name="Save").click()
    expect(field(page, "iban")).to_contain_text("Enter a valid IBAN")
    expect(page.get_by_label("IBAN")).to_have_attribute("aria-invalid", "true")
    console.shot("preferences-payments-wrong-iban")
    assert console.api(PAYMENT)["json"]["iban"] == ""

    iban = page.get_by_label("IBAN")
    iban.fill("be71096123456769")
    iban.blur()
    expect(iban).to_have_value("BE71 0961 2345 6769")
    page.get_by_label("Payment reference").click()
    page.get_by_role("option", name="Belgian structured communication (+++123/4567/89002+++)").click()
    page.get_by_label("Payment provider page").fill(PROVIDER)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The payment settings are saved")).to_be_visible()
    expect(field(page, "iban")).not_to_contain_text("Enter a valid IBAN")
    console.shot("preferences-payments-saved")
    console.axe()

    saved = console.api(PAYMENT)["json"]
    assert saved["iban"] == "BE71096123456769"
    assert saved["creditor_name"] == "Warmte Console CV"
    assert saved["reference_scheme"] == "be_structured"
    assert saved["provider_url_template"] == PROVIDER

    # Opened again: the saved values, the IBAN grouped.
    console.go("preferences/payments")
    expect(page.get_by_label("IBAN")).to_have_value("BE71 0961 2345 6769")
    expect(page.get_by_label("Account holder")).to_have_value("Warmte Console CV")


def test_the_payment_form_fits_a_phone(console_org, staff_console):
    console = staff_console(email=console_org.admin_email, width=375)
    console.go("preferences/payments")
    page = console.page
    expect(page.get_by_role("heading", name="How residents pay")).to_be_visible()
    assert_fits(page)
    console.shot("preferences-payments-375")
    console.axe()


def test_a_notification_default_switched_off_is_saved(console_org, staff_console):
    """At 375 px; the kinds and their labels are the API's."""
    console = staff_console(email=console_org.admin_email, width=375)
    kinds = console.api(NOTIFICATIONS)["json"]["kinds"]
    overdue = next(kind for kind in kinds if kind["kind"] == "payment_overdue")
    assert overdue["enabled"]
    console.go("preferences/notifications")
    page = console.page
    expect(page.get_by_role("heading", name="Notifications residents get by default")).to_be_visible()
    for kind in kinds:  # one switch per kind the API lists, with its label
        expect(page.get_by_role("checkbox", name=kind["label"], exact=True)).to_be_visible()
    assert_fits(page)
    console.axe()

    page.get_by_role("checkbox", name=overdue["label"], exact=True).uncheck()
    page.get_by_label("Payment reminder (days before the due date)").fill("5")
    page.get_by_label("Usage alert threshold (%)").fill("2")
    page.get_by_role("button", name="Save").click()
    expect(field(page, "usage_threshold")).to_contain_text("greater than or equal to 5")
    console.shot("preferences-notifications-error")
    assert console.api(NOTIFICATIONS)["json"]["reminder_days"] != 5  # nothing half-saved

    comparison = "usage_comparison" in console.api(NOTIFICATIONS)["json"]
    if comparison:  # the API's newer setting, shown when it has it
        page.get_by_role("combobox", name=re.compile("^Usage alert compares with")).click()
        page.get_by_role("option", name="Similar homes").click()
    # At 375 px the notification lies over the toolbar: corrected and sent with Enter (keyboard).
    threshold = page.get_by_label("Usage alert threshold (%)")
    threshold.fill("40")
    threshold.press("Enter")
    expect(page.get_by_text("The notification defaults are saved.")).to_be_visible()
    console.shot("preferences-notifications-saved")
    console.axe()

    saved = console.api(NOTIFICATIONS)["json"]
    by_kind = {kind["kind"]: kind["enabled"] for kind in saved["kinds"]}
    before = {kind["kind"]: kind["enabled"] for kind in kinds}
    assert by_kind == {**before, "payment_overdue": False}  # only the switch touched changed
    assert (saved["reminder_days"], saved["usage_threshold"]) == (5, 40)
    if comparison:
        assert saved["usage_comparison"] == "similar_homes"

    console.go("preferences/notifications")
    expect(page.get_by_role("checkbox", name=overdue["label"], exact=True)).not_to_be_checked()
    expect(page.get_by_label("Payment reminder (days before the due date)")).to_have_value("5")


def test_in_dutch_the_kinds_have_the_apis_dutch_labels(console_org, staff_console):
    console = staff_console(email=console_org.admin_email)
    console.go("preferences/notifications")
    page = console.page
    expect(page.get_by_role("heading", name="Notifications residents get by default")).to_be_visible()
    page.get_by_role("button", name=re.compile("English", re.IGNORECASE)).click()
    page.get_by_role("menuitem", name="Nederlands").click()
    expect(page.get_by_role("heading", name="Meldingen die bewoners standaard krijgen")).to_be_visible()
    # Read again in the new language: the API's own Dutch label (locale/nl), not the English one.
    expect(page.get_by_role("checkbox", name="Er is een nieuwe factuur", exact=True)).to_be_visible()
    expect(page.get_by_role("tab", name="Betalingen")).to_be_visible()
    console.shot("preferences-notifications-nl")
    console.axe()
