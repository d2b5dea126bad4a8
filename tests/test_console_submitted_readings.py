"""Staff console, consumption: the meter readings residents submitted, through Chromium.

The queue opens on the pending readings with their photos (fetched with the staff session); one is
accepted (stored as an actual register reading) and leaves the queue; another is rejected: without
a reason the API's error shows beside the field, with one it is rejected and the resident emailed;
a reading decided meanwhile by someone else answers 409 and the page says so. At 375 px the queue
fits the phone; axe-clean. Screenshots in test-artifacts/screenshots/staff/.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.support.console import database

pytestmark = pytest.mark.browser

API = "/api/admin/consumption/submitted-readings/"


@pytest.fixture(scope="module")
def readings_world(console_org, django_db_blocker):
    """Three pending readings of one customer, one per meter: two with a photo, one without."""
    from consumption.models import Meter
    from consumption.submitted_readings import Entry, submit
    from customers.models import Customer
    from tests.support.billing_data import billing_customer
    from tests.support.consumption_data import add_meters
    from tests.support.moves import jpeg

    schema = console_org.schema_name
    with database(django_db_blocker, "public"):
        data = billing_customer(schema)
        meters = add_meters(data, schema)
    with database(django_db_blocker, schema):
        customer = Customer.objects.get(customer_number=data["number"])
        made = {}
        for name, value, photo in (
            ("heat1", "1234.5", True),
            ("heat2", "2000", False),
            ("cool2", "310", True),
        ):
            meter = Meter.objects.get(external_id=meters[name])
            entry = Entry(
                meter_id=meter.pk,
                value=Decimal(value),
                read_on=date.today() - timedelta(days=1),
                photo=jpeg(size=(320, 240)) if photo else None,
            )
            reading = submit(customer=customer, user=None, organisation=console_org.organisation, entry=entry)
            made[name] = {"id": reading.pk, "reference": reading.reference, "meter": meter.number}
    return made


def assert_fits(page) -> None:
    wider = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
            .map((element) => `${element.tagName}.${element.className}`.slice(0, 100))"""
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), wider[-8:]


def row_of(page, reading: dict):
    return page.get_by_role("row", name=re.compile(re.escape(reading["reference"])))


def reject_without_then_with_a_reason(console, reading: dict) -> None:
    """Reject from the queue: the reason field has the focus; without a reason the API's error shows
    beside it; with one the reading leaves the queue."""
    page = console.page
    page.get_by_role("button", name=f"Reject {reading['reference']}").click()
    dialog = page.get_by_role("dialog")
    reason = dialog.get_by_label("Reason")
    expect(reason).to_be_focused()
    dialog.get_by_role("button", name="Reject", exact=True).click()
    expect(dialog).to_contain_text("Say why the reading is rejected")
    console.shot("submitted-readings-reject-reason-missing")
    console.axe()
    reason.fill("The photo shows 1999; please send a new reading.")
    dialog.get_by_role("button", name="Reject", exact=True).click()
    expect(page.get_by_text(f"Reading {reading['reference']} is rejected")).to_be_visible()
    expect(row_of(page, reading)).to_have_count(0)


def test_the_queue_fits_a_phone(console_org, readings_world, staff_console):
    console = staff_console(email=console_org.admin_email, width=375)
    console.go("consumption/submitted-readings")
    page = console.page
    for reading in readings_world.values():
        expect(page.get_by_text(re.compile(re.escape(reading["reference"])))).to_be_visible()
    assert_fits(page)
    console.shot("submitted-readings-375")
    console.axe()


