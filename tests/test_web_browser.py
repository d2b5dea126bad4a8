"""The resident portal in a real headless Chromium, against gunicorn, PostgreSQL, Redis, Celery and SMTP.

A dedicated organisation ("oost", dropped afterwards) carries its own colours and page messages;
the session's "zuid" organisation is the other tenant that must never show them. Screenshots of
every main page land in ``test-artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.db import connection, connections
from django_tenants.utils import schema_context
from PIL import Image
from playwright.sync_api import expect, sync_playwright

from tests.support.billing_data import billing_customer
from tests.support.consumption_data import add_meters, day_rows, ingest_rows, quarter_hours
from tests.support.factories import import_address_with_meter
from tests.support.live import PortalServer

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PASSWORD = "browser-portal-pass-7"
OOST_COLOUR = "#8a1538"
OOST_MESSAGE = "Oost maintenance notice"
# Staff's inline text colour: 4.44:1 on the warning background, below WCAG AA's 4.5:1.
OOST_INLINE_COLOUR = "#9e6500"
OOST_MESSAGE_HTML = (
    f"<p><strong>{OOST_MESSAGE}</strong> "
    f'<span style="color: {OOST_INLINE_COLOUR}">Hot water may stop for an hour.</span></p>'
)


@contextlib.contextmanager
def database(blocker, schema: str):
    """ORM work from a browser test: Playwright's greenlets give Django a connection per context,
    so each block closes what it opened instead of leaving it for the end of the session."""
    with blocker.unblock(), schema_context(schema):
        try:
            yield
        finally:
            connection.set_schema_to_public()
            connections.close_all()


def _drop(organisation) -> None:
    from tenants import provisioning

    provisioning.drop_schema(organisation.schema_name)
    organisation.domains.all().delete()
    organisation.delete()


@pytest.fixture(scope="module")
def oost(django_db_setup, django_db_blocker):
    """An organisation of its own, branded, with a page message and advance changes allowed."""
    from configuration.models import PageMessage, PortalPreferences
    from operators.onboarding import onboard_organisation

    slug = f"oost{uuid.uuid4().hex[:6]}"
    with django_db_blocker.unblock():
        result = onboard_organisation(
            name="Warmte Oost",
            slug=slug,
            domain=f"portal.{slug}.test",
            admin_email=f"admin@{slug}.test",
            default_language="en",
            features={"cost_visualisation": True, "move_in": True, "move_out": True, "help_requests": True},
        )
        connections.close_all()
    organisation = result.organisation
    with database(django_db_blocker, organisation.schema_name):
        from memberships.services.staff import accept_staff_invitation

        accept_staff_invitation(raw_token=result.invitation.raw_token, password=PASSWORD)
        preferences = PortalPreferences.objects.current()
        preferences.use_organisation_colours = False
        preferences.primary_colour = OOST_COLOUR
        preferences.secondary_colour = "#f3e6ea"
        preferences.advance_changes_allowed = True
        preferences.advance_min_percentage = Decimal("80")
        preferences.advance_max_percentage = Decimal("150")
        preferences.cost_visualisation = True
        preferences.support_email = f"help@{slug}.test"
        preferences.save()
        # Priced: the organisation's default heating tariff, so the costs box has figures.
        from integration.importing import run_import

        priced = run_import(
            payload={
                "tariffs": [
                    {
                        "external_id": f"{slug}-heating",
                        "service": "heating",
                        "unit_price": "0.10",
                        "fixed_monthly": "10.00",
                        "vat_rate": "6",
                        "valid_from": "2020-01-01",
                    }
                ]
            }
        )
        assert priced["error_count"] == 0, priced
        for page in ("home", "overview"):
            PageMessage.objects.create(
                page=page,
                kind=PageMessage.Kind.WARNING,
                bodies={"en": OOST_MESSAGE_HTML},
            )
    organisation.host = f"portal.{slug}.test"
    yield organisation
    with django_db_blocker.unblock():
        _drop(organisation)
        connections.close_all()


@pytest.fixture(scope="module")
def server(oost, django_db_blocker):
    portal = PortalServer()
    portal.start()
    yield portal
    portal.stop()


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an event loop running in this thread; Django's ORM calls made by
    # the test between browser steps are still plain synchronous calls (Playwright's documented setup).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP *.test 127.0.0.1"],
        )
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class Visit:
    """A browser context on one server, with the checks every page gets."""

    def __init__(self, browser, server, host: str) -> None:
        self.server, self.host = server, host
        self.context = browser.new_context(
            locale="en-GB", accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.csp_violations: list[str] = []
        self.page.on(
            "console",
            lambda message: (
                self.csp_violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )

    def go(self, path: str, host: str | None = None):
        response = self.page.goto(self.server.url(host or self.host, path))
        assert response is not None
        assert response.status < 500, self.server.output()
        return response

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def log_in(self, email: str, password: str = PASSWORD) -> None:
        self.go("/login/")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.locator("main").get_by_role("button", name="Log in").click()
        expect(self.page).to_have_url(re.compile(r"/overview/$"))


@pytest.fixture
def visit(browser, server, oost):
    opened = []

    def make(host: str | None = None) -> Visit:
        created = Visit(browser, server, host or oost.host)
        opened.append(created)
        return created

    yield make
    for created in opened:
        assert created.csp_violations == [], created.csp_violations
        created.context.close()


@pytest.fixture
def resident(oost, django_db_blocker):
    """A confirmed resident with contracts, invoices, meters and a month of readings."""
    from credentials.models import OneTimeToken
    from credentials.services import issue_one_time_token
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident

    with database(django_db_blocker, "public"):
        data = billing_customer(
            oost.schema_name, invoices=3, email=f"resident-{uuid.uuid4().hex[:6]}@example.test"
        )
        meters = add_meters(data, oost.schema_name)
        first = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)  # the previous month
        rows = [
            row
            for offset in range(10)
            for row in day_rows(meters["heat1"], first + timedelta(days=offset), "0.30")
        ]
        # The month before that is complete at both heated addresses, so it can be priced.
        complete = (first - timedelta(days=1)).replace(day=1)
        rows += [
            row
            for day in _days_of(complete)
            for meter in (meters["heat1"], meters["heat2"])
            for row in day_rows(meter, day, "0.30")
        ]
        ingest_rows(rows, oost.schema_name)
    with database(django_db_blocker, oost.schema_name):
        register_resident(
            organisation=oost,
            customer_number=data["number"],
            email=data["email"],
            password=PASSWORD,
            language="en",
        )
        account = PortalAccount.objects.get(customer__customer_number=data["number"])
        issued = issue_one_time_token(
            purpose=OneTimeToken.Purpose.CONFIRMATION,
            subject=f"portal_account:{account.pk}",
            email=data["email"],
        )
        confirm_registration(raw_token=issued.raw)
    return {**data, "meters": meters, "month": first, "complete_month": complete}


def _days_of(first: date) -> list[date]:
    days, day = [], first
    while day.month == first.month:
        days.append(day)
        day += timedelta(days=1)
    return days


def http(server, host: str, method: str, path: str, data: dict | None = None, token: str | None = None):
    """A plain HTTP call to the live server for the given portal domain (API calls outside the browser)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{path}",
        method=method,
        data=json.dumps(data).encode() if data is not None else None,
        headers={
            "Host": f"{host}:{server.port}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            **({"Authorization": f"Token {token}"} if token else {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body = response.read()
            return response.status, (
                json.loads(body) if body and "json" in response.headers.get("Content-Type", "") else body
            )
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _link(caught, path: str) -> str:
    match = re.search(rf"(http://\S+{re.escape(path)}\S+)", caught.text)
    assert match, caught.text
    return match.group(1)


def test_register_confirm_by_email_log_in_and_see_the_overview(
    visit, oost, smtp, celery_worker, django_db_blocker
):
    from customers.models import Customer

    email = f"newcomer-{uuid.uuid4().hex[:6]}@example.test"
    number = f"R-{uuid.uuid4().hex[:6]}"
    with database(django_db_blocker, oost.schema_name):
        Customer.objects.create(
            customer_number=number, first_name="Nora", last_name="Nieuw", email=email, language="en"
        )

    browser = visit()
    browser.go("/")
    expect(browser.page.get_by_role("heading", level=1)).to_have_text("How can we help?")
    expect(browser.page.locator(".page-message.warning")).to_contain_text(OOST_MESSAGE)
    browser.shot("home")
    browser.page.get_by_role("link", name="Register with your customer number").first.click()
    browser.page.get_by_label("Customer number").fill(number)
    browser.page.get_by_label("Email address on your customer record").fill(email)
    browser.page.get_by_label("Choose a password").fill("short")
    browser.page.locator("main").get_by_role("button", name="Register").click()
    # The password rules answer next to the field, and nothing was registered.
    expect(browser.page.locator(".has-error .errors")).to_contain_text("too short")
    browser.shot("register-error")
    browser.page.get_by_label("Choose a password").fill(PASSWORD)
    browser.page.locator("main").get_by_role("button", name="Register").click()
    expect(browser.page.get_by_role("heading", level=1)).to_have_text("Check your email")

    [caught] = smtp.wait_for(email)
    confirm_url = _link(caught, "/confirm/")
    assert f":{browser.server.port}/confirm/" in confirm_url
    browser.page.goto(confirm_url)
    browser.page.get_by_role("button", name="Confirm my email address").click()
    expect(browser.page.get_by_role("heading", level=1)).to_have_text("Email address confirmed")
    # The link is single-use.
    browser.page.goto(confirm_url)
    browser.page.get_by_role("button", name="Confirm my email address").click()
    expect(browser.page.get_by_role("heading", level=1)).to_have_text("Confirmation failed")

    browser.log_in(email)
    expect(browser.page.get_by_role("heading", level=1)).to_have_text("Welcome, Nora Nieuw")
    expect(browser.page.locator("#outstanding-title")).to_be_visible()
    # The contact details are in the footer, once.
    expect(browser.page.get_by_text(f"help@{oost.slug}.test")).to_have_count(1)
    expect(browser.page.locator(".site-footer")).to_contain_text(f"help@{oost.slug}.test")
    browser.shot("overview")


def test_consumption_chart_shows_the_readings_and_the_gaps(visit, resident):
    browser = visit()
    browser.log_in(resident["email"])
    month = resident["month"]
    browser.go(f"/consumption/?service=heating&year={month.year}")
    bars = browser.page.locator("svg.chart rect.bar.current")
    expect(bars.first).to_be_attached()
    assert bars.count() >= 1
    # Ten days of 96 quarter-hours at 0.30 kWh at one of the two heated addresses.
    browser.go(f"/consumption/?service=heating&year={month.year}&month={month.month}")
    day_bars = browser.page.locator("svg.chart rect.bar.current")
    assert day_bars.count() == 10
    expect(day_bars.first.locator("title")).to_contain_text("28.8 kWh")
    gaps = browser.page.locator("svg.chart g.gap")
    assert gaps.count() >= 1  # the days without readings are drawn as gaps, not as zero
    browser.page.get_by_text("Show the figures as a table").click()
    expect(browser.page.locator("details.data-table table tbody tr").first).to_contain_text("28.800")
    browser.shot("consumption-month")
    browser.go(f"/consumption/?service=heating&year={month.year}&month={month.month}&compare=1")
    # The period compared with is named (by default the same month a year earlier).
    before = date(month.year - 1, month.month, 1)
    expect(browser.page.locator("svg.chart .legend.other")).to_have_text(f"■ {before:%B %Y}")
    # A month with days missing gets no percentage but says how many days are missing.
    expect(browser.page.locator(".totals .incomplete").first).to_contain_text("days missing)")
    browser.shot("consumption-compare")
    browser.go(f"/consumption/?service=heating&year={month.year}")
    browser.shot("consumption-year")

    # The organisation prices heating: the complete month has its cost, VAT included.
    complete = resident["complete_month"]
    quarters = sum(len(list(quarter_hours(day))) for day in _days_of(complete))
    used = Decimal(quarters) * Decimal("0.30") * 2  # two heated addresses, one contract
    cost = ((used * Decimal("0.10") + Decimal("10.00")) * Decimal("1.06")).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    browser.go(f"/consumption/?service=heating&year={complete.year}")
    costs = browser.page.locator("section[aria-labelledby=costs-heading]")
    expect(costs).not_to_contain_text("We cannot calculate costs")
    label = complete.strftime("%B %Y")
    row = costs.locator("tbody tr", has=browser.page.get_by_role("rowheader", name=label, exact=True))
    expect(row.locator("td").first).to_have_text(f"€ {cost:,.2f}")
    # The value axis names its unit; bar tooltips read as dates, not as raw periods.
    expect(browser.page.locator("svg.chart text.axis.unit")).to_have_text("kWh")
    expect(browser.page.locator("svg.chart rect.bar.current title").first).to_contain_text(
        re.compile(r"^[A-Z][a-z]+ \d{4}: ")
    )
    browser.shot("consumption-costs")


def test_invoice_pdf_downloads(visit, resident):
    browser = visit()
    browser.log_in(resident["email"])
    browser.go("/invoices/")
    expect(browser.page.get_by_role("heading", level=1)).to_have_text("Invoices")
    expect(browser.page.locator("table.invoices caption").first).to_have_text("Outstanding")
    expect(
        browser.page.get_by_text("We will refund this amount to your bank account on 07/03/2031")
    ).to_be_visible()
    browser.shot("invoices")
    link = browser.page.locator("a.pdf-link").first
    with browser.page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    first_invoice = f"{resident['ext']}-F0000"
    for path, heading, row_name, figures in (
        # Invoice 0: nothing before it, 100.00 charged, a balance of 100.00.
        ("/statements/", "Statements", first_invoice, ["€ 0.00", "€ 100.00"]),
        ("/charges/", "Charges", first_invoice, ["120.500 kWh", "0.13200", "€ 94.34"]),
        ("/transactions/", "Payments and transactions", "10/01/2025", ["Direct debit", "€ 100.00"]),
    ):
        browser.go(path)
        expect(browser.page.get_by_role("heading", level=1)).to_have_text(heading)
        row = browser.page.locator("tbody tr", has_text=row_name).first
        for figure in figures:
            expect(row).to_contain_text(figure)
        browser.shot(path.strip("/"))


def test_advance_control_refuses_an_amount_out_of_range(visit, resident, oost, django_db_blocker):
    from contracts.models import AdvancePaymentPlan

    browser = visit()
    browser.log_in(resident["email"])
    browser.go("/my-details/")
    amount = browser.page.get_by_label("Monthly advance (EUR)")
    expect(amount).to_have_attribute("min", "80.00")
    expect(amount).to_have_attribute("max", "150.00")
    amount.fill("400")
    browser.page.get_by_role("button", name="Change my advance").click()
    # The browser refuses at once...
    assert amount.evaluate("input => input.validity.rangeOverflow") is True
    # ...and the server refuses too, when a client skips the browser's check.
    amount.evaluate("input => { input.removeAttribute('max'); input.form.noValidate = true; }")
    browser.page.get_by_role("button", name="Change my advance").click()
    expect(browser.page.locator(".advance .errors")).to_contain_text(
        "Choose an amount between 80.00 and 150.00 EUR."
    )
    browser.shot("my-details-advance-refused")
    with database(django_db_blocker, oost.schema_name):
        plan = AdvancePaymentPlan.objects.get(contract__number=f"K-{resident['number'][2:]}-1")
        assert plan.current_amount == Decimal("100.00")
    browser.page.get_by_label("Monthly advance (EUR)").fill("120")
    browser.page.get_by_role("button", name="Change my advance").click()
    expect(browser.page.locator(".flash")).to_contain_text("Your advance payment was changed.")
    with database(django_db_blocker, oost.schema_name):
        plan.refresh_from_db()
        assert plan.current_amount == Decimal("120.00")
    browser.shot("my-details")


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_move_in_wizard_completes_all_seven_steps(visit, oost, smtp, celery_worker, django_db_blocker):
    from moves.models import MoveInRequest

    with database(django_db_blocker, oost.schema_name):
        street = import_address_with_meter("Zonnelaan", "MI-1")
    email = f"mover-{uuid.uuid4().hex[:6]}@example.test"

    browser = visit()
    page = browser.page
    browser.go("/")
    page.get_by_role("link", name="I'm moving in").click()
    page.get_by_role("button", name="Start").click()
    page.get_by_label("Search your new address").fill(street)
    page.get_by_role("button", name="Search").click()
    page.get_by_label(re.compile(street)).check()
    browser.shot("move-in-1")
    page.get_by_role("button", name="Next").click()
    # Step 2 refuses a date too far ahead, then takes today.
    page.get_by_label("Date you get the keys").fill((date.today() + timedelta(days=400)).isoformat())
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#move_in_date-errors")).to_contain_text("too far ahead")
    page.get_by_label("Date you get the keys").fill(date.today().isoformat())
    page.get_by_role("button", name="Next").click()
    page.get_by_label("First name").fill("Mo")
    page.get_by_label("Last name").fill("Ver")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Next").click()
    page.get_by_label(re.compile("Reading on the day you move in")).fill("1234.5")
    page.get_by_label("Photo of the meter (optional)").set_input_files(
        {"name": "meter.png", "mimeType": "image/png", "buffer": _png()}
    )
    browser.shot("move-in-5")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Bank transfer").check()
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".review")).to_contain_text(street)
    page.get_by_role("button", name="Submit my move-in").click()
    # Consent is required before submitting.
    expect(page.locator("#terms-errors")).to_contain_text("Accept the terms")
    page.get_by_label("I accept the terms and conditions.").check()
    page.get_by_label("I have read the privacy statement.").check()
    browser.shot("move-in-7")
    page.get_by_role("button", name="Submit my move-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: we received your move-in")
    browser.shot("move-in-done")

    with database(django_db_blocker, oost.schema_name):
        request = MoveInRequest.objects.get(email=email)
        assert request.status == "submitted"
        assert request.steps["5"]["readings"][0]["value"] == "1234.500"
        assert request.photos.count() == 1
    # Step 4 sent a link to finish later; submitting sends the confirmation with the reference.
    assert any("MI-" in caught.text for caught in smtp.wait_for(email, count=2))


