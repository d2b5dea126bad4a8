"""The organisation's colours as the portal's CSS variables, adjusted where contrast needs it.

Brand colours are chosen by staff and may be light (a yellow, a pastel). Text in a brand colour
(links) must reach 4.5:1 and shapes in it (chart bars, borders, button edges) 3:1 against every
background the stylesheet puts them on (WCAG 2.1 AA, 1.4.3 and 1.4.11), so those uses get the
brand colour darkened just enough; a colour that already passes is used as it is.
"""

from __future__ import annotations

from configuration.colours import (
    AA_LARGE_TEXT_AND_UI,
    AA_NORMAL_TEXT,
    best_text_colour,
    darkened_until,
)

# The backgrounds and the darkening live in configuration.colours, so the shades in the staff's
# contrast warnings are exactly the ones this stylesheet uses.


def css_variables(branding: dict) -> dict[str, str]:
    primary, secondary = branding["primary_colour"], branding["secondary_colour"]
    return {
        "--primary": primary,
        "--primary-text": branding["primary_text_colour"],
        "--primary-strong": darkened_until(primary, AA_LARGE_TEXT_AND_UI),
        "--link": darkened_until(primary, AA_NORMAL_TEXT),
        "--secondary": secondary,
        "--secondary-text": best_text_colour(secondary),
    }