def test_accept_one_reading_and_reject_another(console_org, readings_world, staff_console):
    console = staff_console(email=console_org.admin_email)
    page = console.page
    console.go("consumption/submitted-readings")
    heat1, heat2, cool2 = readings_world["heat1"], readings_world["heat2"], readings_world["cool2"]
    for reading in (heat1, heat2, cool2):
        expect(row_of(page, reading)).to_be_visible()
    first = row_of(page, heat1)
    expect(first).to_contain_text("1234.5")
    expect(first).to_contain_text("Pending")
    expect(row_of(page, heat2)).to_contain_text("No photo")
    # The thumbnail is the photo itself, loaded with the staff session.
    thumbnail = first.locator("img")
    expect(thumbnail).to_be_visible()
    page.wait_for_function(
        "(image) => image.complete && image.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    console.shot("submitted-readings-queue")
    console.axe()

    page.get_by_role("button", name=f"Accept {heat1['reference']}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("1234.5")
    console.axe()
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text(f"Reading {heat1['reference']} is accepted and stored.")).to_be_visible()
    expect(row_of(page, heat1)).to_have_count(0)  # the queue shows pending readings only
    expect(row_of(page, heat2)).to_be_visible()

    reject_without_then_with_a_reason(console, heat2)
    expect(row_of(page, cool2)).to_be_visible()

    with console.db():
        from consumption.models import RegisterReading, SubmittedReading

        accepted = SubmittedReading.objects.get(pk=heat1["id"])
        rejected = SubmittedReading.objects.get(pk=heat2["id"])
        assert accepted.status == "accepted"
        assert RegisterReading.objects.filter(meter_id=accepted.meter_id, value=Decimal("1234.5")).exists()
        assert (rejected.status, rejected.reason) == (
            "rejected",
            "The photo shows 1999; please send a new reading.",
        )

    # Every status: the decided readings are listed with theirs.
    page.get_by_role("combobox", name=re.compile("^Status")).click()
    page.get_by_role("option", name="Accepted").click()
    expect(row_of(page, heat1)).to_contain_text("Accepted")
    expect(row_of(page, heat2)).to_have_count(0)
    console.shot("submitted-readings-accepted")


def test_a_reading_with_its_photo_and_one_decided_meanwhile(console_org, readings_world, staff_console):
    console = staff_console(email=console_org.admin_email)
    page = console.page
    cool2 = readings_world["cool2"]
    console.go(f"consumption/submitted-readings/{cool2['id']}/show")
    expect(page.get_by_text(cool2["reference"]).first).to_be_visible()
    photo = page.get_by_role("img", name=f"Photo of reading {cool2['reference']} (meter {cool2['meter']})")
    expect(photo).to_be_visible()
    page.wait_for_function(
        "(image) => image.complete && image.naturalWidth === 320", arg=photo.element_handle()
    )
    expect(page.get_by_role("link", name="Open the photo in full size")).to_have_attribute(
        "href", f"{API}{cool2['id']}/photo/"
    )
    console.shot("submitted-reading-show")
    console.axe()

    # Someone else accepts it while this page is open.
    assert console.api(f"{API}{cool2['id']}/accept/", "POST", {})["status"] == 200
    page.get_by_role("button", name=f"Accept {cool2['reference']}").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("This reading was already accepted or rejected")).to_be_visible()
    expect(page.get_by_role("button", name=f"Accept {cool2['reference']}")).to_have_count(0)
    expect(page.get_by_text("Accepted", exact=True)).to_be_visible()
    console.shot("submitted-reading-already-decided")


def test_support_members_read_the_queue_without_deciding(console_org, readings_world, staff_console):
    console = staff_console(email=console_org.support_email)
    console.go("consumption/submitted-readings")
    page = console.page
    page.get_by_role("combobox", name=re.compile("^Status")).click()
    page.get_by_role("listbox").get_by_text("All", exact=True).click()
    expect(row_of(page, readings_world["cool2"])).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^(Accept|Reject) "))).to_have_count(0)
    link = page.get_by_role("link", name=readings_world["cool2"]["reference"], exact=True)
    link.focus()
    page.keyboard.press("Enter")  # the reading's page, by keyboard
    expect(page).to_have_url(re.compile(rf"/submitted-readings/{readings_world['cool2']['id']}/show$"))
    expect(page.get_by_role("img", name=re.compile("^Photo of reading"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^(Accept|Reject) "))).to_have_count(0)
