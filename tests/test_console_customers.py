"""The staff console's customers screen and portal card in Chromium (screen 3 of issue 16).

Each flow goes through the console and is checked where it shows: the list's rows, the invitation
email in the test SMTP server and the page its link opens, the resident portal with the
impersonation banner, the database after a reset, the resident's browser after "log out
everywhere". Screenshots land in test-artifacts/screenshots/staff/.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.billing_data import billing_customer
from tests.support.console import ARTIFACTS, database

pytestmark = pytest.mark.browser

RESIDENT_PASSWORD = "resident-console-pass-9"
WIDE = """[...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().width > 380
  && ![...e.children].some(c => c.getBoundingClientRect().width > 380))
  .slice(0, 12).map(e => e.tagName + '.' + String(e.className).slice(0, 60) + ' ' + Math.round(e.getBoundingClientRect().width))"""


def _customer(tag: str, first: str, last: str, street: str):
    from customers.models import Customer, CustomerAddress

    customer = Customer.objects.create(
        customer_number=f"S3-{tag}-{uuid.uuid4().hex[:5]}",
        first_name=first,
        last_name=last,
        email=f"{first.lower()}-{uuid.uuid4().hex[:6]}@example.test",
        language="en",
    )
    CustomerAddress.objects.create(
        customer=customer, kind="billing", street=street, house_number="7", postal_code="9000", city="Gent"
    )
    return customer


def _register(organisation, customer, *, confirm: bool) -> None:
    from credentials.models import OneTimeToken
    from credentials.services import issue_one_time_token
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident

    register_resident(
        organisation=organisation,
        customer_number=customer.customer_number,
        email=customer.email,
        password=RESIDENT_PASSWORD,
        language="en",
    )
    if confirm:
        account = PortalAccount.objects.get(customer=customer)
        issued = issue_one_time_token(
            purpose=OneTimeToken.Purpose.CONFIRMATION,
            subject=f"portal_account:{account.pk}",
            email=customer.email,
        )
        confirm_registration(raw_token=issued.raw)


@pytest.fixture(scope="module")
def people(console_org, django_db_blocker):
    """Customers in each portal state: active, not confirmed, no account; one active to reset."""
    from accounts.models import User
    from customers.models import Customer, CustomerAddress
    from documents.models import Document
    from documents.services import record_document_view

    street = f"Lindelaan{uuid.uuid4().hex[:6]}"
    with database(django_db_blocker, "public"):
        billing = billing_customer(
            console_org.schema_name, invoices=2, email=f"anna-{uuid.uuid4().hex[:6]}@example.test"
        )
    with database(django_db_blocker, console_org.schema_name):
        # The active customer has contracts, invoices, payments, documents and an advance.
        active = Customer.objects.get(customer_number=billing["number"])
        CustomerAddress.objects.create(
            customer=active, kind="personal", street=street, house_number="3", postal_code="9000", city="Gent"
        )
        _register(console_org.organisation, active, confirm=True)
        document = Document.objects.filter(customer=active).first()
        record_document_view(document=document, user=User.objects.get(email=active.email))
        pending = _customer("p", "Piet", "Wachtend", "Kerkstraat")
        _register(console_org.organisation, pending, confirm=False)
        nobody = _customer("n", "Nina", "Nieuw", "Stationsplein")
        resettable = _customer("r", "Rik", "Herbegin", "Molenweg")
        _register(console_org.organisation, resettable, confirm=True)
    return {
        "active": active,
        "pending": pending,
        "nobody": nobody,
        "reset": resettable,
        "street": street,
        "billing": billing,
        "document": document.title,
    }


def _rows(page):
    return page.locator("tbody tr")


def _open_card(console, customer):
    console.go(f"customers/{customer.pk}/show/portal")
    expect(console.page.get_by_role("heading", name="Portal account")).to_be_visible()


def test_search_by_number_email_and_street_and_filter_by_portal_status(staff_console, console_org, people):
    console = staff_console(email=console_org.admin_email)
    console.go("customers")
    page = console.page
    search = page.get_by_placeholder("Number, name, email or address")
    for term in (people["active"].customer_number, people["active"].email, people["street"]):
        search.fill(term)
        expect(_rows(page)).to_have_count(1)
        expect(_rows(page).first).to_contain_text(people["active"].customer_number)
    search.fill("")
    expect(page.get_by_text(people["nobody"].customer_number)).to_be_visible()

    page.get_by_label("Portal status").click()
    page.get_by_role("option", name="No account").click()
    expect(page.get_by_text(people["nobody"].customer_number)).to_be_visible()
    expect(page.get_by_text(people["active"].customer_number)).to_have_count(0)
    expect(page.get_by_text(people["pending"].customer_number)).to_have_count(0)
    assert re.search(r"portal_status", page.url)
    console.shot("customers-list")
    console.axe()

    # The same list at 375 px: one column of cards, nothing wider than the screen.
    narrow = staff_console(email=console_org.admin_email, width=375)
    narrow.go("customers")
    expect(narrow.page.get_by_text(people["active"].customer_number)).to_be_visible()
    assert narrow.page.evaluate("document.documentElement.scrollWidth") <= 375
    narrow.shot("customers-list-375")
    _open_card(narrow, people["active"])
    expect(narrow.page.get_by_role("button", name="Log out everywhere")).to_be_visible()
    assert narrow.page.evaluate("document.documentElement.scrollWidth") <= 375, narrow.page.evaluate(WIDE)
    narrow.shot("customers-portal-card-375")


def test_the_customers_billing_data_and_documents_viewed_in_its_tabs(staff_console, console_org, people):
    customer, billing = people["active"], people["billing"]
    console = staff_console(email=console_org.admin_email)
    _open_card(console, customer)
    page = console.page
    viewed = page.get_by_role("region", name="Documents viewed")
    expect(viewed.get_by_role("cell", name=people["document"])).to_be_visible()
    expect(viewed).to_contain_text(customer.email)
    contract = f"K-{billing['number'].removeprefix('B-')}-1"
    for tab, shows in (
        ("Details", people["street"]),
        ("Contracts", contract),
        ("Invoices", "Credit note"),
        ("Payments", "Reminder fee"),
        ("Documents", people["document"]),
        ("Advance payments", "€100.00"),
    ):
        page.get_by_role("tab", name=tab, exact=True).click()
        expect(page.locator("main").get_by_text(shows).first).to_be_visible()
        console.shot(f"customers-tab-{tab.lower().replace(' ', '-')}")
    page.get_by_role("tab", name="Invoices").click()
    page.get_by_label("Payment status").click()
    page.get_by_role("option", name="Awaiting payment processing confirmation").click()
    expect(page.locator("main").locator("tbody tr")).to_have_count(1)
    console.axe()


def test_invite_sends_the_email_whose_link_opens_the_activation_page(
    staff_console, console_org, people, smtp, celery_worker
):
    customer = people["nobody"]
    console = staff_console(email=console_org.admin_email)
    _open_card(console, customer)
    page = console.page
    expect(page.get_by_test_id("portal-status")).to_have_text("No account")
    page.get_by_role("button", name="Invite to the portal").click()
    dialog = page.get_by_role("dialog")
    field = dialog.get_by_label("Email address (optional; becomes the customer\u2019s email address)")
    expect(field).to_be_focused()  # keyboard users start typing in the dialog's only field
    field.fill("not-an-address")
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Send invitation")).to_be_focused()
    page.keyboard.press("Enter")
    # The API's field error appears beside its field, and nothing was sent.
    expect(dialog.locator("#invite-email-helper-text")).to_contain_text("valid email address")
    console.shot("customers-invite-error")
    new_address = f"nina-{uuid.uuid4().hex[:6]}@example.test"
    field.fill(new_address)
    dialog.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("The invitation was sent.")).to_be_visible()
    expect(page.get_by_role("cell", name="Invitation sent")).to_be_visible()  # the activity log

    [caught] = smtp.wait_for(new_address)
    match = re.search(r"(http://\S+/activate/\S+)", caught.text)
    assert match, caught.text
    resident = console.context.new_page()
    resident.goto(match.group(1))
    expect(resident.get_by_role("heading", level=1)).to_have_text("Activate your account")
    expect(resident.get_by_text(f"You were invited to the portal as {new_address}.")).to_be_visible()
    resident.close()


def test_impersonation_opens_the_resident_portal_with_its_banner(staff_console, console_org, people):
    from memberships.models import ImpersonationSession

    customer = people["active"]
    console = staff_console(email=console_org.admin_email)
    _open_card(console, customer)
    page = console.page
    expect(page.get_by_test_id("portal-status")).to_have_text("Active")
    console.axe()
    console.shot("customers-portal-card")
    page.get_by_role("button", name="Log in as the customer").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Reason").fill("Customer called about an invoice")
    with console.context.expect_page() as opened:
        dialog.get_by_role("button", name="Open the portal as the customer").click()
    portal = opened.value
    portal.wait_for_load_state()
    assert "/impersonation/start/" in portal.url
    assert "#key" not in portal.url  # the portal's script took the key out of the address bar
    portal.get_by_role("button", name="Open the portal as the customer").click()
    banner = portal.locator(".impersonation")
    expect(banner).to_contain_text("You are logged in as this customer.")
    expect(banner).to_contain_text(console_org.admin_email)
    portal.screenshot(path=str(ARTIFACTS / "customers-impersonation-portal.png"), full_page=True)
    with console.db():
        session = ImpersonationSession.objects.get(customer_id=customer.pk)
        assert session.reason == "Customer called about an invoice"
        assert session.staff_email == console_org.admin_email
    portal.close()


def test_support_sees_no_impersonation_or_reset_and_the_api_refuses_anyway(
    staff_console, console_org, people
):
    customer = people["active"]
    console = staff_console(email=console_org.support_email)
    _open_card(console, customer)
    page = console.page
    expect(page.get_by_role("button", name="Send password reset")).to_be_visible()
    expect(page.get_by_role("button", name="Log in as the customer")).to_have_count(0)
    expect(page.get_by_role("button", name="Reset portal account")).to_have_count(0)
    console.shot("customers-portal-card-support")
    refused = console.api(
        f"/api/admin/customers/{customer.pk}/portal/impersonate/", "POST", {"reason": "just looking"}
    )
    assert refused["status"] == 403, refused
    assert console.api(f"/api/admin/customers/{customer.pk}/portal/reset/", "POST")["status"] == 403


def test_reset_dialog_says_what_is_deleted_and_the_account_is_gone(staff_console, console_org, people):
    from memberships.models import PortalAccount

    customer = people["reset"]
    console = staff_console(email=console_org.admin_email)
    _open_card(console, customer)
    page = console.page
    page.get_by_role("button", name="Reset portal account").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Reset the portal account of Rik Herbegin?")
    expect(dialog).to_contain_text(f"The portal account (login {customer.email}) is deleted completely")
    expect(dialog).to_contain_text("The customer receives an email and has to register again.")
    console.shot("customers-reset-dialog")
    dialog.get_by_role("button", name="Reset the account").click()
    expect(page.get_by_text("The portal account was reset.")).to_be_visible()
    expect(page.get_by_test_id("portal-status")).to_have_text("No account")
    expect(page.get_by_role("cell", name="Portal account reset")).to_be_visible()
    with console.db():
        assert not PortalAccount.objects.filter(customer_id=customer.pk).exists()


def test_log_out_everywhere_sends_the_residents_browser_to_the_login_page(
    staff_console, console_org, console_browser, console_server, people
):
    customer = people["active"]
    resident = console_browser.new_context(locale="en-GB")
    try:
        page = resident.new_page()
        page.goto(console_server.url(console_org.host, "/login/"))
        page.get_by_label("Email address").fill(customer.email)
        page.get_by_label("Password").fill(RESIDENT_PASSWORD)
        page.locator("main").get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/overview/$"))

        console = staff_console(email=console_org.admin_email)
        _open_card(console, customer)
        console.page.get_by_role("button", name="Log out everywhere").click()
        dialog = console.page.get_by_role("dialog")
        expect(dialog).to_contain_text("Every browser session and API token of this portal account")
        dialog.get_by_role("button", name="Log out everywhere").click()
        expect(console.page.get_by_text("The customer was logged out everywhere.")).to_be_visible()

        page.reload()
        expect(page).to_have_url(re.compile(r"/login/"))
    finally:
        resident.close()
