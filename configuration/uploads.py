"""Checking uploaded logos and favicons by their content, never by their name.

PNG, JPEG and ICO must be decoded by Pillow as that format, within a pixel size that makes sense
for a logo or a favicon (so a tiny file declaring a huge image is refused before anything decodes
it). An SVG must be well-formed XML (no DTD, no entities) with an SVG ``<svg>`` root, and carry no
scripts, event handlers, foreign objects, elements of other vocabularies (XHTML, MathML),
processing instructions (``<?xml-stylesheet?>``), external references (``href``, ``url(...)``
or ``@import`` anywhere), CSS escapes (which could spell those in disguise) or script URLs.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from xml.etree.ElementTree import TreeBuilder

from defusedxml.common import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from django.utils.translation import gettext as _
from PIL import Image

from core.errors import RuleViolation

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
# Editor bookkeeping that drawing programs (Inkscape) leave in SVG files; browsers ignore these
# vocabularies, so they are inert. Everything else outside the SVG namespace (XHTML, MathML,
# no namespace) is refused: an XHTML <img> or <iframe> inside an SVG loads what it names.
_INERT_NAMESPACES = {
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.inkscape.org/namespaces/inkscape",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://creativecommons.org/ns#",
    "http://purl.org/dc/elements/1.1/",
}
_FORBIDDEN_ELEMENTS = {
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "handler",
    "listener",
    "animate",
    "set",
}
# A CSS function that fetches something, unless it only points inside this file (url(#id)).
_EXTERNAL = re.compile(
    r"(?:url|src)\s*\(\s*+['\"]?+\s*+(?!#)|(?:image-set|image|cross-fade)\s*\(", re.IGNORECASE
)
_JS = re.compile(r"^\s*(javascript|vbscript|data)\s*:", re.IGNORECASE)
_BOM = b"\xef\xbb\xbf"

LOGO_MAX_SIDE = 4096  # pixels; the portal shows the logo about 60 px high
FAVICON_MAX_SIDE = 256  # the largest size an ICO directory entry can describe

_RASTER_KINDS = {"PNG": "png", "JPEG": "jpg", "ICO": "ico"}
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "svg": "image/svg+xml", "ico": "image/x-icon"}


class UploadRejected(RuleViolation):
    code = "invalid_file"


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # png | jpg | svg | ico
    content: bytes

    @property
    def filename(self) -> str:
        digest = hashlib.sha256(self.content).hexdigest()[:16]
        return f"{digest}.{self.kind}"


def _read(upload, limit: int, field: str) -> bytes:
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise UploadRejected(
            _("The file is too large: at most %(size)s KB.") % {"size": limit // 1024},
            code="file_too_large",
            field=field,
        )
    if not content:
        raise UploadRejected(_("The file is empty."), field=field)
    return content


def _too_many_pixels(field: str, max_side: int) -> UploadRejected:
    return UploadRejected(
        _("The image is too large: at most %(limit)s pixels wide and %(limit)s pixels high.")
        % {"limit": max_side},
        code="image_too_large",
        field=field,
    )


def _raster_kind(content: bytes, *, field: str, max_side: int) -> str | None:
    """PNG, JPEG or ICO as Pillow decodes it, None for anything else; refuses oversized images.

    The declared size is judged from the header, before ``verify()`` reads further. Anything
    Pillow would flag as a decompression bomb (its error, or the size at which it only warns) is
    refused too. The warning is not turned into an error with ``warnings.catch_warnings``: that
    changes process-wide state and is not thread-safe under gunicorn's threads.
    """
    try:
        with Image.open(io.BytesIO(content), formats=list(_RASTER_KINDS)) as image:
            kind = image.format
            width, height = image.size
            bomb_limit = Image.MAX_IMAGE_PIXELS
            if width > max_side or height > max_side or (bomb_limit and width * height > bomb_limit):
                raise _too_many_pixels(field, max_side)
            image.verify()
    except Image.DecompressionBombError:
        raise _too_many_pixels(field, max_side) from None
    except UploadRejected:
        raise
    except Exception:  # Pillow's parsers raise all sorts of errors on crafted files: not an image
        return None
    return _RASTER_KINDS.get(kind)


class _SvgBuilder(TreeBuilder):
    """ElementTree drops processing instructions; this keeps their names to refuse them."""

    def __init__(self) -> None:
        super().__init__()
        self.instructions: list[str] = []

    def pi(self, target, text=None):
        self.instructions.append(target)
        return super().pi(target, text)


class _NotSvg(Exception):
    """Not an SVG image at all (HTML, other XML, broken XML): a wrong file type, not a risk."""


def _parse_svg(content: bytes):
    builder = _SvgBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(content)
        root = parser.close()
    except DTDForbidden as exc:
        if (exc.name or "").lower() != "svg":
            raise _NotSvg from None  # <!DOCTYPE html> and friends
        raise
    except DefusedXmlException:
        raise
    except (ParseError, LookupError, ValueError):  # LookupError: an unknown encoding
        raise _NotSvg from None
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise _NotSvg
    return root, builder.instructions


def _namespace(name: str) -> str:
    return name[1:].split("}", 1)[0] if name.startswith("{") else ""


def _svg_problem(content: bytes) -> str | None:
    """Why this SVG is unsafe, or None when it is fine; raises ``_NotSvg`` for other files."""
    try:
        root, instructions = _parse_svg(content)
    except DefusedXmlException:
        return _("The SVG declares a DTD or entities, which are not allowed.")
    if instructions:
        return _("The SVG contains a processing instruction (<?%(name)s?>), which is not allowed.") % {
            "name": instructions[0]
        }
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace = _namespace(element.tag)
        name = element.tag.rsplit("}", 1)[-1].lower()
        if namespace != SVG_NAMESPACE and namespace not in _INERT_NAMESPACES:
            return _("The SVG contains <%(element)s> from outside SVG, which is not allowed.") % {
                "element": name
            }
        if name in _FORBIDDEN_ELEMENTS:
            return _("The SVG contains <%(element)s>, which is not allowed.") % {"element": name}
        if name == "style":
            text = "".join(element.itertext())
            if "\\" in text:
                return _("The SVG's styles contain CSS escapes (\\), which are not allowed.")
            if _EXTERNAL.search(text) or "@import" in text.lower():
                return _("The SVG's styles refer to external resources, which is not allowed.")
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                return _("The SVG contains an event handler (%(attribute)s), which is not allowed.") % {
                    "attribute": local
                }
            if (local == "href" or attribute == XLINK_HREF) and not value.strip().startswith("#"):
                return _("The SVG refers to an external resource, which is not allowed.")
            if attribute == XML_BASE:
                return _("The SVG refers to an external resource, which is not allowed.")
            if _JS.match(value) or "javascript:" in value.lower():
                return _("The SVG contains a script URL, which is not allowed.")
            if "\\" in value:
                return _("The SVG's styles contain CSS escapes (\\), which are not allowed.")
            if _EXTERNAL.search(value):
                if local == "style":
                    return _("The SVG's styles refer to external resources, which is not allowed.")
                return _("The SVG refers to an external resource, which is not allowed.")
    return None


def check_logo(upload, *, field: str = "logo", limit: int = 500 * 1024) -> CheckedUpload:
    content = _read(upload, limit, field)
    kind = _raster_kind(content, field=field, max_side=LOGO_MAX_SIDE)
    if kind in ("png", "jpg"):
        return CheckedUpload(kind=kind, content=content)
    if kind is None and content.removeprefix(_BOM).lstrip()[:1] == b"<":
        try:
            problem = _svg_problem(content)
        except _NotSvg:
            problem = None
        else:
            if problem:
                raise UploadRejected(problem, code="unsafe_svg", field=field)
            return CheckedUpload(kind="svg", content=content)
    raise UploadRejected(_("Upload a PNG, JPG or SVG image."), code="invalid_file_type", field=field)


def check_favicon(upload, *, field: str = "favicon", limit: int = 100 * 1024) -> CheckedUpload:
    content = _read(upload, limit, field)
    if _raster_kind(content, field=field, max_side=FAVICON_MAX_SIDE) != "ico":
        raise UploadRejected(_("Upload an ICO file."), code="invalid_file_type", field=field)
    return CheckedUpload(kind="ico", content=content)