def test_language_switches_to_dutch_and_stays(visit, resident, oost, django_db_blocker):
    from memberships.models import PortalAccount

    browser = visit()
    browser.go("/")
    browser.page.get_by_role("group", name="Language").get_by_role("button", name="NL Nederlands").click()
    expect(browser.page.locator("html")).to_have_attribute("lang", "nl")
    expect(browser.page.get_by_role("heading", level=1)).to_have_text("Hoe kunnen we u helpen?")
    browser.shot("home-nl")
    # The visitor's choice carries to the login page; after login the account's language rules,
    # and a change made while logged in is stored on the account.
    browser.go("/login/")
    browser.page.get_by_label("E-mailadres").fill(resident["email"])
    browser.page.get_by_label("Wachtwoord").fill(PASSWORD)
    browser.page.locator("main").get_by_role("button", name="Aanmelden").click()
    expect(browser.page.locator("html")).to_have_attribute("lang", "en")
    browser.page.get_by_role("group", name="Language").get_by_role("button", name="NL Nederlands").click()
    expect(browser.page.locator("html")).to_have_attribute("lang", "nl")
    expect(browser.page.get_by_role("link", name="Verbruik")).to_be_visible()
    browser.shot("overview-nl")
    with database(django_db_blocker, oost.schema_name):
        assert PortalAccount.objects.get(login_email=resident["email"]).language == "nl"


