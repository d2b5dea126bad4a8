"""The portal pages through Django's test client: isolation, security headers, forms, query counts.

The browser behaviour (JavaScript, CSS, downloads) is covered in Chromium by test_web_browser.py.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from configuration.services import save_page_message
from contracts.models import AdvancePaymentPlan
from customers.models import Customer
from memberships.services.registration import register_resident
from support.models import Ticket
from tenants.models import Organisation
from tests.support.billing_data import billing_customer
from tests.support.common import data_queries
from tests.support.factories import last_link
from tests.support.organisations import PASSWORD as STAFF_PASSWORD
from tests.support.web import NOORD, PASSWORD, ZUID, logged_in, make_resident, page_client, text


def test_pages_carry_a_strict_content_security_policy_and_refuse_framing(db):
    response = page_client().get("/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy.split("style-src-attr")[0]  # only colour attributes may be inline
    assert response["X-Frame-Options"] == "DENY"
    assert '<html lang="en">' in text(response)
    assert "<script>" not in text(response)  # no inline script anywhere: the policy would block it


def test_home_offers_the_four_ways_in_and_the_language_choice(db):
    body = text(page_client().get("/"))
    for label in (
        "How can we help?",
        "I'm moving in",
        "I'm moving out",
        "Log in",
        "Register with your customer number",
    ):
        assert label in body
    assert 'href="/login/?next=/move-out/"' in body  # moving out asks to log in first
    for code, name in (("en", "English"), ("nl", "Nederlands"), ("fr", "Français")):
        assert f'<button type="submit" name="language" value="{code}" lang="{code}" title="{name}"' in body
        assert name in body


def test_the_language_follows_the_visitors_choice(db):
    client = page_client()
    response = client.post("/language/", {"language": "fr", "next": "/help/"})
    assert response.status_code == 302
    assert response["Location"] == "/help/"
    response = client.get("/help/")
    body = text(response)
    assert '<html lang="fr">' in body
    assert response["Content-Language"] == "fr"
    assert "<h1>Aide et contact</h1>" in body
    assert '<h2 id="form-heading">Envoyez-nous un message</h2>' in body
    assert '<button type="submit" class="button">Envoyer mon message</button>' in body
    assert (
        '<button type="submit" name="language" value="fr" lang="fr" title="Français" aria-current="true">'
        in body
    )
    assert "Help and contact" not in body
    # Another visitor (no cookie) still gets the Accept-Language answer.
    assert '<html lang="en">' in text(page_client().get("/help/"))


def test_login_refuses_wrong_password_without_saying_which_part_was_wrong(web_resident):
    client = page_client()
    response = client.post("/login/", {"email": web_resident["email"], "password": "not-the-password"})
    assert response.status_code == 200
    assert "The email address or password is not correct." in text(response)
    assert client.get("/overview/").status_code == 302


def test_unconfirmed_registration_gets_the_resend_link(db):
    data = billing_customer()
    organisation = Organisation.objects.get(schema_name="org_noord")
    with schema_context("org_noord"):
        register_resident(
            organisation=organisation, customer_number=data["number"], email=data["email"], password=PASSWORD
        )
    response = page_client().post("/login/", {"email": data["email"], "password": PASSWORD})
    assert 'href="/resend-confirmation/"' in text(response)


def test_register_page_shows_the_services_field_errors(db):
    unknown = page_client().post(
        "/register/",
        {"customer_number": "NOPE-1", "email": "x@example.test", "password": "long-enough-pass-1"},
    )
    assert unknown.status_code == 200
    alert = re.search(r'<div class="message error" role="alert" id="form-errors"><p>(.*?)</p>', text(unknown))
    assert alert
    assert alert.group(1).startswith(
        "We cannot register an account with this customer number and email address."
    )
    assert "Check your email" not in text(unknown)
    # A rule the service checks on one field is shown next to that field, linked to the input.
    data = billing_customer()
    short = page_client().post(
        "/register/", {"customer_number": data["number"], "email": data["email"], "password": "short"}
    )
    body = text(short)
    errors = re.search(r'<ul class="errors" id="id_password_error"><li>(.*?)</li>', body)
    assert errors
    assert "too short" in errors.group(1)
    password_input = re.search(r'<input type="password" name="password"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in password_input
    assert "id_password_error" in password_input
    with schema_context("org_noord"):
        from memberships.models import PortalAccount

        assert not PortalAccount.objects.filter(customer__customer_number=data["number"]).exists()


def test_next_never_leaves_the_portal(web_resident):
    client = page_client()
    response = client.post(
        "/login/?next=https://evil.test/",
        {"email": web_resident["email"], "password": PASSWORD, "next": "https://evil.test/"},
    )
    assert response["Location"] == "/overview/"


def test_staff_cannot_use_the_resident_pages(db):
    response = page_client().post("/login/", {"email": "admin@noord.test", "password": STAFF_PASSWORD})
    assert response.status_code == 200
    assert "This portal is for residents" in text(response)


def test_forms_without_csrf_token_are_refused_with_a_page(web_resident):
    client = page_client(enforce_csrf_checks=True)
    response = client.post("/login/", {"email": web_resident["email"], "password": PASSWORD})
    assert response.status_code == 403
    assert "The form expired" in text(response)


def test_unknown_page_is_a_portal_page_and_api_stays_json(db):
    response = page_client().get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in text(response)
    api = page_client().get("/api/no-such-endpoint/")
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"


def test_a_session_of_one_organisation_is_worthless_on_another(web_resident):
    client = logged_in(web_resident)
    assert client.get("/overview/").status_code == 200
    # The test client sends its cookies to every host: the session id reaches Zuid and means nothing there.
    client.defaults["HTTP_HOST"] = ZUID
    response = client.get("/overview/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert web_resident["number"] not in text(client.get("/", follow=True))


def test_a_resident_sees_only_their_own_invoices_and_tickets(db):
    first, second = billing_customer(), billing_customer()
    make_resident(first)
    make_resident(second)
    with schema_context("org_noord"):
        other = Customer.objects.get(customer_number=second["number"])
        ticket = Ticket.objects.create(
            reference="T-OTHER01",
            customer=other,
            name="x",
            email=second["email"],
            kind="question",
            subject="Private matter",
        )
    client = logged_in(first)
    invoices = text(client.get("/invoices/"))
    assert f"{first['ext']}-F0001" in invoices
    assert f"{second['ext']}-F0001" not in invoices
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 404
    assert "Private matter" not in text(client.get("/tickets/"))


@pytest.mark.parametrize(
    "path",
    [
        "/overview/",
        "/invoices/",
        "/statements/",
        "/charges/",
        "/transactions/",
        "/documents/",
        "/my-details/",
        "/tickets/",
    ],
)
def test_page_query_count_does_not_grow_with_the_data(db, path):
    def count(data: dict) -> int:
        make_resident(data)
        client = logged_in(data)
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(data_queries(queries))

    assert count(billing_customer(invoices=3)) == count(billing_customer(invoices=60))


@pytest.mark.parametrize(
    "query",
    [
        "service=heating&year={year}",
        "service=heating&year={year}&month={month}",
        "service=heating&year={year}&compare=1",
        "service=heating&year={year}&month={month}&compare=1",
        "service=cooling&year={year}",
    ],
)
def test_consumption_query_count_does_not_grow_with_the_readings(db, query):
    from datetime import date, timedelta

    from tests.support.consumption_data import add_meters, day_rows, ingest_rows

    first = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    path = "/consumption/?" + query.format(year=first.year, month=first.month)

    def count(days: int) -> int:
        data = billing_customer(invoices=3)
        meters = add_meters(data)
        ingest_rows(
            [
                row
                for offset in range(days)
                for meter in meters.values()
                for row in day_rows(meter, first + timedelta(days=offset), "0.30")
            ]
        )
        make_resident(data)
        client = logged_in(data)
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        assert 'class="chart"' in text(response)
        return len(data_queries(queries))

    assert count(2) == count(20)


def test_branding_derives_link_and_graphic_colours_that_reach_wcag_contrast(db):
    from configuration.colours import contrast_ratio
    from configuration.models import GeneralPreferences

    backgrounds = ("#ffffff", "#f5f7f9", "#eaf3fb", "#fff4d6", "#fdecec", "#e6f4ea")
    for primary, link_is_primary in (("#ffd500", False), ("#00a0e0", False), ("#0b5d7a", True)):
        with schema_context("org_noord"):
            GeneralPreferences.objects.current()
            GeneralPreferences.objects.update(primary_colour=primary)
        from django.core.cache import cache

        cache.delete_pattern("*")
        css = text(page_client().get("/branding.css"))
        variables = dict(re.findall(r"(--[a-z-]+):(#[0-9a-f]{6});", css))
        assert variables["--primary"] == primary
        assert min(contrast_ratio(variables["--link"], bg) for bg in backgrounds) >= 4.5, (primary, css)
        assert min(contrast_ratio(variables["--primary-strong"], bg) for bg in backgrounds) >= 3.0, (
            primary,
            css,
        )
        assert (variables["--link"] == primary) is link_is_primary


def test_advance_form_refuses_an_amount_out_of_range_and_accepts_one_within(web_resident):
    with schema_context("org_noord"):
        from configuration.models import PortalPreferences

        PortalPreferences.objects.current()
        PortalPreferences.objects.update(
            advance_changes_allowed=True, advance_min_percentage=80, advance_max_percentage=150
        )
        plan = AdvancePaymentPlan.objects.get(
            contract__number__endswith="-1", contract__customer__customer_number=web_resident["number"]
        )
    client = logged_in(web_resident)
    body = text(client.get("/my-details/"))
    assert 'min="80.00"' in body
    assert 'max="150.00"' in body
    refused = client.post(
        "/my-details/", {"form": "advance", "contract_id": plan.contract_id, "amount": "151"}
    )
    assert refused.status_code == 200
    assert "Choose an amount between 80.00 and 150.00 EUR." in text(refused)
    with schema_context("org_noord"):
        plan.refresh_from_db()
    assert plan.current_amount == Decimal("100.00")
    accepted = client.post(
        "/my-details/", {"form": "advance", "contract_id": plan.contract_id, "amount": "125.50"}
    )
    assert accepted.status_code == 302
    with schema_context("org_noord"):
        plan.refresh_from_db()
    assert plan.current_amount == Decimal("125.50")
    assert "Your advance payment was changed." in text(client.get("/my-details/"))


def test_page_messages_are_sanitised_and_styled_by_kind(web_resident):
    with schema_context("org_noord"):
        save_page_message(
            message=None,
            values={
                "page": "overview",
                "kind": "important",
                "bodies": {
                    "en": '<p onclick="x()">Outage <script>alert(1)</script><a href="javascript:alert(1)">more</a></p>'
                },
            },
        )
    body = text(logged_in(web_resident).get("/overview/"))
    block = re.search(r'<div class="page-message important" role="alert">(.*?)</div>', body, re.S)
    assert block, body[:3000]
    assert "Outage" in block.group(1)
    assert "script" not in block.group(1)
    assert "onclick" not in block.group(1)
    assert "javascript:" not in block.group(1)


def test_branding_css_carries_each_organisations_own_colours(db):
    with schema_context("org_noord"):
        from configuration.models import GeneralPreferences

        GeneralPreferences.objects.current()
        GeneralPreferences.objects.update(primary_colour="#123456")
    noord = text(page_client(NOORD).get("/branding.css"))
    zuid = text(page_client(ZUID).get("/branding.css"))
    assert "--primary:#123456" in noord
    assert "#123456" not in zuid


def test_help_form_creates_a_ticket_and_refuses_a_disguised_attachment(db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = page_client()
    bad = client.post(
        "/help/",
        {
            "kind": "question",
            "subject": "Hello",
            "message": "Question",
            "name": "Vi Sitor",
            "email": "visitor@example.test",
            "attachment": SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert bad.status_code == 200
    assert 'class="errors"' in text(bad)
    with schema_context("org_noord"):
        assert not Ticket.objects.filter(email="visitor@example.test").exists()
    good = client.post(
        "/help/",
        {
            "kind": "question",
            "subject": "Hello",
            "message": "Question",
            "name": "Vi Sitor",
            "email": "visitor@example.test",
        },
    )
    assert "We received your message with reference T-" in text(good)
    with schema_context("org_noord"):
        assert Ticket.objects.get(email="visitor@example.test").subject == "Hello"


def test_visitor_help_request_needs_an_email_address(db):
    response = page_client().post("/help/", {"kind": "question", "subject": "Hello", "message": "Question"})
    assert response.status_code == 200
    assert "This field is required." in text(response)


def test_impersonation_shows_the_banner_blocks_the_password_and_ends_with_the_session(
    web_resident, client_for
):
    from tests.support.organisations import login

    staff = client_for(NOORD)
    staff.credentials(HTTP_AUTHORIZATION=f"Token {login(staff, 'admin@noord.test')['key']}")
    with schema_context("org_noord"):
        customer_id = Customer.objects.get(customer_number=web_resident["number"]).pk
    started = staff.post(
        f"/api/admin/customers/{customer_id}/portal/impersonate/", {"reason": "phone call"}, format="json"
    )
    assert started.status_code == 201
    body = started.json()
    assert body["portal_url"].endswith(f"/impersonation/start/#key={body['key']}")

    browser = page_client()
    assert "Impersonation key" in text(browser.get("/impersonation/start/"))
    opened = browser.post("/impersonation/start/", {"key": body["key"]})
    assert opened["Location"] == "/overview/"
    page = text(browser.get("/overview/"))
    assert "You are logged in as this customer." in page
    assert "admin@noord.test is acting as" in page
    assert browser.get("/my-details/password/")["Location"] == "/my-details/"
    # Staff end the session from the admin: the browser session ends with it.
    staff.post(f"/api/admin/impersonations/{body['session']['id']}/stop/")
    assert browser.get("/overview/")["Location"].startswith("/login/")


def test_an_ended_impersonation_key_cannot_open_the_portal(db):
    response = page_client().post("/impersonation/start/", {"key": "not-a-key"})
    assert response.status_code == 403
    assert "This impersonation session has ended." in text(response)


def test_forgotten_password_page_to_reset_page_to_login(web_resident):
    from tests.support.factories import process_account_requests

    client = page_client()
    asked = client.post("/forgot-password/", {"email": web_resident["email"]})
    # The same answer whether or not the address has an account.
    assert "If this address has an account with us, we sent a link to choose a new password." in text(asked)
    process_account_requests("org_noord")
    token = last_link("org_noord", web_resident["email"], "password_reset", "/reset-password/")
    mismatch = client.post(
        f"/reset-password/{token}", {"new_password": "a-new-portal-pass-1", "repeat": "another-one-22"}
    )
    assert "The two passwords differ." in text(mismatch)
    done = client.post(
        f"/reset-password/{token}", {"new_password": "a-new-portal-pass-1", "repeat": "a-new-portal-pass-1"}
    )
    assert "Your password was changed. Log in with your new password." in text(done)
    again = client.post(
        f"/reset-password/{token}", {"new_password": "a-new-portal-pass-2", "repeat": "a-new-portal-pass-2"}
    )
    assert 'role="alert"' in text(again)  # single-use: the second try is refused
    assert (
        client.post("/login/", {"email": web_resident["email"], "password": "a-new-portal-pass-1"})[
            "Location"
        ]
        == "/overview/"
    )


def test_confirmation_link_changes_nothing_until_the_button_is_pressed(db):
    data = billing_customer()
    organisation = Organisation.objects.get(schema_name="org_noord")
    with schema_context("org_noord"):
        register_resident(
            organisation=organisation, customer_number=data["number"], email=data["email"], password=PASSWORD
        )
    token = last_link("org_noord", data["email"], "registration_confirmation", "/confirm/")
    client = page_client()
    assert "Confirm my email address" in text(client.get(f"/confirm/{token}"))
    assert (
        client.post("/login/", {"email": data["email"], "password": PASSWORD}).status_code == 200
    )  # not yet
    assert "Email address confirmed" in text(client.post(f"/confirm/{token}"))
    assert client.post("/login/", {"email": data["email"], "password": PASSWORD})["Location"] == "/overview/"
