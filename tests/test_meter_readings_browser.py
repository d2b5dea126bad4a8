"""Submitting a meter reading in a real browser (issue 19): at phone width (375 px) a resident opens
the page from the consumption page, a value below the last reading is refused next to the field,
the right one is sent with a photo and listed; no sideways scrolling, no axe-core (WCAG 2.1 A/AA)
violation, no Content-Security-Policy violation. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.support.consumption_data import BRUSSELS, add_meters, ingest_rows
from tests.support.resident_browser import ResidentBrowser, resident_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def reader(django_db_setup, django_db_blocker):
    """An organisation of its own (the server is another process: committed data), a resident and
    their meters, the heat meter with one reading 30 days ago."""
    with resident_site(django_db_blocker, slug="rd", name="Warmte Lezen") as site:
        with django_db_blocker.unblock():
            meters = add_meters(site.billing, site.schema)
            moment = datetime.combine(date.today() - timedelta(days=30), time(12), BRUSSELS).isoformat()
            ingest_rows(
                [{"meter": meters["heat1"], "timestamp": moment, "kind": "register", "value": "1000"}],
                site.schema,
            )
        yield site


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "meter.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _submit(tab: ResidentBrowser, tmp_path: Path) -> None:
    page = tab.page
    page.get_by_role("link", name="Submit a meter reading").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit a meter reading")
    meter = page.locator("#id_meter_id option", has_text=f"H1-{tab.site.billing['ext']}").get_attribute(
        "value"
    )
    page.get_by_label("Meter", exact=True).select_option(meter)
    page.get_by_label("Reading", exact=True).fill("990")
    page.get_by_role("button", name="Submit my reading").click()
    expect(page.locator("#id_value_error")).to_contain_text("below the last known reading")
    tab.check("meter-reading-refused-375")
    page.get_by_label("Reading", exact=True).fill("1012.5")
    page.get_by_label("Photo of the meter").set_input_files(str(_photo(tmp_path)))
    page.get_by_role("button", name="Submit my reading").click()
    expect(page.get_by_text(re.compile(r"We received your reading \(MR-\d{6}\)"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("1012.5")
    tab.check("meter-reading-submitted-375")


def test_submit_a_meter_reading_at_phone_width(reader, portal_server, chromium_browser, tmp_path):
    tab = ResidentBrowser(chromium_browser, portal_server, reader, width=375)
    tab.log_in()
    tab.go("/consumption/")
    _submit(tab, tmp_path)
    assert tab.csp_violations == []
    tab.close()
