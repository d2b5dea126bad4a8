"""Colours staff put in rich text meet WCAG 2.1 AA (4.5:1) against the background they appear on:
adjusted to the nearest passing shade when shown, and named in a warning when saved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from communications.services import queue_email
from configuration.colours import AA_NORMAL_TEXT, contrast_ratio, parse_colour
from configuration.rich_text import display_html
from configuration.rich_text_colours import EMAIL_SURFACE, FAQ_SURFACE, MESSAGE_SURFACES, PORTAL_TEXT
from tenants.models import Organisation
from tests.support.configuration import MESSAGES, as_staff, site

ROOT = Path(__file__).resolve().parent.parent
WARNING = MESSAGE_SURFACES["warning"]


def colours_in(html: str) -> list[tuple[str, str]]:
    return re.findall(r"(?<![-\w])(color|background-color): ([^;\"]+)", html)


def _colour(value: str) -> str:
    parsed = parse_colour(value)
    assert parsed is not None, value
    assert parsed[1] == 1, value
    return parsed[0]


@pytest.mark.parametrize("kind", ["neutral", "warning", "important"])
@pytest.mark.parametrize("colour", ["#9e6500", "#777777", "red", "rgb(200, 120, 0)", "#ffd500", "#e8f1f4"])
def test_a_text_colour_below_aa_is_shown_in_its_nearest_readable_shade(kind, colour):
    surface = MESSAGE_SURFACES[kind]
    [background] = surface.backgrounds
    shown = display_html(f'<p>Notice <span style="color: {colour}">hot water off</span></p>', surface=surface)
    [(name, value)] = colours_in(shown)
    assert name == "color"
    assert contrast_ratio(_colour(value), background) >= AA_NORMAL_TEXT, (colour, value)
    if contrast_ratio(_colour(colour), background) >= AA_NORMAL_TEXT:
        assert value == colour  # a readable colour is kept as staff wrote it
    else:  # the nearest shade: one step (1 %) less towards black or white would not pass
        assert contrast_ratio(_colour(value), background) < AA_NORMAL_TEXT + 0.6


def test_the_reviewers_colour_on_the_warning_background():
    """4.44:1 on the warning background (#fff4d6): shown one step darker, at 4.5:1 or more."""
    assert 4.43 < contrast_ratio("#9e6500", "#fff4d6") < 4.45
    shown = display_html('<p><span style="color: #9e6500">x</span></p>', surface=WARNING)
    assert shown == '<p><span style="color: #9c6400">x</span></p>'
    assert contrast_ratio("#9c6400", "#fff4d6") >= AA_NORMAL_TEXT


def test_text_on_a_highlight_is_judged_against_the_highlight():
    # Text in the message's own colour on a dark highlight: the highlight is lightened.
    shown = display_html('<p><span style="background-color: navy">dark</span></p>', surface=WARNING)
    [(_name, highlight)] = colours_in(shown)
    assert contrast_ratio(PORTAL_TEXT, _colour(highlight)) >= AA_NORMAL_TEXT
    # Staff's own pair is kept when it reads well, even when each alone would fail on the surface.
    pair = '<p><span style="color: yellow"><span style="background-color: black">yellow on black</span></span></p>'
    assert display_html(pair, surface=WARNING) == pair
    # A light colour on a light highlight is darkened against the highlight.
    shown = display_html(
        '<p><span style="color: #aaaaaa; background-color: #ffffcc">pale</span></p>', surface=WARNING
    )
    values = dict(colours_in(shown))
    assert values["background-color"] == "#ffffcc"
    assert contrast_ratio(_colour(values["color"]), "#ffffcc") >= AA_NORMAL_TEXT


def test_a_link_on_a_highlight_takes_the_readable_colour_of_the_text_around_it():
    shown = display_html(
        '<p><span style="color: white; background-color: #0b5394">Read <a href="https://example.test/">this</a></span></p>',
        surface=WARNING,
    )
    assert '<a href="https://example.test/" rel="noopener noreferrer nofollow" style="color: white">' in shown
    # On the surface itself a link keeps the portal's link colour (readable on every background).
    plain = display_html(
        '<p><span style="color: #0b5394">Read <a href="https://example.test/">this</a></span></p>',
        surface=WARNING,
    )
    assert 'rel="noopener noreferrer nofollow">this</a>' in plain


def test_colours_that_paint_nothing_are_dropped_and_text_keeps_its_entities():
    shown = display_html(
        '<p><span style="color: transparent">a</span> <span style="color: nonsense">b</span> &amp; &lt;c&gt; "d"</p>',
        surface=WARNING,
    )
    assert shown == '<p><span>a</span> <span>b</span> &amp; &lt;c&gt; "d"</p>'


def test_semi_transparent_colours_are_judged_as_painted():
    shown = display_html('<ul><li style="color: rgba(0, 0, 0, 0.3)">faint</li></ul>', surface=WARNING)
    [(_name, value)] = colours_in(shown)
    assert contrast_ratio(_colour(value), "#fff4d6") >= AA_NORMAL_TEXT


def test_the_surfaces_are_the_backgrounds_of_the_stylesheet_and_the_email_layout():
    css = (ROOT / "portal_web" / "static" / "portal" / "portal.css").read_text()
    variables = dict(re.findall(r"(--[a-z-]+):\s*(#[0-9a-f]{6})", css))
    assert MESSAGE_SURFACES["neutral"].backgrounds == (variables["--info-bg"],)
    assert MESSAGE_SURFACES["warning"].backgrounds == (variables["--warning-bg"],)
    assert MESSAGE_SURFACES["important"].backgrounds == (variables["--error-bg"],)
    assert set(FAQ_SURFACE.backgrounds) == {variables["--page"], variables["--surface"]}
    assert variables["--text"] == PORTAL_TEXT
    layout = (ROOT / "communications" / "templates" / "emails" / "base.html").read_text()
    assert f"color:{EMAIL_SURFACE.text};" in layout
    assert (
        'style="padding:24px;font-size:15px;line-height:1.5;"><!--content-->' in layout
    )  # on the white table
    assert "max-width:600px;background:#ffffff;" in layout


# -- staff are warned when they save -------------------------------------------------------------------


def test_saving_a_message_names_each_colour_below_aa_and_the_message_type(noord_client, client_for):
    staff = as_staff(noord_client)
    created = staff.post(
        MESSAGES,
        {
            "page": "overview",
            "kind": "warning",
            "bodies": {
                "en": '<p><span style="color: #9e6500">Hot water</span> <span style="color: #1a7f37">ok</span></p>',
                "nl": '<p><span style="background-color: navy">Warm water</span></p>',
            },
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    warnings = created.json()["warnings"]
    assert [(w["field"], w["code"], w["use"]) for w in warnings] == [
        ("bodies.en", "low_contrast", "text_colour"),
        ("bodies.nl", "low_contrast", "highlight"),
    ]
    assert warnings[0]["detail"] == (
        "The text colour #9e6500 has a contrast of 4.4:1 on the background of warning messages; "
        "WCAG 2.1 AA asks for at least 4.5:1, so it is shown in the shade #9c6400."
    )
    assert "navy" in warnings[1]["detail"]
    assert "warning messages" in warnings[1]["detail"]
    # Saved as written; shown in the readable shade, on the API and on the page alike.
    assert "#9e6500" in created.json()["bodies"]["en"]
    [message] = site(client_for("portal.noord.test"), "overview").json()["messages"]
    assert "color: #9c6400" in message["html"]
    assert "#9e6500" not in message["html"]

    # The same colour in an important message: judged against that background.
    changed = staff.patch(f"{MESSAGES}{created.json()['id']}/", {"kind": "important"}, format="json")
    assert changed.status_code == 200
    assert any("important messages" in w["detail"] for w in changed.json()["warnings"])
    readable = staff.patch(
        f"{MESSAGES}{created.json()['id']}/",
        {"bodies": {"en": '<p><span style="color: #1a1a1a">fine</span></p>'}},
        format="json",
    )
    assert readable.json()["warnings"] == []


def test_saving_an_email_template_warns_and_the_email_is_sent_readable(noord_client):
    staff = as_staff(noord_client)
    saved = staff.put(
        "/api/admin/configuration/emails/password_changed/en/",
        {
            "subject": "Changed",
            "body_text": "Your password was changed.",
            "body_html": '<p><span style="color: #aaaaaa">Your password was changed.</span></p>',
        },
        format="json",
    )
    assert saved.status_code == 200, saved.content
    [warning] = [w for w in saved.json()["warnings"] if w["code"] == "low_contrast"]
    assert warning["field"] == "body_html"
    assert "#aaaaaa" in warning["detail"]
    assert "white background of emails" in warning["detail"]
    with schema_context("org_noord"):
        email = queue_email(
            template="password_changed",
            to="resident@example.test",
            language="en",
            organisation=Organisation.objects.get(slug="noord"),
        )
    content = email.body_html.split("<!--content-->")[1].split("<!--/content-->")[0]
    [(_name, value)] = colours_in(content)
    assert contrast_ratio(_colour(value), "#ffffff") >= AA_NORMAL_TEXT


def test_an_emails_brand_colours_are_readable_with_a_light_primary_colour(db):
    """The layout's header and buttons put text on the primary colour, its links use it on white."""
    from configuration.models import GeneralPreferences, PortalPreferences

    with schema_context("org_noord"):
        PortalPreferences.objects.current()
        PortalPreferences.objects.update(use_organisation_colours=True)
        GeneralPreferences.objects.current()
        GeneralPreferences.objects.update(primary_colour="#ffd500")
        email = queue_email(
            template="password_reset",
            to="resident@example.test",
            language="en",
            organisation=Organisation.objects.get(slug="noord"),
            context={"reset_url": "https://portal.noord.test/reset-password/x", "expires_at": None},
        )
    on_primary = re.findall(r"background:#ffd500;[^\"]*?color:(#[0-9a-f]{6})", email.body_html)
    assert len(on_primary) == 2  # the header and the button
    assert all(contrast_ratio(colour, "#ffd500") >= AA_NORMAL_TEXT for colour in on_primary)
    links = re.findall(r'<a href="[^"]+" style="color:(#[0-9a-f]{6});">', email.body_html)
    assert links  # the portal link in the footer
    assert all(contrast_ratio(colour, "#ffffff") >= AA_NORMAL_TEXT for colour in links)


def test_an_faq_answer_is_warned_about_and_shown_readable_on_the_page(noord_client, client_for):
    staff = as_staff(noord_client)
    category = staff.post("/api/admin/faq/categories/", {"names": {"en": "Heat"}}, format="json").json()
    entry = staff.post(
        "/api/admin/faq/entries/",
        {
            "category": category["id"],
            "questions": {"en": "Is the water hot?"},
            "answers": {"en": '<p><span style="color: #999999">Yes, 65 °C.</span></p>'},
        },
        format="json",
    )
    assert entry.status_code == 201, entry.content
    [warning] = entry.json()["warnings"]
    assert (warning["field"], warning["code"], warning["use"]) == (
        "answers.en",
        "low_contrast",
        "text_colour",
    )
    assert "#999999" in warning["detail"]
    assert "FAQ page" in warning["detail"]
    listed = staff.get("/api/admin/faq/entries/").json()
    assert listed[0]["warnings"] == [warning]  # shown again whenever staff look at it
    [shown] = client_for("portal.noord.test").get("/api/support/faq/").json()
    [(_name, value)] = colours_in(shown["entries"][0]["answer"])
    assert min(contrast_ratio(_colour(value), background) for background in FAQ_SURFACE.backgrounds) >= 4.5
