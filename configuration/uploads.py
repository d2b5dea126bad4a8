"""Checking uploaded logos and favicons by their content, never by their name.

PNG, JPEG and ICO must be decoded by Pillow as that format; an SVG must be well-formed XML (no DTD,
no entities) with an ``<svg>`` root, and carry no scripts, event handlers, foreign objects,
external references or ``javascript:`` URLs.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from config.errors import RuleViolation

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
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
_EXTERNAL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_JS = re.compile(r"^\s*(javascript|vbscript|data)\s*:", re.IGNORECASE)

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


def _raster_kind(content: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return {"PNG": "png", "JPEG": "jpg", "ICO": "ico"}.get(kind)


def _svg_problem(content: bytes) -> str | None:
    """Why this SVG is unsafe or invalid, or None when it is fine."""
    try:
        root = ElementTree.fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return _("The SVG declares a DTD or entities, which are not allowed.")
    except ElementTree.ParseError:
        return _("The file is not a valid image.")
    if root.tag != f"{SVG_NS}svg" and root.tag != "svg":
        return _("The file is not a valid image.")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = element.tag.rsplit("}", 1)[-1].lower()
        if name in _FORBIDDEN_ELEMENTS:
            return _("The SVG contains <%(element)s>, which is not allowed.") % {"element": name}
        if name == "style" and (
            _EXTERNAL.search(element.text or "") or "@import" in (element.text or "").lower()
        ):
            return _("The SVG's styles refer to external resources, which is not allowed.")
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                return _("The SVG contains an event handler (%(attribute)s), which is not allowed.") % {
                    "attribute": local
                }
            if (local == "href" or attribute == XLINK_HREF) and not value.strip().startswith("#"):
                return _("The SVG refers to an external resource, which is not allowed.")
            if _JS.match(value) or "javascript:" in value.lower():
                return _("The SVG contains a script URL, which is not allowed.")
            if local == "style" and _EXTERNAL.search(value):
                return _("The SVG's styles refer to external resources, which is not allowed.")
    return None


def check_logo(upload, *, field: str = "logo", limit: int = 500 * 1024) -> CheckedUpload:
    content = _read(upload, limit, field)
    kind = _raster_kind(content)
    if kind in ("png", "jpg"):
        return CheckedUpload(kind=kind, content=content)
    if kind is None and content.lstrip()[:1] == b"<":
        problem = _svg_problem(content)
        if problem:
            raise UploadRejected(problem, code="unsafe_svg", field=field)
        return CheckedUpload(kind="svg", content=content)
    raise UploadRejected(_("Upload a PNG, JPG or SVG image."), code="invalid_file_type", field=field)


def check_favicon(upload, *, field: str = "favicon", limit: int = 100 * 1024) -> CheckedUpload:
    content = _read(upload, limit, field)
    if _raster_kind(content) != "ico":
        raise UploadRejected(_("Upload an ICO file."), code="invalid_file_type", field=field)
    return CheckedUpload(kind="ico", content=content)
