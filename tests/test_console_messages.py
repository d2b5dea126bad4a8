"""Staff console, screen 2: page messages, through Chromium, checked where residents see them.

An administrator writes a warning for the overview with bold text and a link in the allowed
editor, sees the server's preview, and the resident's overview shows it sanitised (HTML sent by
an integration with a script and an event handler loses both); a message on the login page shows
there; a date range the API refuses is shown beside its field; support members only read.
Screenshots in test-artifacts/screenshots/staff/.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.support.console import resident_page

pytestmark = pytest.mark.browser

LINK = "https://status.example/outage"


def editor(page, language: str = "en"):
    return page.locator(f'[class*="ra-input-bodies.{language}"] .ProseMirror')


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=re.compile(f"^{label}")).click()
    page.get_by_role("option", name=option, exact=True).click()


def _type_bold_text_and_a_link(page) -> None:
    """Heat outage **tonight** read the [details](LINK), with the keyboard and the toolbar, whose
    buttons are what the allow-list keeps."""
    body = editor(page)
    body.click()
    page.keyboard.type("Heat outage ")
    page.keyboard.press("Control+b")
    page.keyboard.type("tonight")
    page.keyboard.press("Control+b")
    page.keyboard.type(" read the details")
    for _ in range(len("details")):
        page.keyboard.press("Shift+ArrowLeft")
    page.once("dialog", lambda dialog: dialog.accept(LINK))
    page.get_by_role("button", name="Add a link").first.click()
    # The toolbar offers what the allow-list keeps, and nothing it would strip.
    toolbar = page.locator('[class*="ra-input-bodies.en"]')
    for name in ("Bold", "Italic", "Underline", "Strikethrough", "Bulleted list", "Numbered list"):
        expect(toolbar.get_by_role("button", name=name)).to_have_count(1)
    for absent in ("Code", "Quote", "Add an image", "Align left"):
        expect(toolbar.get_by_role("button", name=absent)).to_have_count(0)


def test_admin_writes_a_warning_with_bold_and_a_link_and_the_overview_shows_it_sanitised(
    console_org, console_resident, staff_console
):
    console = staff_console(email=console_org.admin_email)
    page = console.page
    console.go("configuration/messages")
    expect(page.get_by_role("heading", name="Page messages", exact=True)).to_be_visible()
    page.get_by_role("link", name="Create").click()

    choose(page, "Page", "Overview")
    # Keyboard only: from the page field, Tab reaches the type's radio buttons.
    page.get_by_role("combobox", name=re.compile("^Page")).focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Neutral")).to_be_focused()
    page.get_by_label("Warning").check()

    _type_bold_text_and_a_link(page)

    preview = page.get_by_test_id("message-preview")
    expect(preview.locator("strong")).to_have_text("tonight")
    expect(preview.locator(f'a[href="{LINK}"]')).to_have_text("details")
    console.shot("messages-edit-preview")
    console.axe()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Page messages", exact=True)).to_be_visible()
    expect(page.get_by_text("Heat outage tonight read the details")).to_be_visible()
    console.shot("messages-list")
    console.axe()

    with console.db():
        from configuration.models import PageMessage

        message = PageMessage.objects.get(page="overview")
        assert message.kind == "warning"
        saved = message.bodies["en"]
    assert "<strong>tonight</strong>" in saved
    # An integration sends HTML with a script and an event handler: the API keeps neither.
    hostile = saved + '<p onclick="alert(1)">Call us<script>alert(2)</script></p>'
    answer = console.api(
        f"/api/admin/configuration/messages/{message.pk}/", "PATCH", {"bodies": {"en": hostile}}
    )
    assert answer["status"] == 200, answer

    context, resident = resident_page(console, console_org, console_resident, "/overview/")
    shown = resident.locator(".page-message.warning")
    expect(shown.locator("strong")).to_have_text("tonight")
    expect(shown.locator(f'a[href="{LINK}"]')).to_have_text("details")
    expect(shown).to_contain_text("Call us")
    assert shown.locator("script, [onclick]").count() == 0
    assert "alert(" not in shown.inner_html()
    context.close()


def test_a_message_on_the_login_page_shows_there(console_org, staff_console):
    console = staff_console(email=console_org.admin_email)
    page = console.page
    console.go("configuration/messages/create")
    choose(page, "Page", "Log in")
    editor(page).click()
    page.keyboard.type("Logging in is slow this morning.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Logging in is slow this morning.")).to_be_visible()

    context, visitor = resident_page(console, console_org, None, "/login/")
    expect(visitor.locator(".page-message.neutral")).to_contain_text("Logging in is slow this morning.")
    context.close()


def test_a_date_range_the_api_refuses_is_shown_beside_its_field(console_org, staff_console):
    console = staff_console(email=console_org.admin_email)
    page = console.page
    console.go("configuration/messages/create")
    choose(page, "Page", "Statements")
    editor(page).click()
    page.keyboard.type("Statements arrive late.")
    today = date.today()
    page.get_by_label("Visible from").fill(f"{today + timedelta(days=5)}T09:00")
    page.get_by_label("Visible until").fill(f"{today + timedelta(days=1)}T09:00")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".ra-input-visible_until")).to_contain_text("The end must be after the start.")
    console.shot("messages-field-error")
    with console.db():
        from configuration.models import PageMessage

        assert not PageMessage.objects.filter(page="statements").exists()


def test_support_members_read_messages_and_the_api_refuses_their_writes(console_org, staff_console):
    console = staff_console(email=console_org.support_email, width=375)  # a phone
    with console.db():
        from configuration.services import save_page_message

        save_page_message(
            message=None, values={"page": "faq", "bodies": {"en": "<p>New questions added.</p>"}}
        )
    page = console.page
    console.go("configuration/messages")
    expect(page.get_by_role("heading", name="Page messages", exact=True)).to_be_visible()
    expect(page.get_by_text("New questions added.")).to_be_visible()
    expect(page.get_by_role("link", name="Create")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    console.shot("messages-list-375")
    refused = console.api(
        "/api/admin/configuration/messages/", "POST", {"page": "overview", "bodies": {"en": "<p>x</p>"}}
    )
    assert refused["status"] == 403
