"""SVG images by an allow-list: static drawing only, nothing that runs, animates or fetches.

An SVG must be well-formed XML (defusedxml: no DTD, no entities) with an SVG ``<svg>`` root. Every
element must be one of ``ELEMENTS`` (shapes, text, gradients, patterns, clipping, masks, markers
and filter primitives) or belong to the editor vocabularies browsers ignore (Inkscape, Sodipodi,
RDF licence metadata); every attribute one of ``ATTRIBUTES`` (geometry and presentation), ``id``
and ``class``, or an editor attribute. So no ``<script>``, ``<foreignObject>``, ``<image>``,
``<a>``, ``<animate>`` or ``<set>``, no XHTML or MathML, no event attributes. ``href`` and
``xlink:href`` may only point inside the file (``#id``). Every attribute value and every
``<style>`` sheet is also refused for ``url(...)`` that is not ``url(#id)``, CSS image functions,
``@import``, CSS escapes (which could spell those in disguise) and script URLs; processing
instructions (``<?xml-stylesheet?>``) and ``xml:base`` are refused too.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml.common import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from django.utils.translation import gettext as _

from .problems import Problem, Unacceptable

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
# Editor bookkeeping that drawing programs (Inkscape) leave in SVG files; browsers ignore these
# vocabularies, so their elements and attributes are inert.
INERT_NAMESPACES = frozenset(
    {
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://www.inkscape.org/namespaces/inkscape",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://creativecommons.org/ns#",
        "http://purl.org/dc/elements/1.1/",
    }
)
ELEMENTS = frozenset(
    {
        *("svg", "g", "defs", "symbol", "use", "switch", "title", "desc", "metadata", "style"),
        *("path", "rect", "circle", "ellipse", "line", "polyline", "polygon"),
        *("text", "tspan", "textPath"),
        *("linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker"),
        *("filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite"),
        *("feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight"),
        *("feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur"),
        *("feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight"),
        *("feSpecularLighting", "feSpotLight", "feTile", "feTurbulence"),
    }
)
_GEOMETRY = (
    *("id", "class", "style", "lang", "version", "baseProfile", "viewBox", "preserveAspectRatio"),
    *("x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr"),
    *("width", "height", "d", "points", "pathLength", "transform", "href", "type", "media"),
    *("offset", "gradientUnits", "gradientTransform", "spreadMethod", "patternUnits"),
    *("patternContentUnits", "patternTransform", "clipPathUnits", "maskUnits", "maskContentUnits"),
    *("markerUnits", "markerWidth", "markerHeight", "refX", "refY", "orient"),
    *("dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset", "method", "spacing", "side"),
    *("role", "aria-label", "aria-labelledby", "aria-describedby", "aria-hidden", "focusable"),
    "enable-background",
)
_FILTERS = (
    *("filterUnits", "primitiveUnits", "in", "in2", "result", "stdDeviation", "values", "mode"),
    *("operator", "k1", "k2", "k3", "k4", "kernelMatrix", "order", "divisor", "bias", "targetX"),
    *("targetY", "edgeMode", "preserveAlpha", "surfaceScale", "diffuseConstant", "specularConstant"),
    *("specularExponent", "kernelUnitLength", "scale", "xChannelSelector", "yChannelSelector"),
    *("azimuth", "elevation", "z", "pointsAtX", "pointsAtY", "pointsAtZ", "limitingConeAngle"),
    *("baseFrequency", "numOctaves", "seed", "stitchTiles", "radius", "tableValues", "slope"),
    *("intercept", "amplitude", "exponent"),
)
_PRESENTATION = (
    *("alignment-baseline", "baseline-shift", "clip", "clip-path", "clip-rule", "color"),
    *("color-interpolation", "color-interpolation-filters", "color-rendering", "direction"),
    *("display", "dominant-baseline", "fill", "fill-opacity", "fill-rule", "filter", "flood-color"),
    *("flood-opacity", "font", "font-family", "font-size", "font-size-adjust", "font-stretch"),
    *("font-style", "font-variant", "font-weight", "image-rendering", "isolation", "letter-spacing"),
    *("lighting-color", "marker", "marker-start", "marker-mid", "marker-end", "mask"),
    *("mix-blend-mode", "opacity", "overflow", "paint-order", "shape-rendering", "stop-color"),
    *("stop-opacity", "stroke", "stroke-dasharray", "stroke-dashoffset", "stroke-linecap"),
    *("stroke-linejoin", "stroke-miterlimit", "stroke-opacity", "stroke-width", "text-anchor"),
    *("text-decoration", "text-rendering", "transform-origin", "unicode-bidi", "vector-effect"),
    *("visibility", "word-spacing", "writing-mode"),
)
ATTRIBUTES = frozenset({*_GEOMETRY, *_FILTERS, *_PRESENTATION})
# Attributes of the xlink and xml namespaces that are allowed (xlink:href only as #id).
NAMESPACED_ATTRIBUTES = frozenset(
    {f"{{{XLINK_NAMESPACE}}}href", f"{{{XLINK_NAMESPACE}}}title", f"{{{XML_NAMESPACE}}}space"}
    | {f"{{{XML_NAMESPACE}}}lang"}
)
# A CSS function that fetches something, unless it only points inside this file (url(#id)).
_EXTERNAL = re.compile(
    r"(?:url|src)\s*\(\s*+['\"]?+\s*+(?!#)|(?:image-set|image|cross-fade)\s*\(", re.IGNORECASE
)
_SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data)\s*:", re.IGNORECASE)
_BOM = b"\xef\xbb\xbf"


def looks_like_markup(content: bytes) -> bool:
    """Whether the content starts like XML or HTML, the only thing that may be an SVG."""
    return content.removeprefix(_BOM).lstrip()[:1] == b"<"


def check_svg(content: bytes) -> None:
    """Raises ``Unacceptable``: WRONG_TYPE for markup that is no SVG image (HTML, other XML,
    broken XML), UNSAFE with the reason for an SVG that is not allowed."""
    try:
        root, instructions = _parse(content)
    except DefusedXmlException:
        raise _unsafe(_("The SVG declares a DTD or entities, which are not allowed.")) from None
    if instructions:
        raise _unsafe(
            _("The SVG contains a processing instruction (<?%(name)s?>), which is not allowed.")
            % {"name": instructions[0]}
        )
    for element in root.iter():
        if isinstance(element.tag, str):  # comments have a function as their tag
            _check_element(element)


class _Builder(TreeBuilder):
    """ElementTree drops processing instructions; this keeps their names to refuse them."""

    def __init__(self) -> None:
        super().__init__()
        self.instructions: list[str] = []

    def pi(self, target, text=None):
        self.instructions.append(target)
        return super().pi(target, text)


def _parse(content: bytes) -> tuple[Element, list[str]]:
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(content)
        root = parser.close()
    except DTDForbidden as exc:
        if (exc.name or "").lower() != "svg":
            raise Unacceptable(Problem.WRONG_TYPE) from None  # <!DOCTYPE html> and friends
        raise
    except DefusedXmlException:
        raise
    except (ParseError, LookupError, ValueError):  # LookupError: an unknown encoding
        raise Unacceptable(Problem.WRONG_TYPE) from None
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise Unacceptable(Problem.WRONG_TYPE)  # no SVG namespace: browsers show no image
    return root, builder.instructions


def _unsafe(reason: str) -> Unacceptable:
    return Unacceptable(Problem.UNSAFE, reason)


def _split(name: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree ``{namespace}local`` name."""
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        return namespace, local
    return "", name


