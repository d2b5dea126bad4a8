"""The operators screen of the staff console on the platform domain, in Chromium (issue 16, screen 8).

An operator onboards an organisation and follows its progress until the portal answers and the first
administrator's invitation arrives; suspends and reactivates one with a reason (the portal shows its
unavailable page, then answers again); adds a domain (an invalid name is refused beside the field),
makes it primary and removes the old one; switches a feature off (the resident page loses it). An
organisation's administrator is refused on the platform console. Every organisation made here is
dropped at the end of the module.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import expect

from tests.support.organisations import OPERATOR_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

PLATFORM = settings.PLATFORM_DOMAIN


def _drop(slug: str) -> None:
    from tenants import provisioning
    from tenants.models import Organisation

    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return
    provisioning.drop_schema(organisation.schema_name)
    organisation.domains.all().delete()
    organisation.delete()


@pytest.fixture(scope="module")
def made_here(django_db_setup, django_db_blocker):
    """Slugs of the organisations this module creates (through the console or directly)."""
    slugs: list[str] = []
    yield slugs
    with django_db_blocker.unblock():
        for slug in slugs:
            _drop(slug)
        connections.close_all()


@pytest.fixture(scope="module")
def operated(made_here, django_db_blocker):
    """An organisation the operator works on (onboarded directly: the console's onboarding has its own test)."""
    from operators.onboarding import onboard_organisation

    slug = f"ops{uuid.uuid4().hex[:6]}"
    made_here.append(slug)
    with django_db_blocker.unblock():
        result = onboard_organisation(
            name=f"Warmte Ops {slug[-6:]}",
            slug=slug,
            domain=f"portal.{slug}.test",
            admin_email=f"admin@{slug}.test",
            default_language="en",
        )
        connections.close_all()
    return result.organisation


def _operator(staff_console, width: int = 1280):
    return staff_console(OPERATOR_EMAIL, host=PLATFORM, password=PASSWORD, width=width)


def _portal(console, host: str, path: str = "/"):
    """A resident's browser tab on an organisation's portal (same browser context, another host)."""
    page = console.context.new_page()
    response = page.goto(console.server.url(host, path))
    return page, response


def test_operator_onboards_an_organisation_and_follows_it_until_ready(
    staff_console, made_here, smtp, celery_worker
):
    slug = f"onb{uuid.uuid4().hex[:6]}"
    made_here.append(slug)
    domain, admin = f"portaal.{slug}.test", f"beheer@{slug}.test"
    console = _operator(staff_console)
    console.go("organisations")
    expect(console.page.get_by_role("columnheader", name="Name")).to_be_visible()
    console.page.get_by_role("link", name="Onboard an organisation").click()
    page = console.page

    # Keyboard only: the name field, then Tab through slug, domain and the administrator's address.
    page.get_by_label("Name").focus()
    page.keyboard.type(f"Warmte {slug}")
    for label, value in (
        ("Slug", slug),
        ("Domain", f"http://{domain}"),  # refused by the API: beside the field
        (re.compile("^First administrator.s email address"), admin),
    ):
        page.keyboard.press("Tab")
        expect(page.get_by_label(label)).to_be_focused()
        page.keyboard.type(value)
    console.axe()
    console.shot("operators-onboard")
    page.get_by_role("button", name="Onboard", exact=True).click()
    expect(page.locator(".ra-input-domain")).to_contain_text("without http:// or https://")

    page.get_by_label("Domain").fill(domain)
    page.get_by_role("button", name="Onboard", exact=True).click()
    expect(page).to_have_url(re.compile(f"/staff/organisations/{slug}/progress$"), timeout=60_000)
    expect(page.locator('[data-step="schema"]')).to_have_attribute("data-done", "yes")
    expect(page.get_by_text("The portal is ready.")).to_be_visible(timeout=30_000)
    expect(page.locator('[data-step="invitation"]')).to_contain_text("sent")
    console.axe()
    console.shot("operators-onboarding-progress")

    [invitation] = smtp.wait_for(admin)
    assert f"http://{domain}:{console.server.port}/" in invitation.text
    portal, response = _portal(console, domain)
    assert response.status == 200
    expect(portal.locator("body")).to_contain_text(f"Warmte {slug}")

    # The list finds it by its domain; the status filter narrows the list.
    console.go("organisations")
    expect(page.locator("tbody tr")).not_to_have_count(1)
    page.get_by_role("button", name="Created").click()  # ordering by a column the API orders by
    expect(page).to_have_url(re.compile("sort=created_at"))
    page.get_by_label("Search name, slug or domain").fill(domain)
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_role("cell", name=slug, exact=True)).to_be_visible()
    console.axe()
    console.shot("operators-list")


