"""Contrast warnings cover every way the portal uses the brand colours, and name the shade it
uses instead when a colour is too light for links or shapes."""

from __future__ import annotations

import re

import pytest

from configuration.colours import BACKGROUNDS, contrast_ratio, darkened_until
from configuration.contrast import colour_warnings
from tests.support.configuration import GENERAL, PREFS, as_staff

LINKS, GRAPHICS = ("primary_colour", "links"), ("primary_colour", "graphics")
TEXT_ON_PRIMARY, TEXT_ON_SECONDARY = (
    ("primary_colour", "text_on_primary"),
    ("secondary_colour", "text_on_secondary"),
)
ICONS = ("secondary_colour", "icons")


def uses(warnings: list[dict]) -> set[tuple[str, str]]:
    assert {warning["code"] for warning in warnings} <= {"low_contrast"}
    return {(warning["field"], warning["use"]) for warning in warnings}


@pytest.mark.parametrize(
    ("primary", "secondary", "expected"),
    [
        ("#0b5394", "#1a7f37", set()),
        # Noord's green: 5.1:1 on white but 4.4:1 behind an important message, so links get #1a7e36.
        ("#1a7f37", "#0969da", {LINKS}),
        # Yellow: black text reads well on it, but as links (2.77:1 on white) or bars (1.42:1) it fails.
        ("#ffd500", "#0b5394", {LINKS, GRAPHICS}),
        # Mid grey: white text just below 4.5:1, links too; shapes are fine at 3:1.
        ("#777777", "#0b5394", {TEXT_ON_PRIMARY, LINKS}),
        # Orange: near-black text just passes (4.53:1); links do not (3.1:1); shapes are fine.
        ("#e36209", "#0b5394", {LINKS}),
        # A grey secondary on which neither white nor near-black text reaches 4.5:1; icons are fine.
        ("#0b5394", "#7a7a7a", {TEXT_ON_SECONDARY}),
        # A pale secondary: text on it is fine, icons in it on white are not.
        ("#0b5394", "#eeeeee", {ICONS}),
        ("#ffff66", "#f1c232", {LINKS, GRAPHICS, ICONS}),
    ],
)
def test_a_warning_for_every_use_below_wcag_aa(primary, secondary, expected):
    assert uses(colour_warnings(primary, secondary)) == expected


def test_yellow_gets_the_ratios_and_the_shades_the_portal_uses():
    details = {warning["use"]: warning["detail"] for warning in colour_warnings("#ffd500", "#0b5394")}
    link, shape = darkened_until("#ffd500", 4.5), darkened_until("#ffd500", 3.0)
    assert min(contrast_ratio(link, background) for background in BACKGROUNDS) >= 4.5
    assert min(contrast_ratio(shape, background) for background in BACKGROUNDS) >= 3.0
    assert contrast_ratio(darkened_until("#ffd500", 4.5, ("#ffffff",)), "#ffffff") < 4.6  # just dark enough
    # 1.42:1 on white; the darkest message background (important, #fdecec) makes it 1.24:1.
    assert details["links"] == (
        "Links and chart legends in this primary colour would have a contrast of 1.2:1 on the portal's "
        f"backgrounds; WCAG 2.1 AA asks for at least 4.5:1, so the portal shows them in the darker shade {link}."
    )
    assert details["graphics"] == (
        "Chart bars, borders and checkboxes in this primary colour would have a contrast of 1.2:1 on the "
        f"portal's backgrounds; WCAG 2.1 AA asks for at least 3:1, so the portal outlines or draws them in "
        f"the darker shade {shape}."
    )


def test_a_colour_that_passes_is_used_as_it_is():
    assert darkened_until("#0b5394", 4.5) == "#0b5394"


def test_ratios_are_rounded_down_so_a_failing_ratio_never_reads_as_passing():
    [warning] = [w for w in colour_warnings("#777777", "#0b5394") if w["use"] == "text_on_primary"]
    assert "4.4:1" in warning["detail"]  # 4.48:1


def test_saving_yellow_answers_the_warnings(noord_client):
    staff = as_staff(noord_client)
    response = staff.patch(
        PREFS,
        {"use_organisation_colours": False, "primary_colour": "#ffd500", "secondary_colour": "#0b5394"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["primary_colour"] == "#ffd500"  # saved all the same
    assert uses(response.json()["warnings"]) == {LINKS, GRAPHICS}
    general = staff.patch(
        GENERAL, {"primary_colour": "#ffd500", "secondary_colour": "#eeeeee"}, format="json"
    )
    assert general.status_code == 200
    assert uses(general.json()["warnings"]) == {LINKS, GRAPHICS, ICONS}


def test_the_shades_in_the_warnings_are_the_ones_the_portal_stylesheet_gets(noord_client, client_for):
    response = as_staff(noord_client).patch(
        PREFS,
        {"use_organisation_colours": False, "primary_colour": "#ffd500", "secondary_colour": "#0b5394"},
        format="json",
    )
    shades = {
        warning["use"]: re.search(r"#[0-9a-f]{6}", warning["detail"]).group()
        for warning in response.json()["warnings"]
    }
    css = client_for("portal.noord.test").get("/branding.css").content.decode()
    variables = dict(re.findall(r"(--[a-z-]+):\s*(#[0-9a-f]{6})", css))
    assert variables["--primary"] == "#ffd500"
    assert variables["--link"] == shades["links"]
    assert variables["--primary-strong"] == shades["graphics"]
