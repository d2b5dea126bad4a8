"""What a stored document may be, judged by its bytes: a PDF that is structurally one, or a PNG/JPEG that decodes.

Magic bytes alone let anything through that starts with ``%PDF-``. There is no PDF parser among the
runtime dependencies (pypdf is for the tests only), so a PDF must show the skeleton every reader
needs: a versioned header, ``startxref`` with an offset that points at a cross-reference table
(``xref``) or stream (``n g obj``), and the ``%%EOF`` marker at the end. Images are decoded fully
with Pillow, with a cap on their size so that a decompression bomb is refused, not expanded.
"""

from __future__ import annotations

import io
import re
import warnings

from django.utils.translation import gettext as _
from PIL import Image

from core.errors import RuleViolation

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
CONTENT_TYPES = ("application/pdf", "image/png", "image/jpeg")
MAX_IMAGE_PIXELS = 40_000_000

_PDF_HEADER = re.compile(rb"%PDF-(?:1\.[0-7]|2\.0)\s")
_STARTXREF = re.compile(rb"startxref\s+(\d{1,10})\s+%%EOF\s*$")
_XREF_AT = re.compile(rb"\s*(?:xref\b|\d{1,10}\s+\d{1,5}\s+obj\b)")
_TAIL = 1024


def _refused() -> RuleViolation:
    return RuleViolation(
        _("Documents must be PDF, PNG or JPEG files."), code="invalid_file_type", field="file"
    )


def is_structural_pdf(content: bytes) -> bool:
    """Header, trailer and a cross-reference the ``startxref`` offset really points at."""
    if not _PDF_HEADER.match(content):
        return False
    match = _STARTXREF.search(content[-_TAIL:])
    if match is None:
        return False
    offset = int(match.group(1))
    return 0 < offset < len(content) and _XREF_AT.match(content, offset) is not None


def _image_format(content: bytes) -> str | None:
    """ "PNG" or "JPEG" when the bytes decode completely as that format, else None."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content)) as image:
                kind = image.format
                width, height = image.size
                if kind not in ("PNG", "JPEG") or width * height > MAX_IMAGE_PIXELS:
                    return None
                image.verify()
            with Image.open(io.BytesIO(content)) as image:
                image.load()  # verify() barely looks at JPEG data; decoding does
        except Exception:  # Pillow raises all sorts on crafted files: not an image
            return None
    return kind


def checked_type(content: bytes) -> tuple[str, str]:
    """(content type, extension) of an acceptable document; refuses anything else with a field error."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise RuleViolation(_("The file is too large: at most 10 MB."), code="file_too_large", field="file")
    if content.startswith(b"%PDF-"):
        if is_structural_pdf(content):
            return "application/pdf", "pdf"
        raise _refused()
    kind = _image_format(content)
    if kind == "PNG":
        return "image/png", "png"
    if kind == "JPEG":
        return "image/jpeg", "jpg"
    raise _refused()
