"""Delete my account in a real browser (issue 19), at phone width (375 px): the resident opens
"Delete my account" from My details, reads what goes and what stays, asks with the password, opens
the emailed link (read from the organisation's outbox), confirms, is logged out and cannot log in
again. No sideways scrolling, no axe-core (WCAG 2.1 A/AA) violation, no Content-Security-Policy
violation. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from django.db import connection, connections
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tests.support.resident_browser import ResidentBrowser, resident_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def resident(django_db_setup, django_db_blocker):
    with resident_site(django_db_blocker, slug="del", invoices=2, name="Warmte Afscheid") as site:
        yield site


def _emailed_link(site, django_db_blocker) -> str:
    """The confirmation link of the email the page queued (the server committed it to the outbox)."""
    from communications.models import OutboundEmail

    with django_db_blocker.unblock(), schema_context(site.schema):
        try:
            mail = OutboundEmail.objects.filter(to=site.email, template="account_deletion_confirm").latest(
                "created_at"
            )
            return re.search(r"https?://\S+(/delete-account/confirm/\S+/)", mail.body_text).group(1)
        finally:
            connection.set_schema_to_public()
            connections.close_all()


def _kept(site, django_db_blocker) -> tuple[bool, int]:
    """Whether the portal account is still there, and how many invoices the customer has."""
    from invoicing.models import Invoice
    from memberships.models import PortalAccount

    with django_db_blocker.unblock(), schema_context(site.schema):
        try:
            account = PortalAccount.objects.filter(customer__customer_number=site.customer_number).exists()
            return account, Invoice.objects.filter(customer__customer_number=site.customer_number).count()
        finally:
            connection.set_schema_to_public()
            connections.close_all()


def _ask(tab: ResidentBrowser) -> None:
    page = tab.page
    tab.go("/my-details/")
    page.get_by_role("link", name="Delete my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete my account")
    expect(page.get_by_role("heading", name="What we keep, and why")).to_be_visible()
    tab.check("delete-account-375")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_role("button", name="Send me the confirmation email").click()
    expect(page.get_by_text("Your current password is not correct.")).to_be_visible()
    tab.check("delete-account-wrong-password-375")
    page.get_by_label("Current password").fill(tab.site.password)
    page.get_by_label(re.compile("Why do you leave the portal")).fill("Moving abroad")
    page.get_by_role("button", name="Send me the confirmation email").click()
    expect(page.get_by_text(re.compile("We sent you an email. Open its link"))).to_be_visible()
    expect(page.get_by_role("button", name="Cancel the deletion")).to_be_visible()
    tab.check("delete-account-asked-375")


def test_ask_confirm_by_the_emailed_link_logged_out_and_gone(
    resident, chromium_browser, portal_server, django_db_blocker
):
    tab = ResidentBrowser(chromium_browser, portal_server, resident, width=375)
    try:
        tab.log_in()
        invoices = _kept(resident, django_db_blocker)[1]
        _ask(tab)
        link = _emailed_link(resident, django_db_blocker)
        tab.go(link)  # opening the link only asks
        expect(tab.page.get_by_role("button", name="Delete my account now")).to_be_visible()
        assert _kept(resident, django_db_blocker) == (True, invoices)
        tab.check("delete-account-confirm-375")
        tab.page.get_by_role("button", name="Delete my account now").click()
        expect(tab.page.get_by_role("heading", name="Your portal account was deleted")).to_be_visible()
        tab.check("delete-account-done-375")
        assert _kept(resident, django_db_blocker) == (False, invoices)  # billing data stay

        tab.go("/overview/")
        expect(tab.page).to_have_url(re.compile(r"/login/"))  # logged out
        tab.page.get_by_label("Email address").fill(resident.email)
        tab.page.get_by_label("Password").fill(resident.password)
        tab.page.locator("main").get_by_role("button", name="Log in").click()
        expect(tab.page.get_by_text("The email address or password is not correct.")).to_be_visible()
        tab.check("delete-account-login-refused-375")
        assert tab.csp_violations == []
    finally:
        tab.close()
