"""The staff screen in Chromium: an administrator invites a colleague (the email arrives), sees a
field error beside its field, changes a role; a support member sees no staff screen and the API
refuses them anyway. Screenshots in test-artifacts/screenshots/staff/.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from memberships.models import StaffMembership

pytestmark = pytest.mark.browser


def _open_row(console, email: str) -> None:
    """Click the row's role cell (the email cell is a mailto link)."""
    console.page.get_by_role("row").filter(has_text=email).get_by_role("cell").nth(2).click()


def _invite_a_colleague(console, console_org, smtp) -> str:
    """Invite with the keyboard only from the first field (labels, focus order); an existing
    member is refused beside the field. The colleague's address, invited."""
    colleague = f"colleague-{uuid.uuid4().hex[:6]}@example.test"
    console.go("staff/create")
    email = console.page.get_by_label("Email address")
    email.focus()
    console.page.keyboard.type(console_org.support_email)  # already a member: refused beside the field
    console.page.keyboard.press("Tab")
    expect(console.page.get_by_label("Full name")).to_be_focused()
    console.page.keyboard.type("New Colleague")
    console.page.get_by_role("button", name="Save").click()
    expect(console.page.get_by_text("This person is already a staff member.").first).to_be_visible()
    expect(email).to_have_attribute("aria-invalid", "true")
    console.shot("staff-invite-field-error")
    email.fill(colleague)
    console.page.get_by_label("Role").click()
    console.page.get_by_role("option", name="Support").click()
    console.axe()
    console.page.get_by_role("button", name="Save").click()
    expect(console.page).to_have_url(re.compile(r"/staff/staff(\?.*)?$"))
    expect(console.page.get_by_role("cell", name=colleague)).to_be_visible()
    [invitation] = smtp.wait_for(colleague)
    assert "/invitation/" in invitation.text
    return colleague


def _change_the_support_members_role(console, console_org) -> None:
    """Staff role and the impersonation right for the support member, then logged out everywhere
    (after the dialog says what ends); set back afterwards."""
    _open_row(console, console_org.support_email)
    expect(console.page).to_have_url(re.compile(r"/staff/staff/\d+$"))
    console.page.get_by_label("Role").click()
    console.page.get_by_role("option", name="Staff", exact=True).click()
    console.page.get_by_label("May impersonate residents").check()
    console.shot("staff-edit")
    console.axe()
    console.page.get_by_role("button", name="Save").click()
    expect(console.page.get_by_text("Element updated")).to_be_visible()
    # Log the member out everywhere (after the dialog says what ends).
    console.page.get_by_role("button", name="Log out everywhere").click()
    expect(console.page.get_by_role("dialog")).to_contain_text("Every browser session and API token")
    console.page.get_by_role("button", name="Confirm").click()
    expect(console.page.get_by_text("The staff member was logged out everywhere.")).to_be_visible()
    with console.db():
        member = StaffMembership.objects.get(email=console_org.support_email)
        assert (member.role, member.can_impersonate) == ("staff", True)
        member.role, member.can_impersonate = "support", False
        member.save(update_fields=["role", "can_impersonate"])


def test_admin_invites_a_colleague_and_changes_a_role(console_org, staff_console, smtp, celery_worker):
    console = staff_console(console_org.admin_email)
    console.page.get_by_role("menuitem", name="Staff").click()
    expect(console.page.get_by_role("cell", name=console_org.support_email)).to_be_visible()
    console.axe()
    console.shot("staff-list")

    # Search by email (the API's search), and filter by role.
    console.page.get_by_placeholder("Search").fill("support@")
    expect(console.page.get_by_role("cell", name=console_org.admin_email)).to_have_count(0)
    expect(console.page.get_by_role("cell", name=console_org.support_email)).to_be_visible()
    console.page.get_by_placeholder("Search").fill("")
    expect(console.page.get_by_role("cell", name=console_org.admin_email)).to_be_visible()

    colleague = _invite_a_colleague(console, console_org, smtp)
    _change_the_support_members_role(console, console_org)

    # The pending invitation: revoke it after confirming.
    console.go("staff")
    _open_row(console, colleague)
    console.page.get_by_role("button", name="Revoke invitation").click()
    expect(console.page.get_by_role("dialog")).to_contain_text("The invitation link stops working")
    console.page.get_by_role("button", name="Confirm").click()
    expect(console.page).to_have_url(re.compile(r"/staff/staff(\?.*)?$"))
    expect(console.page.get_by_role("cell", name=colleague)).to_have_count(0)
    with console.db():
        assert not StaffMembership.objects.filter(email=colleague).exists()


def test_support_sees_no_staff_screen_and_the_api_refuses(console_org, staff_console):
    console = staff_console(console_org.support_email)
    expect(console.page.get_by_role("menuitem", name="Dashboard")).to_be_visible()
    expect(console.page.get_by_role("menuitem", name="Staff")).to_have_count(0)
    assert console.api("/api/admin/staff/")["status"] == 403
    console.go("staff")
    expect(console.page.get_by_role("cell", name=console_org.admin_email)).to_have_count(0)
    console.shot("staff-support-view")


def test_staff_screen_at_375px(console_org, staff_console):
    console = staff_console(console_org.admin_email, width=375)
    console.go("staff")
    expect(console.page.get_by_text(console_org.support_email).first).to_be_visible()
    console.axe()
    console.shot("staff-list-375")
