"""Staff console, screen 6: meters with their readings and completeness, and the import runs with the
rows they refused, through Chromium, checked against the data the API holds.

Screenshots in test-artifacts/screenshots/staff/.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.support.console import database

pytestmark = pytest.mark.browser

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture(scope="module")
def consumption_world(console_org, django_db_blocker):
    """A meter with a complete day, a partial day and a register reading; an import that refused rows."""
    from consumption.ingestion import ingest
    from integration.importing import run_import
    from tests.support.billing_data import billing_customer
    from tests.support.consumption_data import add_meters, day_rows

    schema, organisation = console_org.schema_name, console_org.organisation
    with database(django_db_blocker, "public"):
        data = billing_customer(schema)
        meters = add_meters(data, schema)
    today = date.today()
    with database(django_db_blocker, schema):
        rows = day_rows(meters["heat1"], today - timedelta(days=3))
        rows += day_rows(meters["heat1"], today - timedelta(days=2), skip=10)
        moment = datetime.combine(today - timedelta(days=3), time(12), BRUSSELS)
        rows.append(
            {"meter": meters["heat1"], "timestamp": moment.isoformat(), "kind": "register", "value": "4321.5"}
        )
        assert ingest(rows=rows, organisation=organisation).accepted == len(rows)
        refused = run_import(
            payload={
                "customers": [
                    {"external_id": "broken-customer-1"},
                    {"external_id": "broken-customer-2", "customer_number": "X-2"},
                ]
            },
            actor_email="billing-system@example.test",
        )
        assert refused["error_count"] == 2
    return {"number": f"H1-{data['ext']}", "run": refused["run"]}


def test_a_meter_with_its_readings_and_completeness(console_org, consumption_world, staff_console):
    console = staff_console()
    console.go("login")  # the module's first page load starts the server's workers
    expect(console.page.get_by_label("Email address")).to_be_visible(timeout=30_000)
    console.log_in(console_org.admin_email)
    page = console.page
    console.go("consumption/meters")
    page.get_by_role("textbox", name="Search").fill(consumption_world["number"])
    row = page.get_by_role("row", name=re.compile(consumption_world["number"]))
    expect(row).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(2)  # the header and the one meter found
    console.shot("consumption-meter-list")
    console.axe()

    row.click()
    completeness = page.get_by_test_id("completeness")
    expect(completeness).to_contain_text("2 of 3 days without complete actual data")
    expect(
        page.get_by_role("table", name="Register readings").get_by_role("cell", name=re.compile(r"^4321\.5"))
    ).to_be_visible()
    intervals = page.get_by_role("table", name="Interval readings")
    expect(intervals.get_by_role("row")).to_have_count(26)  # a page of 25 and the header
    expect(page.get_by_text(re.compile(r"Page 1 of 8 \(182\)"))).to_be_visible()  # 96 + 86 intervals
    page.get_by_role("button", name="Next").last.click()
    expect(page.get_by_text(re.compile(r"Page 2 of 8 \(182\)"))).to_be_visible()
    console.shot("consumption-meter-show")
    console.axe()

    # Keyboard only: the period's fields are reachable and labelled; a shorter period is counted anew.
    start, end = page.get_by_label("From", exact=True), page.get_by_label("To", exact=True)
    start.focus()
    expect(start).to_be_focused()
    reached = []
    for _step in range(6):  # a date field's day, month and year may be tab stops of their own
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id"))
        if reached[-1] == "period-end":
            break
    assert reached[-1] == "period-end", reached
    start.fill((date.today() - timedelta(days=3)).isoformat())
    end.fill((date.today() - timedelta(days=3)).isoformat())
    expect(completeness).to_contain_text("Complete:")


def test_an_import_run_shows_the_rows_it_refused(console_org, consumption_world, staff_console):
    console = staff_console(email=console_org.admin_email)
    page = console.page
    console.go("integration/import-runs")
    page.get_by_label("Result").click()
    page.get_by_role("option", name="With refused rows", exact=True).click()
    row = page.get_by_role("row", name=re.compile("billing-system@example.test"))
    expect(row).to_be_visible()
    console.shot("consumption-import-runs")
    console.axe()
    row.click()
    errors = page.get_by_role("table", name="Refused rows")
    expect(errors.get_by_role("row")).to_have_count(3)
    first = errors.get_by_role("row", name=re.compile("broken-customer-1"))
    expect(first).to_contain_text("Customers")
    expect(first).to_contain_text("customer_number")
    expect(
        page.get_by_role("table", name="What the import did").get_by_role(
            "row", name=re.compile("^Customers")
        )
    ).to_be_visible()
    console.shot("consumption-import-run-show")
    console.axe()


def test_support_members_see_meters_but_no_import_runs(console_org, consumption_world, staff_console):
    console = staff_console(email=console_org.support_email)
    page = console.page
    expect(page.get_by_role("menuitem", name="Meters")).to_be_visible()
    expect(page.get_by_role("menuitem", name="Import runs")).to_have_count(0)
    assert console.api("/api/admin/integration/import-runs/")["status"] == 403
    assert console.api(f"/api/admin/integration/import-runs/{consumption_world['run']}/")["status"] == 403


def test_the_meters_are_usable_on_a_phone(console_org, consumption_world, staff_console):
    console = staff_console(email=console_org.admin_email, width=375)
    console.go("consumption/meters")
    link = console.page.get_by_role("link", name=re.compile(f"^{consumption_world['number']} Heating"))
    expect(link).to_be_visible()
    console.shot("consumption-meter-list-phone")
    console.axe()