def _check_element(element: Element) -> None:
    namespace, name = _split(element.tag)
    if namespace in INERT_NAMESPACES:
        pass
    elif namespace != SVG_NAMESPACE:
        raise _unsafe(
            _("The SVG contains <%(element)s> from outside SVG, which is not allowed.") % {"element": name}
        )
    elif name not in ELEMENTS:
        raise _unsafe(_("The SVG contains <%(element)s>, which is not allowed.") % {"element": name})
    elif name == "style":
        _check_css("".join(element.itertext()))
    for attribute, value in element.attrib.items():
        _check_attribute(attribute, value)


def _check_attribute(attribute: str, value: str) -> None:
    namespace, name = _split(attribute)
    if name.lower().startswith("on"):
        raise _unsafe(
            _("The SVG contains an event handler (%(attribute)s), which is not allowed.")
            % {"attribute": name}
        )
    if attribute == f"{{{XML_NAMESPACE}}}base":
        raise _unsafe(_("The SVG refers to an external resource, which is not allowed."))
    if (
        namespace not in INERT_NAMESPACES
        and name not in ATTRIBUTES
        and attribute not in NAMESPACED_ATTRIBUTES
    ):
        raise _unsafe(
            _("The SVG contains the attribute %(attribute)s, which is not allowed.") % {"attribute": name}
        )
    if name == "href" and not value.strip().startswith("#"):
        raise _unsafe(_("The SVG refers to an external resource, which is not allowed."))
    if _SCRIPT_URL.match(value) or "javascript:" in value.lower():
        raise _unsafe(_("The SVG contains a script URL, which is not allowed."))
    if name == "style":
        _check_css(value)
    elif "\\" in value:
        raise _unsafe(_("The SVG's styles contain CSS escapes (\\), which are not allowed."))
    elif _EXTERNAL.search(value):
        raise _unsafe(_("The SVG refers to an external resource, which is not allowed."))


def _check_css(text: str) -> None:
    """A style sheet or ``style`` attribute: no escapes, nothing fetched from elsewhere."""
    if "\\" in text:
        raise _unsafe(_("The SVG's styles contain CSS escapes (\\), which are not allowed."))
    if _EXTERNAL.search(text) or "@import" in text.lower():
        raise _unsafe(_("The SVG's styles refer to external resources, which is not allowed."))
