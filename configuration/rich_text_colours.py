"""Staff's text and highlight colours in rich text, made readable where the text is shown (WCAG 2.1 AA).

Rich text always appears on a known surface: a page message on the background of its kind, an FAQ
answer on the page, an email's content on white. Every piece of text is judged by the colour it
is painted in against what is behind it (the surface, or the highlights staff put around it):

- text in the surface's own colour on a highlight below 4.5:1: the highlight becomes its nearest
  shade that reaches 4.5:1;
- text in a colour staff chose below 4.5:1 on any background it sits on: the colour becomes its
  nearest shade that reaches 4.5:1 on all of them;
- a colour that paints nothing (``transparent``) is dropped, as are values that are no colour;
- a link on a highlight is given the (readable) colour of the text around it, since the portal's
  link colour is only guaranteed on the surface.

One pass gives the HTML shown and the changes, from which staff's warnings are made at save.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .colours import AA_NORMAL_TEXT, contrast_ratio, over, parse_colour, readable_shade, worst_contrast

VOID = {"br"}


@dataclass(frozen=True)
class Surface:
    """Where rich text is shown: the backgrounds behind it and the colour of its text there."""

    label: Promise  # for staff's warnings, e.g. "the background of warning messages"
    backgrounds: tuple[str, ...]
    text: str


# The backgrounds of portal_web/static/portal/portal.css (.page-message by kind; the page behind
# the FAQ) and of the content cell of communications/templates/emails/base.html, with their text colour.
PORTAL_TEXT = "#1b1f23"
MESSAGE_SURFACES = {
    "neutral": Surface(_("the background of neutral messages"), ("#eaf3fb",), PORTAL_TEXT),
    "warning": Surface(_("the background of warning messages"), ("#fff4d6",), PORTAL_TEXT),
    "important": Surface(_("the background of important messages"), ("#fdecec",), PORTAL_TEXT),
}
FAQ_SURFACE = Surface(_("the background of the FAQ page"), ("#f5f7f9", "#ffffff"), PORTAL_TEXT)
EMAIL_SURFACE = Surface(_("the white background of emails"), ("#ffffff",), "#1f2328")


@dataclass(frozen=True)
class Adjustment:
    """A colour staff chose that is not shown as chosen: ``shade`` instead, or nothing (``""``)."""

    use: str  # "text_colour" or "highlight"
    colour: str
    ratio: float
    shade: str


@dataclass(eq=False)
class _Element:
    tag: str
    attrs: list[tuple[str, str | None]]
    start: str  # the start tag as the sanitiser wrote it
    declared: dict[str, str]  # color / background-color as written
    colour: tuple[str, float] | None = None
    highlight: tuple[str, float] | None = None
    children: list = field(default_factory=list)
    shown: dict[str, str] = field(default_factory=dict)  # the values to write instead


class _Tree(HTMLParser):
    """The sanitiser's (well-formed) output as elements and raw text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.root = _Element("", [], "", {})
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        style = dict(attrs).get("style") or ""
        pairs = (declaration.partition(":") for declaration in style.split(";"))
        declared = {name.strip().lower(): value.strip() for name, sep, value in pairs if sep and name.strip()}
        element = _Element(tag, attrs, self.get_starttag_text() or "", declared)
        element.colour = parse_colour(declared.get("color", ""))
        element.highlight = parse_colour(declared.get("background-color", ""))
        self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open[-1].children.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, 0, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)

    def handle_entityref(self, name: str) -> None:
        self.open[-1].children.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.open[-1].children.append(f"&#{name};")