def test_one_organisations_branding_and_messages_never_show_on_another(visit, resident, oost):
    zuid_host = "portal.zuid.test"
    browser = visit()
    browser.go("/")
    primary = browser.page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()"
    )
    assert primary == OOST_COLOUR
    expect(browser.page.get_by_text(OOST_MESSAGE)).to_be_visible()
    browser.log_in(resident["email"])

    browser.go("/", host=zuid_host)
    primary = browser.page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()"
    )
    assert primary != OOST_COLOUR
    assert OOST_MESSAGE not in browser.page.content()
    assert "Warmte Oost" not in browser.page.content()
    status, branding = http(browser.server, zuid_host, "GET", "/branding.css")
    assert status == 200
    assert b"--primary:" in branding
    assert OOST_COLOUR.encode() not in branding
    # The session of Oost is worthless on Zuid: its pages ask to log in.
    browser.go("/overview/", host=zuid_host)
    expect(browser.page).to_have_url(re.compile(r"/login/\?next=%2Foverview%2F$"))
    cookies = {cookie["domain"] for cookie in browser.context.cookies()}
    assert all(not domain.startswith(".") for domain in cookies)  # host-only cookies
    browser.shot("zuid-home")


def test_impersonation_shows_a_banner_and_the_staff_member_can_stop_it(
    visit, resident, oost, server, django_db_blocker
):
    status, login = http(
        server,
        oost.host,
        "POST",
        "/api/auth/login/",
        {"email": f"admin@{oost.slug}.test", "password": PASSWORD},
    )
    assert status == 200, login
    from customers.models import Customer

    with database(django_db_blocker, oost.schema_name):
        customer_id = Customer.objects.get(customer_number=resident["number"]).pk
    status, started = http(
        server,
        oost.host,
        "POST",
        f"/api/admin/customers/{customer_id}/portal/impersonate/",
        {"reason": "Customer asked for help by phone"},
        token=login["key"],
    )
    assert status == 201, started
    portal_url = started["portal_url"]
    assert portal_url.startswith(f"http://{oost.host}:{server.port}/impersonation/start/#key=")

    browser = visit()
    browser.page.goto(portal_url)
    assert "#key" not in browser.page.url  # the script took the key out of the address bar
    browser.page.get_by_role("button", name="Open the portal as the customer").click()
    banner = browser.page.locator(".impersonation")
    expect(banner).to_contain_text("You are logged in as this customer.")
    expect(banner).to_contain_text(f"admin@{oost.slug}.test")
    # Changing the password is not the staff member's to do.
    expect(browser.page.get_by_role("link", name="Change my password")).to_have_count(0)
    browser.go("/my-details/")
    expect(browser.page.get_by_role("link", name="Change my password")).to_have_count(0)
    browser.shot("impersonation")
    banner.get_by_role("button", name="Stop impersonation").click()
    expect(browser.page.get_by_role("heading", level=1)).to_have_text("Impersonation stopped")
    browser.go("/overview/")
    expect(browser.page).to_have_url(re.compile(r"/login/"))


