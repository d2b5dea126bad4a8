"""Portal configuration through the staff admin, and the public site endpoint that reflects it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from configuration.models import PageMessage
from tests.support.common import data_queries
from tests.support.configuration import GENERAL, MESSAGES, PREFS, as_staff, image_file, site, svg_file


def test_preferences_show_the_portal_status_and_email_links(noord_client):
    body = as_staff(noord_client).get(PREFS).json()
    assert body["portal_status"] == "active"
    assert body["cost_visualisation_available"] is False
    keys = {email["key"] for email in body["emails"]}
    assert {"registration_confirmation", "password_reset", "portal_invitation"} <= keys
    link = next(email for email in body["emails"] if email["key"] == "password_reset")["templates"]["nl"]
    template = noord_client.get(link).json()
    assert template["customised"] is False
    assert "{{ reset_url }}" in template["body_text"]
    assert "wachtwoord" in template["subject"].lower()


def test_colour_change_shows_on_the_next_request_and_only_on_that_domain(
    noord_client, zuid_client, client_for
):
    visitor_noord, visitor_zuid = client_for("portal.noord.test"), client_for("portal.zuid.test")
    before = site(visitor_noord).json()["branding"]["primary_colour"]
    zuid_before = site(visitor_zuid).json()["branding"]
    response = as_staff(noord_client).patch(
        PREFS,
        {"use_organisation_colours": False, "primary_colour": "#1A7F37", "secondary_colour": "#0969DA"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["primary_colour"] == "#1a7f37"
    after = site(visitor_noord).json()["branding"]
    assert before != after["primary_colour"]
    assert after["primary_colour"] == "#1a7f37"
    assert after["secondary_colour"] == "#0969da"
    assert site(visitor_zuid).json()["branding"] == zuid_before


def test_organisation_colours_and_logo_follow_the_general_preferences(noord_client, client_for):
    staff = as_staff(noord_client)
    staff.patch(PREFS, {"use_organisation_colours": True, "use_organisation_logo": True}, format="json")
    response = staff.patch(GENERAL, {"primary_colour": "#8250df", "logo": svg_file()}, format="multipart")
    assert response.status_code == 200, response.content
    branding = site(client_for("portal.noord.test")).json()["branding"]
    assert branding["primary_colour"] == "#8250df"
    assert branding["logo_url"].startswith("/media/org_noord/branding/")
    assert branding["logo_url"].endswith(".svg")
    served = client_for("portal.noord.test").get(branding["logo_url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/svg+xml"
    assert "sandbox" in served["Content-Security-Policy"]
    assert b"<rect" in b"".join(served.streaming_content)
    assert client_for("portal.zuid.test").get(branding["logo_url"]).status_code == 404


def test_own_logo_and_favicon_upload(noord_client, client_for):
    staff = as_staff(noord_client)
    response = staff.patch(
        PREFS,
        {
            "use_organisation_logo": False,
            "logo": image_file("logo.png", "PNG"),
            "favicon": image_file("f.ico", "ICO"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["logo_url"].endswith(".png")
    assert body["favicon_url"].endswith(".ico")
    branding = site(client_for("portal.noord.test")).json()["branding"]
    assert branding["logo_url"] == body["logo_url"]
    assert branding["favicon_url"] == body["favicon_url"]
    removed = staff.patch(PREFS, {"remove_favicon": True}, format="json").json()
    assert removed["favicon_url"] is None


@pytest.mark.parametrize(
    ("field", "upload", "code"),
    [
        ("logo", lambda: svg_file("<script>alert(1)</script>"), "unsafe_svg"),
        ("logo", lambda: svg_file('<rect onload="alert(1)"/>'), "unsafe_svg"),
        ("logo", lambda: image_file("big.png", "PNG", extra_bytes=600 * 1024), "file_too_large"),
        ("logo", lambda: SimpleUploadedFile("logo.png", b"GIF89a not really a png"), "invalid_file_type"),
        ("logo", lambda: image_file("logo.png", "GIF"), "invalid_file_type"),
        ("logo", lambda: SimpleUploadedFile("logo.svg", b"%PDF-1.4 pretending"), "invalid_file_type"),
        ("favicon", lambda: image_file("favicon.ico", "PNG"), "invalid_file_type"),
        ("favicon", lambda: image_file("favicon.ico", "ICO", extra_bytes=120 * 1024), "file_too_large"),
    ],
)
def test_bad_uploads_are_refused_next_to_their_field(noord_client, field, upload, code):
    response = as_staff(noord_client).patch(PREFS, {field: upload()}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert field in body
    assert noord_client.get(PREFS).json()[f"{field}_url"] is None


def test_png_named_jpg_is_judged_by_its_content(noord_client):
    response = as_staff(noord_client).patch(
        PREFS, {"logo": image_file("logo.jpg", "PNG")}, format="multipart"
    )
    assert response.status_code == 200
    assert response.json()["logo_url"].endswith(".png")


def test_colours_required_without_organisation_colours_and_validated(noord_client):
    staff = as_staff(noord_client)
    missing = staff.patch(
        PREFS,
        {"use_organisation_colours": False, "primary_colour": "", "secondary_colour": ""},
        format="json",
    )
    assert missing.status_code == 400
    assert set(missing.json()) >= {"primary_colour", "secondary_colour"}
    assert missing.json()["code"] == "required"
    invalid = staff.patch(PREFS, {"primary_colour": "blue-ish"}, format="json")
    assert invalid.status_code == 400
    assert invalid.json()["primary_colour"] == ["Enter a colour as #rrggbb, e.g. #0b5394."]


def test_low_contrast_colours_are_saved_with_a_warning(noord_client):
    response = as_staff(noord_client).patch(
        PREFS,
        {"use_organisation_colours": False, "primary_colour": "#ffff66", "secondary_colour": "#eeeeee"},
        format="json",
    )
    assert response.status_code == 200
    warnings = {warning["field"]: warning for warning in response.json()["warnings"]}
    assert warnings["secondary_colour"]["code"] == "low_contrast"
    assert "3:1" in warnings["secondary_colour"]["detail"]
    fine = noord_client.patch(
        PREFS, {"primary_colour": "#0b5394", "secondary_colour": "#1a7f37"}, format="json"
    )
    assert fine.json()["warnings"] == []


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        (
            {"advance_changes_allowed": True, "advance_range": "fixed", "advance_fixed_amount": None},
            "advance_fixed_amount",
            "required",
        ),
        (
            {"advance_changes_allowed": True, "advance_range": "fixed", "advance_fixed_amount": "-5"},
            "advance_fixed_amount",
            "invalid_range",
        ),
        (
            {
                "advance_changes_allowed": True,
                "advance_range": "percentage",
                "advance_min_percentage": "120",
                "advance_max_percentage": "80",
            },
            "advance_min_percentage",
            "min_greater_than_max",
        ),
        (
            {
                "advance_changes_allowed": True,
                "advance_range": "percentage",
                "advance_min_percentage": "110",
                "advance_max_percentage": "150",
            },
            "advance_min_percentage",
            "invalid_range",
        ),
        (
            {
                "advance_changes_allowed": True,
                "advance_range": "percentage",
                "advance_min_percentage": "50",
                "advance_max_percentage": "90",
            },
            "advance_max_percentage",
            "invalid_range",
        ),
        (
            {
                "advance_changes_allowed": True,
                "advance_range": "percentage",
                "advance_min_percentage": None,
                "advance_max_percentage": "120",
            },
            "advance_min_percentage",
            "required",
        ),
        ({"advance_range": "sliding"}, "advance_range", "invalid"),
        ({"advance_fixed_amount": "abc"}, "advance_fixed_amount", "invalid"),
    ],
)
def test_invalid_advance_ranges(noord_client, payload, field, code):
    response = as_staff(noord_client).patch(PREFS, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert response.json()["code"] == code
    assert noord_client.get(PREFS).json()["advance_changes_allowed"] is False  # nothing half-written


def test_valid_advance_ranges(noord_client):
    staff = as_staff(noord_client)
    fixed = staff.patch(
        PREFS,
        {"advance_changes_allowed": True, "advance_range": "fixed", "advance_fixed_amount": "25.00"},
        format="json",
    )
    assert fixed.status_code == 200
    assert fixed.json()["advance_fixed_amount"] == "25.00"
    percentage = staff.patch(
        PREFS,
        {
            "advance_changes_allowed": True,
            "advance_range": "percentage",
            "advance_min_percentage": "80",
            "advance_max_percentage": "150",
        },
        format="json",
    )
    assert percentage.status_code == 200
    assert (percentage.json()["advance_min_percentage"], percentage.json()["advance_max_percentage"]) == (
        "80.00",
        "150.00",
    )
    assert percentage.json()["advance_range"] == "percentage"


def test_cost_visualisation_only_when_the_operator_enabled_it(noord_client, noord):
    staff = as_staff(noord_client)
    refused = staff.patch(PREFS, {"cost_visualisation": True}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "feature_not_available"
    from tenants.services import update_organisation

    update_organisation(organisation=noord, features={"cost_visualisation": True})
    accepted = staff.patch(PREFS, {"cost_visualisation": True}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["cost_visualisation_available"] is True
    assert site(noord_client).json()["features"]["cost_visualisation"] is True


def test_invoice_visibility_reaches_the_site_features(noord_client, client_for):
    as_staff(noord_client).patch(
        PREFS, {"invoices_visible": True, "payment_status_visible": False}, format="json"
    )
    features = site(client_for("portal.noord.test")).json()["features"]
    assert (features["invoices"], features["payment_status"]) == (True, False)


def test_contact_details(noord_client, client_for):
    bad = as_staff(noord_client).patch(
        PREFS, {"support_email": "nope", "website": "not a url"}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()) >= {"support_email", "website"}
    noord_client.patch(
        PREFS,
        {
            "support_email": "help@noord.test",
            "website": "https://noord.test",
            "support_phone": "+32 50 12 34 56",
        },
        format="json",
    )
    assert site(client_for("portal.noord.test")).json()["contact"] == {
        "support_email": "help@noord.test",
        "website": "https://noord.test",
        "support_phone": "+32 50 12 34 56",
        "terms_url": "",
        "privacy_url": "",
    }


TERMS, PRIVACY = "https://noord.test/voorwaarden", "https://noord.test/privacy"


def test_own_terms_and_privacy_pages_are_https_links_in_the_site_contact(noord_client, client_for):
    staff = as_staff(noord_client)
    before = staff.get(PREFS).json()
    assert (before["terms_url"], before["privacy_url"]) == ("", "")
    plain = staff.patch(
        PREFS, {"terms_url": "http://noord.test/terms", "privacy_url": "ftp://noord.test/p"}, format="json"
    )
    assert plain.status_code == 400
    assert plain.json() == {
        "code": "https_required",
        "terms_url": ["Enter an address that starts with https://."],
        "privacy_url": ["Enter an address that starts with https://."],
    }
    for bad in ("javascript:alert(1)", "not a url", "https://"):
        refused = staff.patch(PREFS, {"terms_url": bad}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (400, "invalid"), bad
        assert refused.json()["terms_url"] == ["Enter a valid URL."]
    too_long = staff.patch(PREFS, {"privacy_url": "https://noord.test/" + "p" * 500}, format="json")
    assert too_long.json()["privacy_url"] == ["Ensure this field has no more than 500 characters."]
    assert staff.get(PREFS).json()["terms_url"] == ""  # nothing was saved

    saved = staff.patch(PREFS, {"terms_url": TERMS, "privacy_url": PRIVACY}, format="json")
    assert saved.status_code == 200, saved.content
    assert (saved.json()["terms_url"], saved.json()["privacy_url"]) == (TERMS, PRIVACY)
    contact = site(client_for("portal.noord.test")).json()["contact"]
    assert (contact["terms_url"], contact["privacy_url"]) == (TERMS, PRIVACY)
    assert site(client_for("portal.zuid.test")).json()["contact"]["terms_url"] == ""  # Noord's own
    assert (
        staff.patch(PREFS, {"support_phone": "+32 50 00 00 00"}, format="json").json()["terms_url"] == TERMS
    )
    # Optional in a PUT too, which replaces every setting: left out, they are cleared.
    from tests.support.configuration import FULL_PREFERENCES

    replaced = staff.put(PREFS, FULL_PREFERENCES, format="json")
    assert replaced.status_code == 200, replaced.content
    assert (replaced.json()["terms_url"], replaced.json()["privacy_url"]) == ("", "")


def test_the_move_in_consent_step_links_the_organisations_pages_else_the_portals(noord_client):
    from django.test import Client

    def consent_page() -> str:
        browser = Client(HTTP_HOST="portal.noord.test", HTTP_ACCEPT_LANGUAGE="en")
        assert browser.post("/move-in/").status_code == 302
        return browser.get("/move-in/step/7/").content.decode()

    page = consent_page()
    assert 'href="/terms/"' in page
    assert 'href="/privacy/"' in page
    as_staff(noord_client).patch(PREFS, {"terms_url": TERMS, "privacy_url": PRIVACY}, format="json")
    page = consent_page()
    assert f'href="{TERMS}"' in page
    assert f'href="{PRIVACY}"' in page
    assert 'href="/terms/"' not in page


def test_message_lifecycle_sanitised_and_per_language(noord_client, client_for):
    staff = as_staff(noord_client)
    created = staff.post(
        MESSAGES,
        {
            "page": "overview",
            "kind": "warning",
            "bodies": {
                "en": '<h2>Works</h2><p onclick="x()">Outage <script>alert(1)</script><a href="javascript:x">here</a></p>',
                "nl": "<p>Werken aan het net</p>",
            },
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert "<script" not in body["bodies"]["en"]
    assert "onclick" not in body["bodies"]["en"]
    assert "javascript" not in body["bodies"]["en"]
    english = site(client_for("portal.noord.test"), "overview").json()["messages"]
    assert english == [{"id": body["id"], "kind": "warning", "html": body["bodies"]["en"]}]
    dutch = site(client_for("portal.noord.test", language="nl"), "overview").json()["messages"]
    assert dutch[0]["html"] == "<p>Werken aan het net</p>"
    french = site(client_for("portal.noord.test", language="fr"), "overview").json()["messages"]
    assert french[0]["html"] == "<p>Werken aan het net</p>"  # organisation's default language (nl)
    assert site(client_for("portal.noord.test"), "invoices").json()["messages"] == []
    assert site(client_for("portal.zuid.test"), "overview").json()["messages"] == []

    updated = staff.patch(f"{MESSAGES}{body['id']}/", {"kind": "important"}, format="json")
    assert updated.json()["kind"] == "important"
    assert site(client_for("portal.noord.test"), "overview").json()["messages"][0]["kind"] == "important"
    assert staff.delete(f"{MESSAGES}{body['id']}/").status_code == 204
    assert site(client_for("portal.noord.test"), "overview").json()["messages"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"page": "nowhere", "bodies": {"en": "x"}}, "page"),
        ({"page": "overview", "kind": "shouting", "bodies": {"en": "x"}}, "kind"),
        ({"page": "overview", "bodies": {}}, "bodies"),
        ({"page": "overview", "bodies": {"en": "<script>only()</script>"}}, "bodies"),
        ({"page": "overview", "bodies": {"de": "Hallo"}}, "bodies"),
        ({"bodies": {"en": "x"}}, "page"),
    ],
)
def test_message_validation(noord_client, payload, field):
    response = as_staff(noord_client).post(MESSAGES, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    with schema_context("org_noord"):
        assert not PageMessage.objects.exists()


def test_message_time_window(noord_client, client_for):
    staff = as_staff(noord_client)
    now = timezone.now()
    bad = staff.post(
        MESSAGES,
        {
            "page": "login",
            "bodies": {"en": "x"},
            "visible_from": now.isoformat(),
            "visible_until": (now - timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert bad.json()["code"] == "invalid_range"
    staff.post(
        MESSAGES,
        {
            "page": "login",
            "bodies": {"en": "<p>now</p>"},
            "visible_until": (now + timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    staff.post(
        MESSAGES,
        {
            "page": "login",
            "bodies": {"en": "<p>later</p>"},
            "visible_from": (now + timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    staff.post(
        MESSAGES,
        {
            "page": "login",
            "bodies": {"en": "<p>past</p>"},
            "visible_until": (now - timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    shown = [m["html"] for m in site(client_for("portal.noord.test"), "login").json()["messages"]]
    assert shown == ["<p>now</p>"]


def test_long_message_is_saved_with_a_warning(noord_client):
    response = as_staff(noord_client).post(
        MESSAGES, {"page": "home", "bodies": {"en": "<p>" + "word " * 100 + "</p>"}}, format="json"
    )
    assert response.status_code == 201
    [warning] = response.json()["warnings"]
    assert (warning["field"], warning["code"]) == ("bodies.en", "message_long")


def test_site_is_cached_with_etag_and_costs_no_query_when_warm(noord_client, client_for):
    visitor = client_for("portal.noord.test")
    first = site(visitor, "overview")
    assert first["Cache-Control"] == "no-cache"
    etag = first["ETag"]
    with CaptureQueriesContext(connection) as queries:
        second = site(visitor, "overview")
    assert second.json() == first.json()
    assert data_queries(queries) == []
    not_modified = site(visitor, "overview", HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    as_staff(noord_client).post(MESSAGES, {"page": "overview", "bodies": {"en": "<p>New</p>"}}, format="json")
    changed = site(visitor, "overview", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_operator_change_invalidates_the_cached_site(client_for, noord):
    from tenants.services import update_organisation

    visitor = client_for("portal.noord.test")
    assert site(visitor).json()["name"] == "Warmtenet Noord"
    update_organisation(organisation=noord, name="Warmtenet Noord-Oost")
    assert site(visitor).json()["name"] == "Warmtenet Noord-Oost"


def test_email_template_editing(noord_client):
    staff = as_staff(noord_client)
    url = "/api/admin/configuration/emails/password_reset/en/"
    unsafe = staff.put(url, {"subject": "Hi", "body_text": "{% debug %}", "body_html": ""}, format="json")
    assert unsafe.status_code == 400
    assert "body_text" in unsafe.json()
    saved = staff.put(
        url,
        {
            "subject": "Reset for {{ organisation_name }}",
            "body_text": "Go: {{ reset_url }} {{ secret_thing }}",
            "body_html": '<p onclick=x>Go <a href="{{ reset_url }}">here</a></p>',
        },
        format="json",
    )
    assert saved.status_code == 200
    body = saved.json()
    assert body["customised"] is True
    assert "onclick" not in body["body_html"]
    assert [w["code"] for w in body["warnings"]] == ["unknown_variable"]
    listing = staff.get("/api/admin/configuration/emails/").json()
    entry = next(row for row in listing if row["key"] == "password_reset")
    assert entry["templates"]["en"]["customised"] is True
    assert entry["templates"]["nl"]["customised"] is False
    reset = staff.delete(url).json()
    assert reset["customised"] is False
    assert staff.get("/api/admin/configuration/emails/nothing/en/").status_code == 404


BILLING = "/api/admin/configuration/billing/"


def test_billing_settings(noord_client):
    staff = as_staff(noord_client)
    response = staff.patch(BILLING, {"minimum_advance_amount": "15.00"}, format="json")
    assert response.json() == {"currency": "EUR", "minimum_advance_amount": "15.00"}
    negative = staff.patch(BILLING, {"minimum_advance_amount": "-1"}, format="json")
    assert negative.status_code == 400
    assert negative.json() == {
        "code": "invalid_range",
        "minimum_advance_amount": ["The minimum advance cannot be negative."],
    }
    not_a_number = staff.patch(BILLING, {"minimum_advance_amount": "a lot"}, format="json")
    assert not_a_number.status_code == 400
    assert not_a_number.json() == {
        "code": "invalid",
        "minimum_advance_amount": ["A valid number is required."],
    }
    missing = staff.patch(BILLING, {}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {"code": "invalid", "minimum_advance_amount": ["This field is required."]}
    assert staff.get(BILLING).json()["minimum_advance_amount"] == "15.00"  # nothing half-written


@pytest.mark.parametrize(
    ("payload", "field", "code", "message"),
    [
        ({"primary_colour": ""}, "primary_colour", "invalid", "This field may not be blank."),
        ({"secondary_colour": ""}, "secondary_colour", "invalid", "This field may not be blank."),
        (
            {"primary_colour": "#12345g"},
            "primary_colour",
            "invalid",
            "Enter a colour as #rrggbb, e.g. #0b5394.",
        ),
        (
            {"secondary_colour": "red"},
            "secondary_colour",
            "invalid",
            "Enter a colour as #rrggbb, e.g. #0b5394.",
        ),
        (
            {"primary_colour": "#00000000"},
            "primary_colour",
            "invalid",
            "Enter a colour as #rrggbb, e.g. #0b5394.",
        ),
        (
            {"logo": lambda: svg_file("<script>alert(1)</script>")},
            "logo",
            "unsafe_svg",
            "The SVG contains <script>, which is not allowed.",
        ),
        (
            {"logo": lambda: SimpleUploadedFile("logo.png", b"GIF89a not really a png")},
            "logo",
            "invalid_file_type",
            "Upload a PNG, JPG or SVG image.",
        ),
        (
            {"logo": lambda: image_file("big.png", "PNG", extra_bytes=600 * 1024)},
            "logo",
            "file_too_large",
            "The file is too large: at most 500 KB.",
        ),
    ],
)
def test_general_preferences_validation(noord_client, payload, field, code, message):
    staff = as_staff(noord_client)
    before = staff.get(GENERAL).json()
    data = {name: value() if callable(value) else value for name, value in payload.items()}
    # A valid change next to the bad one must not be half-written either.
    other = "secondary_colour" if field != "secondary_colour" else "primary_colour"
    data.setdefault(other, "#1a7f37")
    response = staff.patch(GENERAL, data, format="multipart" if "logo" in data else "json")
    assert response.status_code == 400
    assert response.json() == {"code": code, field: [message]}
    assert staff.get(GENERAL).json() == before


def test_pages_list(noord_client):
    pages = as_staff(noord_client).get("/api/admin/configuration/pages/").json()
    assert {"key": "overview", "label": "Overview"} in pages


def test_message_list_filters_by_page_and_refuses_an_unknown_one(noord_client):
    staff = as_staff(noord_client)
    home = staff.post(MESSAGES, {"page": "home", "bodies": {"en": "<p>home</p>"}}, format="json").json()
    staff.post(MESSAGES, {"page": "faq", "bodies": {"en": "<p>faq</p>"}}, format="json")
    listed = staff.get(MESSAGES, {"page": "home"})
    assert [message["id"] for message in listed.json()] == [home["id"]]
    assert listed.json()[0]["warnings"] == []  # the same shape as a save's answer
    assert staff.get(f"{MESSAGES}{home['id']}/").json()["warnings"] == []
    assert len(staff.get(MESSAGES).json()) == 2
    unknown = staff.get(MESSAGES, {"page": "nowhere"})
    assert unknown.status_code == 400
    assert unknown.json() == {"code": "invalid", "page": ['"nowhere" is not a valid choice.']}