class _Judge:
    """Which colour each piece of text is painted in and on what; the changes that makes readable."""

    def __init__(self, surface: Surface) -> None:
        self.surface = surface
        self.adjustments: list[Adjustment] = []

    def _text_on(self, node: _Element, source, backgrounds, innermost, found: dict) -> None:
        """Collect, per colour source (an element, or None for the surface's text colour), the
        backgrounds its text sits on, and per innermost highlight the surface-coloured text on it."""
        for child in node.children:
            if isinstance(child, str):
                if child.strip():
                    found.setdefault(("text", source), set()).update(backgrounds)
                    if source is None and innermost is not None:
                        found.setdefault(("highlight", innermost), set()).update(backgrounds)
                continue
            inner_source, inner_backgrounds, inner_highlight = source, backgrounds, innermost
            highlight = self._highlight_of(child)
            if highlight is not None:
                colour, alpha = highlight
                inner_backgrounds = tuple(dict.fromkeys(over(colour, alpha, b) for b in backgrounds))
                inner_highlight = child
            if child.colour is not None and child.colour[1] > 0:
                inner_source = child
            elif child.tag == "a" and inner_backgrounds == self.surface.backgrounds:
                inner_source = "link"  # the portal's link colour, readable on the surface
            self._text_on(child, inner_source, inner_backgrounds, inner_highlight, found)

    @staticmethod
    def _highlight_of(element: _Element) -> tuple[str, float] | None:
        if "background-color" in element.shown:
            return element.shown["background-color"], 1.0
        if element.highlight is not None and element.highlight[1] > 0:
            return element.highlight
        return None

    def judge(self, root: _Element) -> None:
        found: dict = {}
        self._text_on(root, None, self.surface.backgrounds, None, found)
        for (kind, element), backgrounds in found.items():
            if kind != "highlight":
                continue
            ratio = worst_contrast(self.surface.text, tuple(backgrounds))
            if ratio < AA_NORMAL_TEXT:
                shade = readable_shade(sorted(backgrounds)[0], (self.surface.text,))
                element.shown["background-color"] = shade
                self.adjustments.append(
                    Adjustment("highlight", element.declared["background-color"], ratio, shade)
                )
        found = {}
        self._text_on(root, None, self.surface.backgrounds, None, found)
        for (kind, source), backgrounds in found.items():
            if kind != "text" or not isinstance(source, _Element):
                continue
            ordered = tuple(sorted(backgrounds))
            colour, alpha = source.colour
            ratio = min(contrast_ratio(over(colour, alpha, b), b) for b in ordered)
            if ratio < AA_NORMAL_TEXT:
                shade = readable_shade(over(colour, alpha, ordered[0]), ordered)
                source.shown["color"] = shade
                self.adjustments.append(Adjustment("text_colour", source.declared["color"], ratio, shade))

    def drop_invisible(self, node: _Element) -> None:
        for child in node.children:
            if isinstance(child, _Element):
                if child.colour is not None and child.colour[1] == 0:
                    self.adjustments.append(Adjustment("text_colour", child.declared["color"], 1.0, ""))
                self.drop_invisible(child)

    def link_colours(self, node: _Element, text: str, backgrounds: tuple[str, ...]) -> None:
        """Links on a highlight take the colour of the text around them."""
        for child in node.children:
            if not isinstance(child, _Element):
                continue
            inner_text, inner_backgrounds = text, backgrounds
            highlight = self._highlight_of(child)
            if highlight is not None:
                inner_backgrounds = tuple(
                    dict.fromkeys(over(highlight[0], highlight[1], b) for b in backgrounds)
                )
            if child.colour is not None and child.colour[1] > 0:
                inner_text = child.shown.get("color", child.declared["color"])
            elif child.tag == "a" and inner_backgrounds != self.surface.backgrounds:
                child.shown["color"] = inner_text
            self.link_colours(child, inner_text, inner_backgrounds)


def _style(element: _Element) -> str:
    kept = {}
    for name, value in element.declared.items():
        parsed = (
            element.colour if name == "color" else element.highlight if name == "background-color" else None
        )
        if name in element.shown:
            kept[name] = element.shown[name]
        elif parsed is not None and parsed[1] > 0:
            kept[name] = value
    for name, value in element.shown.items():
        kept.setdefault(name, value)
    return "; ".join(f"{name}: {value}" for name, value in kept.items())


def _write(node: _Element, out: list[str]) -> None:
    for child in node.children:
        if isinstance(child, str):
            out.append(child)
            continue
        style = _style(child)
        if style == (dict(child.attrs).get("style") or ""):
            out.append(child.start)
        else:
            attrs = [(name, value) for name, value in child.attrs if name != "style"]
            attrs += [("style", style)] if style else []
            written = "".join(
                f' {name}="{html.escape(value, quote=True)}"' if value is not None else f" {name}"
                for name, value in attrs
            )
            out.append(f"<{child.tag}{written}>")
        if child.tag not in VOID:
            _write(child, out)
            out.append(f"</{child.tag}>")


def readable_colours(sanitised_html: str, *, surface: Surface) -> tuple[str, list[Adjustment]]:
    """``sanitised_html`` (the allow-list's output) with every colour readable on ``surface``,
    and what was changed."""
    if "style=" not in sanitised_html:
        return sanitised_html, []
    tree = _Tree()
    tree.feed(sanitised_html)
    tree.close()
    judge = _Judge(surface)
    judge.drop_invisible(tree.root)
    judge.judge(tree.root)
    judge.link_colours(tree.root, surface.text, surface.backgrounds)
    out: list[str] = []
    _write(tree.root, out)
    return "".join(out), judge.adjustments