MAIN_PAGES = [
    "/overview/",
    "/services/",
    "/consumption/",
    "/invoices/",
    "/my-details/",
    "/help/",
    "/faq/",
    "/move-out/",
    "/tickets/",
]


def test_pages_are_usable_with_a_keyboard_and_labelled_for_assistive_technology(
    visit, resident, oost, django_db_blocker
):
    from customers.models import Customer
    from support.services import open_ticket

    with database(django_db_blocker, oost.schema_name):
        ticket = open_ticket(
            organisation=oost,
            kind="meter_problem",
            subject="My meter blinks",
            message="It blinks red.",
            language="en",
            customer=Customer.objects.get(customer_number=resident["number"]),
        )
    browser = visit()
    browser.log_in(resident["email"])
    for path in [*MAIN_PAGES, f"/tickets/{ticket.pk}/"]:
        browser.go(path)
        page = browser.page
        expect(page.locator("html")).to_have_attribute("lang", "en")
        assert page.locator("h1").count() == 1, path
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                 .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
                 .map(el => el.name)"""
        )
        assert unlabelled == [], (path, unlabelled)
        assert page.evaluate("[...document.images].filter(img => !img.hasAttribute('alt')).length") == 0
        # The first Tab lands on the skip link, which moves focus to the content.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        # The content that received focus gets no frame around it (only controls show focus).
        frame = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.boxShadow]; })()"
        )
        assert frame == ["none", "none"], (path, frame)
        # The footer's text starts where the page's content starts.
        lefts = page.evaluate(
            "[document.querySelector('main h1').getBoundingClientRect().left,"
            " document.querySelector('.site-footer p strong').getBoundingClientRect().left]"
        )
        assert abs(lefts[0] - lefts[1]) <= 1, (path, lefts)
        browser.shot(f"page-{path.strip('/').replace('/', '-')}")
    # The ticket's page answers customer service (the reply form, labelled, is the last page above).
    browser.page.get_by_label("Your reply").fill("It still blinks.")
    browser.page.get_by_role("button", name="Send my reply").click()
    expect(browser.page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/$"))
    expect(browser.page.get_by_text("Your reply was sent. Customer service will answer you.")).to_be_visible()
    expect(browser.page.locator(".conversation li")).to_have_count(2)


PHONE_PAGES = [
    "/",
    *MAIN_PAGES,
    "/statements/",
    "/charges/",
    "/transactions/",
    "/documents/",
    "/move-out/?row=first",
    "/move-in/",
]


def _no_sideways_scrolling(browser, paths: list[str], width: int, prefix: str) -> None:
    browser.page.set_viewport_size({"width": width, "height": 800})
    for path in paths:
        browser.go(path)
        if path.endswith("row=first"):  # the move-out form of the first address
            browser.page.get_by_role("button", name="Next").click()
            expect(browser.page.get_by_label("Date you hand over the keys")).to_be_visible()
        sizes = browser.page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert sizes[0] <= sizes[1], (path, width, sizes)
        browser.shot(f"{prefix}-{width}-{path.strip('/').split('?')[0] or 'home'}")


def test_every_page_reflows_to_phone_width_without_sideways_scrolling(visit, resident):
    browser = visit()
    browser.log_in(resident["email"])
    # The resident's invoices include a refund, whose notice once pushed the table 274 px wide.
    browser.go("/invoices/")
    expect(browser.page.locator(".refund-notice").first).to_be_visible()
    for width in (375, 320):
        _no_sideways_scrolling(browser, PHONE_PAGES, width, "phone")
    # Also at desktop width: the refund notice no longer widens the invoice table.
    _no_sideways_scrolling(browser, ["/invoices/", "/tickets/"], 1280, "desktop")


def test_services_statements_money_graph_and_comparison_on_a_phone(visit, resident):
    """The reference's Services screen, the statement number as download, the overview's money
    graph with its table, and a comparison with an incomplete month, at 375 px."""
    browser = visit()
    page = browser.page
    page.set_viewport_size({"width": 375, "height": 800})
    browser.log_in(resident["email"])
    expect(page.locator("#money-title")).to_have_text("Billed and paid per month")
    expect(page.locator("#money-title ~ svg.chart")).to_be_visible()
    page.locator("#money-title ~ details summary").click()
    expect(page.locator("#money-title ~ details tbody tr")).to_have_count(12)
    browser.shot("overview-money-375")
    browser.go("/services/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Services and contracts")
    expect(page.get_by_role("cell", name=f"H1-{resident['ext']}")).to_be_visible()
    expect(page.get_by_text("€ 100.00 a month")).to_be_visible()
    browser.shot("services-375")
    browser.go("/statements/")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"{resident['ext']}-F0001").click()
    assert download.value.suggested_filename.endswith(".pdf")
    browser.shot("statements-375")
    month = resident["month"]
    browser.go(f"/consumption/?service=heating&year={month.year}&month={month.month}&compare=1")
    expect(page.get_by_label("Month to compare with")).to_be_visible()
    expect(page.locator(".totals .incomplete").first).to_be_visible()
    sizes = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], sizes
    browser.shot("consumption-compare-375")


def test_a_resident_uses_the_portal_in_french(visit, resident, oost, django_db_blocker):
    from memberships.models import PortalAccount

    with database(django_db_blocker, oost.schema_name):
        PortalAccount.objects.filter(login_email=resident["email"]).update(language="fr")
    browser = visit()
    page = browser.page
    browser.go("/")
    page.get_by_role("group", name="Language").get_by_role("button", name="FR Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Comment pouvons-nous vous aider\s\?$")
    )
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_attached()
    browser.go("/login/")
    page.get_by_label("Adresse e-mail").fill(resident["email"])
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(re.compile(r"/overview/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Bienvenue, Bill Payer \d+$"))
    expect(page.locator("#outstanding-title")).to_have_text("Factures impayées")
    # The header fits one row at desktop width, in the longest of the three languages (div.bar: the
    # money graph's bars are svg rects of class "bar").
    rows = page.evaluate(
        """[...document.querySelectorAll('div.bar > *')].map(el => Math.round(el.getBoundingClientRect().top))"""
    )
    assert max(rows) - min(rows) < 16, rows  # centred in one row, not wrapped under each other
    # The current language is marked, and the log-out button keeps its text on one line.
    expect(page.get_by_role("button", name="FR Français")).to_have_attribute("aria-current", "true")
    assert page.locator(".tools .button").first.evaluate("el => el.getBoundingClientRect().height") < 40
    browser.shot("overview-fr")
    browser.go("/invoices/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Factures")
    expect(page.locator(".refund-notice").first).to_have_text(
        "Nous rembourserons ce montant sur votre compte bancaire le 07/03/2031"
    )
    expect(page.locator("table.invoices").first).to_contain_text("€ 100,00")
    browser.shot("invoices-fr")
    browser.go("/my-details/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes coordonnées")
    expect(page.locator("#id_billing_country")).to_have_value("BE")
    browser.shot("my-details-fr")
    with database(django_db_blocker, oost.schema_name):
        assert PortalAccount.objects.get(login_email=resident["email"]).language == "fr"


# -- axe-core on every resident page ---------------------------------------------------------------

VISITOR_PAGES = [
    "/",
    "/login/",
    "/register/",
    "/forgot-password/",
    "/resend-confirmation/",
    "/confirm/not-a-token",
    "/reset-password/not-a-token",
    "/activate/not-a-token",
    "/confirm-email/not-a-token",
    "/help/",
    "/faq/",
    "/terms/",
    "/privacy/",
    "/move-in/",
    "/no-such-page/",
]
RESIDENT_PAGES = [
    "/overview/",
    "/services/",
    "/consumption/",
    "/invoices/",
    "/statements/",
    "/charges/",
    "/transactions/",
    "/documents/",
    "/my-details/",
    "/my-details/password/",
    "/help/",
    "/faq/",
    "/tickets/",
    "/move-out/",
]


class AxeReport:
    """What axe-core finds on each page checked, gathered so one run shows every failing page."""

    def __init__(self, browser) -> None:
        self.browser, self.failures, self.checked = browser, [], 0

    def __call__(self, label: str) -> None:
        from tests.support.axe import describe, violations

        found = violations(self.browser.page)
        self.checked += 1
        if found:
            self.failures.append(f"{label} ({self.browser.page.url}):\n{describe(found)}")
            print(self.failures[-1])  # shown with the failure even when a later step stops the test


def _faq_and_ticket(oost, resident, django_db_blocker) -> int:
    """A published FAQ answer and a help request with customer service's answer, in Oost."""
    from customers.models import Customer
    from support.services import answer_ticket, open_ticket, save_faq_category, save_faq_entry

    with database(django_db_blocker, oost.schema_name):
        category = save_faq_category(category=None, names={"en": "Invoices"})
        save_faq_entry(
            entry=None,
            category=category,
            questions={"en": "When is my settlement?"},
            answers={
                "en": '<p>Every <strong>March</strong>; see <a href="https://example.test/">our site</a>.</p>'
            },
        )
        ticket = open_ticket(
            organisation=oost,
            kind="question",
            subject="Settlement",
            message="When do I get it?",
            language="en",
            customer=Customer.objects.get(customer_number=resident["number"]),
        )
        answer_ticket(ticket=ticket, organisation=oost, staff_user=None, message="In March.")
        return ticket.pk