def test_suspend_and_reactivate_with_a_reason(staff_console, operated):
    console = _operator(staff_console)
    page = console.page
    console.go(f"organisations/{operated.slug}/show")
    page.get_by_role("button", name="Suspend").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Suspend").click()
    expect(dialog.locator(".ra-input-reason")).to_contain_text("Required")
    dialog.get_by_label("Reason").fill("Contract ended")
    console.axe()
    console.shot("operators-suspend-dialog")
    dialog.get_by_role("button", name="Suspend").click()
    expect(page.get_by_role("alert").filter(has_text="Contract ended")).to_be_visible()

    portal, response = _portal(console, f"portal.{operated.slug}.test")
    assert response.status == 403
    expect(portal.locator("body")).to_contain_text("suspended")

    page.get_by_role("button", name="Reactivate").click()
    page.get_by_role("dialog").get_by_label("Reason").fill("New contract signed")
    page.get_by_role("dialog").get_by_role("button", name="Reactivate").click()
    expect(page.get_by_role("row").filter(has_text="New contract signed")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Contract ended")).to_contain_text(OPERATOR_EMAIL)
    console.shot("operators-organisation")
    console.axe()
    assert portal.goto(console.server.url(f"portal.{operated.slug}.test", "/")).status == 200


def test_domains_invalid_name_make_primary_and_remove(staff_console, operated):
    from tenants.models import Domain

    console = _operator(staff_console)
    page = console.page
    old, new = f"portal.{operated.slug}.test", f"www.{operated.slug}.test"
    console.go(f"organisations/{operated.slug}/show")
    domain_input = page.locator(".ra-input-domain").last
    domain_input.get_by_label("Domain").fill("bad domain.test")
    page.get_by_role("button", name="Add domain").click()
    expect(domain_input).to_contain_text("A domain name cannot contain spaces.")
    console.shot("operators-domain-error")

    domain_input.get_by_label("Domain").fill(new)
    page.get_by_role("button", name="Add domain").click()
    row = page.locator(f'tr[data-domain="{new}"]')
    expect(row).to_be_visible()
    row.get_by_role("button", name=f"Make primary: {new}").click()
    expect(row).to_contain_text("Primary")
    with console.db("public"):
        assert Domain.objects.get(domain=new).is_primary
    page.locator(f'tr[data-domain="{old}"]').get_by_role("button", name=f"Remove: {old}").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(f'tr[data-domain="{old}"]')).to_have_count(0)
    _portal_page, response = _portal(console, new)
    assert response.status == 200

    # The organisation's settings: a time zone the API does not know is refused beside the field.
    page.get_by_label("Time zone").fill("Mars/Base")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".ra-input-time_zone")).to_contain_text("is not a known time zone")
    page.get_by_label("Time zone").fill("Europe/Amsterdam")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Europe/Amsterdam", exact=True)).to_be_visible()
    _gone, response = _portal(console, old)
    assert response.status == 404


def test_feature_switch_off_hides_help_requests_from_residents(staff_console, operated):
    from tenants.models import Domain

    console = _operator(staff_console, width=375)
    page = console.page
    with console.db("public"):
        host = Domain.objects.get(tenant_id=operated.pk, is_primary=True).domain
    portal, response = _portal(console, host, "/help/")
    assert response.status == 200
    expect(portal.get_by_label("Your message")).to_be_visible()

    console.go(f"organisations/{operated.slug}/show")
    switch = page.get_by_role("checkbox", name="Help and contact requests")
    expect(switch).to_be_checked()
    switch.click()
    expect(page.get_by_text("Feature switched: Help and contact requests")).to_be_visible()
    expect(switch).not_to_be_checked()
    console.shot("operators-organisation-375")

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    portal.reload()
    expect(portal.get_by_label("Your message")).to_have_count(0)


def test_an_organisation_admin_is_refused_on_the_platform_console(staff_console, console_org):
    console = staff_console(host=PLATFORM)
    console.log_in(console_org.admin_email, console_org.password, expect_success=False)
    expect(console.page.get_by_text("This console is for platform operators").first).to_be_visible()
    answer = console.api("/api/platform/organisations/")
    assert answer["status"] in (401, 403)
