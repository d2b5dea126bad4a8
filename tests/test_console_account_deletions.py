"""Staff console: account deletions (issue 19), through Chromium.

Staff see a resident's request waiting for confirmation (customer, status, reason; never an
address), open it and call it off; the resident's emailed link then deletes nothing. Support members
only read. Screenshots in test-artifacts/screenshots/staff/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.console import RESIDENT_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def resident(request) -> dict:
    return request.getfixturevalue("console_resident")


def ask_deletion(console, console_org, resident: dict) -> int:
    """The resident asks (as the page does): a request waiting for the emailed confirmation."""
    with console.db():
        from memberships.models import PortalAccount
        from personal_data import deletion

        account = PortalAccount.objects.select_related("customer", "user").get(
            customer__customer_number=resident["number"]
        )
        return deletion.request_deletion(
            account=account,
            password=RESIDENT_PASSWORD,
            reason="Moving abroad",
            organisation=console_org.organisation,
            impersonating=False,
        ).pk


def test_staff_see_a_request_and_call_it_off_support_only_reads(console_org, resident, staff_console):
    admin = staff_console(email=console_org.admin_email)
    request_id = ask_deletion(admin, console_org, resident)
    page = admin.page
    admin.go("account-deletions")
    row = page.get_by_role("row").filter(has_text=resident["number"])
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Waiting for confirmation")
    expect(page.get_by_text(resident["email"])).to_have_count(0)
    admin.shot("account-deletions-list")
    admin.axe()
    row.click()
    expect(page.get_by_text("Moving abroad")).to_be_visible()
    admin.shot("account-deletion-show")
    admin.axe()

    with admin.db():
        from customers.models import Customer

        customer_pk = Customer.objects.get(customer_number=resident["number"]).pk
    admin.go(f"customers/{customer_pk}/show/portal")
    page.get_by_role("link", name="Waiting for confirmation").click()  # the portal card's fact
    expect(page).to_have_url(re.compile(rf"/account-deletions/{request_id}/show$"))
    expect(page.get_by_text("Moving abroad")).to_be_visible()

    support = staff_console(email=console_org.support_email)
    support.go(f"account-deletions/{request_id}/show")
    expect(support.page.get_by_text("Moving abroad")).to_be_visible()
    expect(support.page.get_by_role("button", name="Cancel the request")).to_have_count(0)

    page.get_by_role("button", name="Cancel the request").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("The request was cancelled.")).to_be_visible()
    expect(page.get_by_text("Cancelled", exact=True).first).to_be_visible()
    with admin.db():
        from personal_data.models import DeletionRequest

        cancelled = DeletionRequest.objects.get(pk=request_id)
        assert (cancelled.status, cancelled.cancelled_by, cancelled.email) == ("cancelled", "staff", "")

    admin.go("account-deletions")
    page.get_by_role("combobox", name=re.compile("^Status")).click()
    page.get_by_role("option", name="Waiting for confirmation", exact=True).click()
    expect(page.get_by_role("row").filter(has_text=resident["number"])).to_have_count(0)


def test_the_list_fits_a_phone(console_org, resident, staff_console):
    narrow = staff_console(email=console_org.admin_email, width=375)
    ask_deletion(narrow, console_org, resident)
    narrow.go("account-deletions")
    expect(narrow.page.get_by_text(resident["number"]).first).to_be_visible()
    assert narrow.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    narrow.shot("account-deletions-375")
    narrow.axe()