def _forms_with_errors(browser, axe: AxeReport) -> None:
    """The login and registration forms answered with errors."""
    page = browser.page
    browser.go("/login/")
    page.get_by_label("Email address").fill("nobody@example.test")
    page.get_by_label("Password").fill("wrong-password-1")
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.locator(".message.error, .errors").first).to_be_visible()
    axe("login with an error")
    browser.go("/register/")
    page.locator("main").get_by_role("button", name="Register").click()
    expect(page.locator(".has-error").first).to_be_visible()
    axe("register with errors")


def _move_in_step_by_step(browser, axe: AxeReport, oost, django_db_blocker) -> None:
    """The move-in, step by step, each step also with its errors, up to its done page."""
    page = browser.page
    with database(django_db_blocker, oost.schema_name):
        street = import_address_with_meter("Axelaan", "AX-1")
    browser.go("/move-in/")
    page.get_by_role("button", name="Start").click()
    page.get_by_label("Search your new address").fill(street)
    page.get_by_role("button", name="Search").click()
    axe("move-in step 1")
    page.get_by_label(re.compile(street)).check()
    page.get_by_role("button", name="Next").click()
    for step, fill in (
        (2, lambda: page.get_by_label("Date you get the keys").fill(date.today().isoformat())),
        (
            3,
            lambda: (
                page.get_by_label("First name").fill("Axe"),
                page.get_by_label("Last name").fill("Tester"),
            ),
        ),
        (4, lambda: page.get_by_label("Email address").fill(f"axe-{uuid.uuid4().hex[:6]}@example.test")),
        (5, lambda: page.get_by_label(re.compile("Reading on the day you move in")).fill("1234.5")),
        (6, lambda: page.get_by_label("Bank transfer").check()),
    ):
        axe(f"move-in step {step}")
        if step in (2, 3, 4):
            page.get_by_role("button", name="Next").click()
            expect(page.locator(".has-error").first).to_be_visible()
            axe(f"move-in step {step} with errors")
        fill()
        page.get_by_role("button", name="Next").click()
    axe("move-in step 7")
    page.get_by_role("button", name="Submit my move-in").click()
    expect(page.locator("#terms-errors")).to_be_visible()
    axe("move-in step 7 with errors")
    page.get_by_label("I accept the terms and conditions.").check()
    page.get_by_label("I have read the privacy statement.").check()
    page.get_by_role("button", name="Submit my move-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: we received your move-in")
    axe("move-in done")


