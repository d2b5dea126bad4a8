"""Notification choices in a real browser (issue 19): at phone width (375 px) a resident opens
"Email notifications" from My details, turns one kind off and saves; then opens an email's
unsubscribe link without being logged in, confirms, and that kind is off. No sideways scrolling,
no axe-core (WCAG 2.1 A/AA) violation, no Content-Security-Policy violation. Screenshots in
test-artifacts/screenshots/."""

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
    """An organisation of its own (the server is another process: committed data), a resident and
    the one-click unsubscribe token of their payment reminders."""
    # Inside: models are imported once Django is set up (a module fixture runs before the tests).
    from memberships.models import PortalAccount
    from notifications.unsubscribe import make_token

    with resident_site(django_db_blocker, slug="nt", invoices=2, name="Warmte Melding") as site:
        with django_db_blocker.unblock(), schema_context(site.schema):
            account = PortalAccount.objects.get(customer__customer_number=site.customer_number)
            site.billing.update(
                account_id=account.pk, token=make_token(account=account, kind="payment_reminder")
            )
        yield site


def _preferences(resident, django_db_blocker) -> dict[str, bool]:
    from memberships.models import PortalAccount
    from notifications.selectors import preferences_for

    with django_db_blocker.unblock(), schema_context(resident.schema):
        try:
            return preferences_for(PortalAccount.objects.get(pk=resident.billing["account_id"]))
        finally:
            connection.set_schema_to_public()
            connections.close_all()


def _choose(tab: ResidentBrowser) -> None:
    page = tab.page
    tab.go("/my-details/")
    page.get_by_role("link", name="Email notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email notifications")
    box = page.get_by_label(re.compile("A new invoice is available"))
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your email choices were saved.")).to_be_visible()
    expect(page.get_by_label(re.compile("A new invoice is available"))).not_to_be_checked()
    tab.check("notifications-preferences-375")


def _unsubscribe(tab: ResidentBrowser) -> None:
    """A fresh context: the link works without a login."""
    page = tab.page
    tab.go(f"/notifications/unsubscribe/{tab.site.billing['token']}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("A reminder before an invoice is due")
    tab.check("notifications-unsubscribe-375")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribed")
    tab.check("notifications-unsubscribed-375")


def test_choose_notifications_and_unsubscribe_at_phone_width(
    resident, portal_server, chromium_browser, django_db_blocker
):
    tab = ResidentBrowser(chromium_browser, portal_server, resident, width=375)
    tab.log_in()
    _choose(tab)
    anonymous = ResidentBrowser(chromium_browser, portal_server, resident, width=375)
    _unsubscribe(anonymous)
    assert tab.csp_violations == anonymous.csp_violations == []
    tab.close()
    anonymous.close()
    chosen = _preferences(resident, django_db_blocker)
    assert chosen["invoice_available"] is False
    assert chosen["payment_reminder"] is False
    assert chosen["refund_paid"] is True
