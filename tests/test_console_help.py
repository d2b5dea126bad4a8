"""Staff console, screen 5: help requests and the FAQ, through Chromium, checked where they show.

A staff reply with a PDF reaches the resident's ticket page (with the file to download) and the
resident's mailbox; closing and reopening are told to the requester; a FAQ entry written in Dutch
shows on the portal's Dutch FAQ page. Screenshots in test-artifacts/screenshots/staff/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.console import resident_page
from tests.support.tickets import pdf

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def resident(request) -> dict:
    """The console organisation's confirmed resident (tests/test_console_messages.py)."""
    return request.getfixturevalue("console_resident")


def open_ticket(console, resident: dict, subject: str) -> int:
    """The resident asks a question (as the portal's help form does): a ticket with their record."""
    with console.db():
        from customers.models import Customer
        from support.services import open_ticket as open_
        from tenants.models import Organisation

        customer = Customer.objects.get(customer_number=resident["number"])
        organisation = Organisation.objects.get(schema_name=console.schema)
        return open_(
            organisation=organisation,
            kind="payment_notice",
            subject=subject,
            message="I paid twice in March.",
            language="en",
            customer=customer,
        ).pk


def test_a_reply_with_a_file_reaches_the_residents_ticket_page_and_mailbox(
    console_org, resident, staff_console, smtp, celery_worker
):
    console = staff_console(email=console_org.admin_email)
    ticket_id = open_ticket(console, resident, "Paid twice")
    page = console.page
    console.go("tickets")
    page.get_by_role("combobox", name=re.compile("^Status")).click()
    page.get_by_role("option", name="Open", exact=True).click()
    page.get_by_placeholder("Search").fill("Paid twice")
    row = page.get_by_role("row").filter(has_text="Paid twice")
    expect(row).to_have_count(1)
    console.shot("help-inbox")
    console.axe()
    row.click()
    expect(page.get_by_test_id("ticket-message")).to_have_count(1)

    # Keyboard only: the answer, then the file, then the closing box, then Send.
    answer = page.get_by_label("Your answer")
    answer.focus()
    page.keyboard.type("We refunded the second payment; the receipt is attached.")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Attach a file (optional)")).to_be_focused()
    page.get_by_label("Attach a file (optional)").set_input_files(
        files=[{"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": pdf()}]
    )
    console.axe()
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("Answer sent")).to_be_visible()
    expect(page.get_by_test_id("ticket-message")).to_have_count(2)
    expect(page.get_by_role("link", name="receipt.pdf")).to_be_visible()
    console.shot("help-ticket-answered")

    # The resident's mailbox: the receipt of the question, then the answer.
    caught = smtp.wait_for(resident["email"], count=2, timeout=60)
    [email] = [mail for mail in caught if mail.subject.startswith("Answer to your message")]
    assert "We refunded the second payment" in email.text
    assert "A file comes with this answer" in email.text

    context, portal = resident_page(console, console_org, resident, f"/tickets/{ticket_id}/")
    expect(portal.get_by_text("We refunded the second payment")).to_be_visible()
    with portal.expect_download() as download:
        portal.get_by_role("link", name="receipt.pdf").click()
    assert download.value.suggested_filename == "receipt.pdf"
    context.close()


def test_a_file_that_is_not_a_pdf_is_refused_beside_its_field(console_org, resident, staff_console):
    console = staff_console(email=console_org.admin_email)
    ticket_id = open_ticket(console, resident, "Meter photo")
    page = console.page
    console.go(f"tickets/{ticket_id}/show")
    page.get_by_label("Your answer").fill("See the attachment.")
    page.get_by_label("Attach a file (optional)").set_input_files(
        files=[{"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": b"MZ not a pdf"}]
    )
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator("#reply-attachment-help")).to_have_text("Attach a PDF, PNG or JPEG file.")
    expect(page.get_by_test_id("ticket-message")).to_have_count(1)


def test_close_and_reopen_tell_the_requester(console_org, resident, staff_console):
    console = staff_console(email=console_org.support_email)  # support members answer requests too
    ticket_id = open_ticket(console, resident, "Close me")
    page = console.page
    console.go(f"tickets/{ticket_id}/show")
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_text("The requester is told by email that the request is closed.")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("This request is closed. Reopen it to answer.")).to_be_visible()
    console.shot("help-ticket-closed")
    page.get_by_role("button", name="Reopen").click()
    expect(page.get_by_label("Your answer")).to_be_visible()
    with console.db():
        from communications.models import OutboundEmail
        from support.models import Ticket

        assert Ticket.objects.get(pk=ticket_id).status == "open"
        sent = list(OutboundEmail.objects.filter(to=resident["email"]).values_list("template", flat=True))
        assert {"ticket_closed", "ticket_reopened"} <= set(sent)


def test_a_dutch_faq_entry_shows_on_the_dutch_faq_page(console_org, staff_console):
    console = staff_console(email=console_org.admin_email)
    page = console.page
    console.go("faq/categories/create")
    page.get_by_label("Nederlands").fill("Facturen")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Facturen")).to_be_visible()

    console.go("faq/entries/create")
    page.get_by_role("combobox", name=re.compile("^Category")).click()
    page.get_by_role("option", name="Facturen").click()
    page.get_by_role("tab", name="Nederlands").click()
    page.get_by_label("Question in Nederlands").fill("Wanneer krijg ik mijn jaarafrekening?")
    page.locator('[class*="ra-input-answers.nl"] .ProseMirror').click()
    page.keyboard.type("Elk jaar in ")
    page.keyboard.press("Control+b")
    page.keyboard.type("maart")
    console.shot("help-faq-entry")
    console.axe()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Wanneer krijg ik mijn jaarafrekening?")).to_be_visible()
    console.shot("help-faq-list")
    console.axe()

    context = console.page.context.browser.new_context(
        locale="nl-BE", extra_http_headers={"Accept-Language": "nl"}
    )
    visitor = context.new_page()
    visitor.goto(console.server.url(console_org.host, "/faq/"))
    expect(visitor.get_by_text("Wanneer krijg ik mijn jaarafrekening?")).to_be_visible()
    expect(visitor.locator("main strong", has_text="maart")).to_have_count(1)  # the answer, folded
    context.close()