def _resident_pages_in_their_states(browser, axe: AxeReport, resident: dict) -> None:
    """A month's consumption (and its comparison, and as a table), an FAQ answer open, the
    move-out form (and with errors), my details with an error."""
    page = browser.page
    month = resident["month"]
    for path in (
        f"/consumption/?service=heating&year={month.year}&month={month.month}",
        f"/consumption/?service=heating&year={month.year}&month={month.month}&compare=1",
    ):
        browser.go(path)
        axe(path)
    page.get_by_text("Show the figures as a table").click()
    axe("consumption with the table open")
    browser.go("/overview/")
    page.locator("#money-title ~ details summary").click()
    expect(page.locator("#money-title ~ details table")).to_be_visible()
    axe("overview with the money table open")
    browser.go("/faq/")
    page.locator("details summary").first.click()
    axe("faq with an answer open")
    browser.go("/move-out/")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("Date you hand over the keys")).to_be_visible()
    axe("move-out form")
    page.get_by_role("button", name="Report my move-out").click()
    expect(page.locator(".has-error").first).to_be_visible()
    axe("move-out form with errors")
    browser.go("/my-details/")
    page.get_by_label("Monthly advance (EUR)").evaluate("input => { input.form.noValidate = true; }")
    page.get_by_label("Monthly advance (EUR)").fill("400")
    page.get_by_role("button", name="Change my advance").click()
    expect(page.locator(".advance .errors")).to_be_visible()
    axe("my details with an error")


