"""Staff console, screen 1: portal preferences, through Chromium, checked where it shows.

An administrator's primary colour reaches the resident portal's stylesheet; a logo that is not an
image is refused beside its field; a Dutch email's wording shows in the live preview as sent; a
domain added appears in the list and the portal answers on it; support members see no preferences
and the API refuses them anyway. Screenshots in test-artifacts/screenshots/staff/.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NEW_PRIMARY = "#7a1f5c"


def field(page, source: str):
    """The react-admin input wrapper of one field: where its error is shown."""
    return page.locator(f".ra-input-{source}").first


def test_admin_changes_the_primary_colour_and_the_resident_portal_shows_it(console_org, staff_console):
    console = staff_console(email=console_org.admin_email)
    console.go("preferences")
    page = console.page
    expect(page.get_by_role("heading", name="Logo and colours")).to_be_visible()
    console.shot("preferences-portal")
    console.axe()

    page.get_by_label("Use the organisation's colours").uncheck()
    primary = page.get_by_label("Primary colour", exact=True)
    # Keyboard only: the colour fields are reached with Tab, in order, and have their labels.
    primary.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Pick the primary colour")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Secondary colour", exact=True)).to_be_focused()

    primary.fill(NEW_PRIMARY)
    page.get_by_label("Secondary colour", exact=True).fill("#ffe680")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The preferences are saved")).to_be_visible()
    # A light secondary colour on the portal's backgrounds: the API's warning beside the field.
    expect(field(page, "secondary_colour").get_by_role("status").first).to_be_visible()
    console.shot("preferences-saved-with-warning")

    resident = console.context.new_page()
    resident.goto(console.server.url(console_org.host, "/login/"))
    colour = resident.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()"
    )
    assert colour.lower() == NEW_PRIMARY
    resident.close()


def test_a_logo_that_is_not_an_image_is_refused_beside_its_field(console_org, staff_console):
    """At 375 px: the form fits the phone's width, and the refusal is beside the logo field."""
    console = staff_console(email=console_org.admin_email, width=375)
    console.go("preferences")
    page = console.page
    expect(page.get_by_role("heading", name="Logo and colours")).to_be_visible()
    wider = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
            .map((element) => `${element.tagName}.${element.className} ${Math.round(element.getBoundingClientRect().width)}`.slice(0, 100))"""
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), wider[-8:]
    page.get_by_label("Use the organisation's logo").uncheck()
    expect(field(page, "logo")).to_contain_text("PNG, JPG or SVG, at most 500 KB")
    field(page, "logo").locator("input[type=file]").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": b"this is not an image"}]
    )
    page.get_by_role("button", name="Save").click()
    expect(field(page, "logo")).to_contain_text("Upload a PNG, JPG or SVG image.")
    console.shot("preferences-logo-error")
    with console.db():
        from configuration.models import PortalPreferences

        assert not PortalPreferences.objects.current().logo


def test_the_organisations_own_colours_are_a_tab_of_their_own(console_org, staff_console):
    console = staff_console(email=console_org.admin_email)
    console.go("preferences/organisation")
    page = console.page
    page.get_by_label("Primary colour", exact=True).fill("#12")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".ra-input-primary_colour")).to_contain_text("Enter a colour as #rrggbb")
    console.shot("preferences-organisation")
    console.axe()


def test_a_dutch_email_shows_in_the_live_preview_and_is_saved(console_org, staff_console):
    console = staff_console(email=console_org.admin_email)
    console.go("preferences/emails")
    page = console.page
    expect(page.get_by_role("table", name="Email templates")).to_be_visible()
    console.shot("preferences-emails")
    console.axe()
    page.get_by_role("link", name=re.compile(r"^Password reset link, Nederlands: ")).click()

    subject = page.get_by_label("Subject")
    expect(subject).not_to_have_value("")
    subject.fill("Nieuw wachtwoord voor {{ organisation_name }} (test)")
    page.get_by_label("HTML version").fill(
        '<p><b>Beste bewoner</b>, <a href="{{ reset_url }}">kies een wachtwoord</a>.</p>'
    )
    expect(page.get_by_test_id("preview-subject")).to_have_text(
        f"Subject: Nieuw wachtwoord voor {console_org.name} (test)"
    )
    frame = page.frame_locator("iframe[title='Preview of the email as it will be sent']")
    expect(frame.locator("b")).to_have_text("Beste bewoner")
    expect(frame.get_by_role("link", name="kies een wachtwoord")).to_be_visible()
    console.shot("preferences-email-preview")
    console.axe()

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The email is saved.")).to_be_visible()
    with console.db():
        from communications.models import EmailTemplate

        saved = EmailTemplate.objects.get(template="password_reset", language="nl")
        assert saved.subject == "Nieuw wachtwoord voor {{ organisation_name }} (test)"


def test_a_domain_added_appears_and_the_portal_answers_on_it(console_org, staff_console):
    console = staff_console(email=console_org.admin_email)
    console.go("preferences/domains")
    page = console.page
    new_domain = f"extra-{uuid.uuid4().hex[:6]}.test"

    # Another organisation's domain: refused beside the field.
    page.get_by_label("New domain").fill("portal.noord.test")
    page.get_by_role("button", name="Add the domain").click()
    expect(field(page, "domain")).to_contain_text("This domain is already in use.")

    page.get_by_label("New domain").fill(new_domain)
    page.get_by_role("button", name="Add the domain").click()
    expect(page.locator(f"tr[data-domain='{new_domain}']")).to_be_visible()
    expect(page.locator(f"tr[data-domain='{console_org.host}']")).to_contain_text("Primary")
    console.shot("preferences-domains")
    console.axe()

    answer = console.context.new_page()
    response = answer.goto(console.server.url(new_domain, "/login/"))
    assert response is not None
    # The organisation's own page on the new host (503 while its portal is not yet active).
    assert response.status in (200, 503)
    expect(answer.locator("body")).to_contain_text(console_org.name)
    answer.close()

    page.get_by_role("button", name=f"Remove {new_domain}").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(f"tr[data-domain='{new_domain}']")).to_have_count(0)


def test_support_sees_no_preferences_and_the_api_refuses_anyway(console_org, staff_console):
    console = staff_console(email=console_org.support_email)
    page = console.page
    expect(page.get_by_role("menuitem", name="Portal preferences")).to_have_count(0)
    refused = console.api(
        "/api/admin/configuration/preferences/", method="PATCH", data={"primary_colour": "#000000"}
    )
    assert refused["status"] == 403
    assert console.api("/api/admin/configuration/domains/")["status"] == 403
