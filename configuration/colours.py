"""Colour values and WCAG 2.1 contrast."""

from __future__ import annotations

import re

from tinycss2.color3 import parse_color

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
WHITE, BLACK = "#ffffff", "#1f2328"
AA_NORMAL_TEXT = 4.5
AA_LARGE_TEXT_AND_UI = 3.0


def normalise_colour(value: str) -> str | None:
    """``#rrggbb`` in lower case, or None when ``value`` is not a hex colour."""
    match = _HEX.match((value or "").strip())
    if not match:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(char * 2 for char in digits)
    return f"#{digits}"


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def best_text_colour(background: str) -> str:
    """White or near-black, whichever reads better on ``background``."""
    return WHITE if contrast_ratio(background, WHITE) >= contrast_ratio(background, BLACK) else BLACK


# Every background of the portal stylesheet (portal_web/static/portal/portal.css) that links and
# brand-coloured shapes sit on: surface, page, and the info, warning, error and success messages.
BACKGROUNDS = ("#ffffff", "#f5f7f9", "#eaf3fb", "#fff4d6", "#fdecec", "#e6f4ea")


def mix(colour: str, other: str, share: float) -> str:
    """``colour`` with ``share`` (0..1) of ``other`` mixed in, per sRGB channel, as #rrggbb."""
    channels = (
        round(int(colour[i : i + 2], 16) * (1 - share) + int(other[i : i + 2], 16) * share) for i in (1, 3, 5)
    )
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def worst_contrast(colour: str, backgrounds: tuple[str, ...] = BACKGROUNDS) -> float:
    return min(contrast_ratio(colour, background) for background in backgrounds)


def darkened_until(colour: str, ratio: float, backgrounds: tuple[str, ...] = BACKGROUNDS) -> str:
    """The lightest shade of ``colour`` (mixed with black in 1 % steps) that reaches ``ratio``
    against every background: what the portal uses for links (4.5:1) and shapes (3:1)."""
    for step in range(101):
        candidate = mix(colour, "#000000", step / 100)
        if worst_contrast(candidate, backgrounds) >= ratio:
            return candidate
    return "#000000"


def parse_colour(value: str) -> tuple[str, float] | None:
    """A CSS colour (hex, ``rgb()``, ``rgba()``, ``hsl()``, a named colour) as ``(#rrggbb, alpha)``;
    None when it is not a colour a browser would paint (unknown names, ``currentColor``)."""
    parsed = parse_color(value or "")
    if parsed is None or isinstance(parsed, str):
        return None
    channels = (min(255, max(0, round(channel * 255))) for channel in parsed[:3])
    return "#" + "".join(f"{channel:02x}" for channel in channels), float(parsed.alpha)


def over(colour: str, alpha: float, background: str) -> str:
    """What ``colour`` at ``alpha`` opacity looks like painted on ``background``."""
    return mix(background, colour, alpha)


def readable_shade(colour: str, backgrounds: tuple[str, ...], ratio: float = AA_NORMAL_TEXT) -> str:
    """The shade of ``colour`` nearest to it (mixed with black or with white in 1 % steps) that
    reaches ``ratio`` against every one of ``backgrounds``; ``colour`` itself when it already does."""
    for step in range(101):
        passing = [
            candidate
            for candidate in (mix(colour, "#000000", step / 100), mix(colour, "#ffffff", step / 100))
            if worst_contrast(candidate, backgrounds) >= ratio
        ]
        if passing:
            return max(passing, key=lambda candidate: worst_contrast(candidate, backgrounds))
    return max(("#000000", "#ffffff"), key=lambda candidate: worst_contrast(candidate, backgrounds))