def test_every_resident_page_passes_axe_core(visit, resident, oost, django_db_blocker):
    """WCAG 2.1 A and AA rules of axe-core on every page a visitor or a resident sees, in each state
    that looks different (forms with errors, every move-in step, the move-out form), with staff's
    page message and its inline text colour on the home page and the overview."""
    ticket_id = _faq_and_ticket(oost, resident, django_db_blocker)
    browser = visit()
    page = browser.page
    page.set_default_timeout(30_000)  # some fifty pages on a shared machine
    axe = AxeReport(browser)
    for path in VISITOR_PAGES:
        browser.go(path)
        axe(path)
    browser.go("/")  # staff's message with its inline colour, as visitors see it
    expect(page.locator(".page-message.warning span[style]")).to_contain_text("Hot water may stop")

    _forms_with_errors(browser, axe)
    _move_in_step_by_step(browser, axe, oost, django_db_blocker)
    browser.log_in(resident["email"])
    # Staff's message with its inline colour is on the overview.
    expect(page.locator(".page-message.warning span[style]")).to_contain_text("Hot water may stop")
    for path in [*RESIDENT_PAGES, f"/tickets/{ticket_id}/"]:
        browser.go(path)
        axe(path)
    _resident_pages_in_their_states(browser, axe, resident)
    assert axe.checked >= 40
    assert axe.failures == [], "\n\n".join(axe.failures)


