"""Contrast warnings for brand colours: one per way the portal uses them (WCAG 2.1 AA).

The portal puts text on the primary colour (header, buttons, tabs, steps) and on the secondary
colour (footer, table headings, badges) in white or near-black, whichever reads better; nothing
can fix a colour on which neither reaches 4.5:1. Links and chart legends (text, 4.5:1) and chart
bars, borders and checkboxes (shapes, 3:1) use the primary colour on light backgrounds: when it
is too light for that, the portal uses a darker shade of it instead (``colours.darkened_until``),
and the warning names that shade, so staff know their colour is not shown as chosen there. The
secondary colour is also meant for accents and icons on white (3:1). Colours are saved anyway.
"""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from .colours import (
    AA_LARGE_TEXT_AND_UI,
    AA_NORMAL_TEXT,
    WHITE,
    best_text_colour,
    contrast_ratio,
    darkened_until,
    worst_contrast,
)
from .rich_text import sanitise
from .rich_text_colours import Adjustment, Surface, readable_colours


def _ratio(value: float) -> float:
    """Rounded down, so that 4.46:1 never reads as the 4.5:1 it fails."""
    return math.floor(value * 10) / 10


def _warning(field: str, use: str, detail: str) -> dict:
    return {"field": field, "code": "low_contrast", "use": use, "detail": detail}


def colour_warnings(primary: str, secondary: str) -> list[dict]:
    """A ``low_contrast`` warning per use below WCAG 2.1 AA; ``use`` says which one."""
    return [*_primary_warnings(primary), *_secondary_warnings(secondary)]


def _primary_warnings(primary: str) -> list[dict]:
    """Text on the primary colour; links, legends and shapes in it on the light backgrounds."""
    warnings = []
    ratio = contrast_ratio(primary, best_text_colour(primary))
    if ratio < AA_NORMAL_TEXT:
        warnings.append(
            _warning(
                "primary_colour",
                "text_on_primary",
                _(
                    "Text on this primary colour has a contrast of %(ratio).1f:1; WCAG 2.1 AA asks for at least 4.5:1."
                )
                % {"ratio": _ratio(ratio)},
            )
        )
    on_backgrounds = worst_contrast(primary)
    if on_backgrounds < AA_NORMAL_TEXT:
        warnings.append(
            _warning(
                "primary_colour",
                "links",
                _(
                    "Links and chart legends in this primary colour would have a contrast of %(ratio).1f:1 on "
                    "the portal's backgrounds; WCAG 2.1 AA asks for at least 4.5:1, so the portal shows them "
                    "in the darker shade %(shade)s."
                )
                % {"ratio": _ratio(on_backgrounds), "shade": darkened_until(primary, AA_NORMAL_TEXT)},
            )
        )
    if on_backgrounds < AA_LARGE_TEXT_AND_UI:
        warnings.append(
            _warning(
                "primary_colour",
                "graphics",
                _(
                    "Chart bars, borders and checkboxes in this primary colour would have a contrast of "
                    "%(ratio).1f:1 on the portal's backgrounds; WCAG 2.1 AA asks for at least 3:1, so the "
                    "portal outlines or draws them in the darker shade %(shade)s."
                )
                % {"ratio": _ratio(on_backgrounds), "shade": darkened_until(primary, AA_LARGE_TEXT_AND_UI)},
            )
        )
    return warnings


def _secondary_warnings(secondary: str) -> list[dict]:
    """Text on the secondary colour (footer, table headings, badges); icons in it on white."""
    warnings = []
    ratio = contrast_ratio(secondary, best_text_colour(secondary))
    if ratio < AA_NORMAL_TEXT:
        warnings.append(
            _warning(
                "secondary_colour",
                "text_on_secondary",
                _(
                    "Text on this secondary colour (footer, table headings, badges) has a contrast of "
                    "%(ratio).1f:1; WCAG 2.1 AA asks for at least 4.5:1."
                )
                % {"ratio": _ratio(ratio)},
            )
        )
    ratio = contrast_ratio(secondary, WHITE)
    if ratio < AA_LARGE_TEXT_AND_UI:
        warnings.append(
            _warning(
                "secondary_colour",
                "icons",
                _(
                    "Icons in this secondary colour have a contrast of %(ratio).1f:1 on white; WCAG 2.1 AA asks for at least 3:1."
                )
                % {"ratio": _ratio(ratio)},
            )
        )
    return warnings


def _rich_text_detail(adjustment: Adjustment, surface: Surface) -> str:
    values = {
        "colour": adjustment.colour,
        "ratio": _ratio(adjustment.ratio),
        "background": surface.label,
        "shade": adjustment.shade,
    }
    if not adjustment.shade:
        return _("The text colour %(colour)s makes the text invisible, so it is left out.") % values
    if adjustment.use == "highlight":
        return (
            _(
                "Text on the highlight colour %(colour)s has a contrast of %(ratio).1f:1 (on %(background)s); "
                "WCAG 2.1 AA asks for at least 4.5:1, so the highlight is shown in the shade %(shade)s."
            )
            % values
        )
    return (
        _(
            "The text colour %(colour)s has a contrast of %(ratio).1f:1 on %(background)s; WCAG 2.1 AA asks "
            "for at least 4.5:1, so it is shown in the shade %(shade)s."
        )
        % values
    )


def rich_text_warnings(html: str, *, surface: Surface, field: str) -> list[dict]:
    """A ``low_contrast`` warning per colour in staff's rich text that is not shown as chosen on
    ``surface`` (``use``: ``text_colour`` or ``highlight``); the text is saved as written."""
    _shown, adjustments = readable_colours(sanitise(html), surface=surface)
    unique: dict[tuple[str, str, str], Adjustment] = {}
    for adjustment in adjustments:  # a colour used twice the same way is named once
        unique.setdefault((adjustment.use, adjustment.colour, adjustment.shade), adjustment)
    return [
        _warning(field, adjustment.use, _rich_text_detail(adjustment, surface))
        for adjustment in unique.values()
    ]
