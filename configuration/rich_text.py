"""Allow-list sanitising of staff-written rich text (page messages, FAQ answers, email templates).

Kept: headings, paragraphs, line breaks, bold, italic, underline, strikethrough, numbered and
bulleted lists, links (http, https, mailto, tel) and text and background colours. Everything else
(scripts, event handlers, ``javascript:`` URLs, other styles, images, iframes, forms) is removed.

``display_html`` is the one way staff's HTML reaches a resident: the final HTML (after a template
language filled it in, whenever it was saved) is sanitised again and its colours made readable on
the surface it is shown on. Sanitising at save only shows staff what will be kept.
"""

from __future__ import annotations

import re

import nh3
from django.utils.safestring import SafeString, mark_safe

from .rich_text_colours import Surface, readable_colours

TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "strike",
    "del",
    "ol",
    "ul",
    "li",
    "a",
    "span",
}
_COLOUR = re.compile(
    r"^(#[0-9a-f]{3}|#[0-9a-f]{6}|rgba?\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*(,\s*(0|1|0?\.\d+)\s*)?\)|[a-z]{3,20})$"
)
_STYLE_PROPERTIES = {"color", "background-color"}


def _clean_style(value: str) -> str | None:
    kept = []
    for declaration in value.split(";"):
        if ":" not in declaration:
            continue
        name, _sep, raw = declaration.partition(":")
        name, raw = name.strip().lower(), raw.strip().lower()
        if name in _STYLE_PROPERTIES and _COLOUR.match(raw) and raw not in {"expression", "inherit"}:
            kept.append(f"{name}: {raw}")
    return "; ".join(kept) or None


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "style":
        return _clean_style(value)
    return value


_CLEANER = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags={
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "template",
        "noscript",
        "svg",
        "math",
    },
    attributes={"a": {"href", "title", "style"}, "span": {"style"}, "p": {"style"}, "li": {"style"}},
    attribute_filter=_attribute_filter,
    url_schemes={"http", "https", "mailto", "tel"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def sanitise(html: str) -> str:
    return _CLEANER.clean(html or "").strip()


def display_html(html: str, *, surface: Surface) -> SafeString:
    """Staff's HTML as a resident gets it: through the allow-list, colours readable on ``surface``."""
    readable, _adjusted = readable_colours(sanitise(html), surface=surface)
    return mark_safe(readable)  # the allow-list's own output, only colours changed


def text_length(html: str) -> int:
    """Visible characters, for the recommended-length warning."""
    return len(" ".join(nh3.clean(html or "", tags=set()).split()))