def test_bank_account_and_direct_debit(visit, resident, oost, django_db_blocker):
    """Enter an account (a wrong IBAN first), switch on direct debit with consent and password; the
    page is axe-clean in each state and fits a 375 px phone."""
    from customers.models import BankAccount
    from tests.support.axe import describe, violations

    browser = visit()
    page = browser.page
    browser.log_in(resident["email"])
    browser.go("/my-details/")
    page.get_by_role("link", name="Bank account and direct debit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bank account and direct debit")
    page.get_by_label("IBAN").fill("BE71 0961 2345 6768")
    page.get_by_label("Account holder").fill("Bill Payer")
    page.locator("#account-password").fill(PASSWORD)
    page.get_by_role("button", name="Save the bank account").click()
    expect(page.locator("main")).to_contain_text("This IBAN is not valid: check the number.")
    assert not violations(page), describe(violations(page))
    browser.shot("bank-account-refused")
    page.get_by_label("IBAN").fill("BE71 0961 2345 6769")
    page.locator("#account-password").fill(PASSWORD)
    page.get_by_role("button", name="Save the bank account").click()
    expect(page.locator(".flash")).to_contain_text("Your bank account was changed.")
    expect(page.locator("main")).to_contain_text("BE71 •••• 6769")
    page.get_by_label(re.compile("I authorise the organisation")).check()
    page.locator("#mandate-password").fill(PASSWORD)
    page.get_by_role("button", name="Switch on direct debit").click()
    expect(page.locator(".flash")).to_contain_text("Direct debit is on.")
    with database(django_db_blocker, oost.schema_name):
        bank = BankAccount.objects.get(customer__customer_number=resident["number"])
        assert (bank.iban, bank.mandate_status) == ("BE71096123456769", "active")
    expect(page.locator("main")).to_contain_text(bank.mandate_reference)
    assert not violations(page), describe(violations(page))
    browser.shot("bank-account")
    page.set_viewport_size({"width": 375, "height": 800})
    sizes = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], sizes
    browser.shot("phone-375-bank-account")
