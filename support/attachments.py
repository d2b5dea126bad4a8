"""Attachments to help requests: PNG or JPEG that Pillow decodes as such, or a structurally sound PDF.

Magic bytes alone are not enough: a file that starts like a PDF or PNG can carry anything after
that. Images must decode completely as the format they claim; a PDF needs its header, a
cross-reference section that ``startxref`` points at, a trailer naming the document catalogue and
an end-of-file marker, and may not contain scripts or launch actions. Staff download attachments
as files (never rendered inline), see ``support.api.views.AdminAttachmentView``.
"""

from __future__ import annotations

import hashlib
import io
import re

from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from core.errors import RuleViolation

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
IMAGES = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg")}
PDF_HEADER = re.compile(rb"\A%PDF-(1\.[0-7]|2\.0)\b")
PDF_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF")
PDF_XREF_STREAM = re.compile(rb"\A\d+\s+\d+\s+obj\b")
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|RichMedia|XFA)\b")


class CheckedAttachment(ContentFile):
    content_type: str = ""


def _refuse(field: str) -> RuleViolation:
    return RuleViolation(_("Attach a PDF, PNG or JPEG file."), code="invalid_file_type", field=field)


def _image_type(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) when the content decodes completely as PNG or JPEG."""
    try:
        with Image.open(io.BytesIO(content)) as probe:
            kind = probe.format
            if kind not in IMAGES or probe.width * probe.height > MAX_PIXELS:
                return None
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()  # verify() does not decode JPEG data; loading does
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return IMAGES[kind]


def _is_sound_pdf(content: bytes) -> bool:
    if not PDF_HEADER.match(content):
        return False
    endings = PDF_STARTXREF.findall(content[-1024:])  # the last one counts (incremental updates)
    if not endings:
        return False
    offset = int(endings[-1])
    if not 0 < offset < len(content):
        return False
    section = content[offset : offset + 64].lstrip()
    if not (section.startswith(b"xref") or PDF_XREF_STREAM.match(section)):
        return False
    if b"/Root" not in content or not re.search(rb"\d+\s+\d+\s+obj\b", content):
        return False
    return not PDF_ACTIVE.search(content)


def checked_attachment(upload, field: str = "attachment") -> CheckedAttachment:
    content = upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise RuleViolation(
            _("The attachment is too large: at most 10 MB."), code="file_too_large", field=field
        )
    if content.startswith(b"%PDF-"):
        if not _is_sound_pdf(content):
            raise _refuse(field)
        content_type, extension = "application/pdf", "pdf"
    else:
        found = _image_type(content)
        if found is None:
            raise _refuse(field)
        content_type, extension = found
    checked = CheckedAttachment(content, name=f"{hashlib.sha256(content).hexdigest()[:16]}.{extension}")
    checked.content_type = content_type
    return checked


def download_response(message) -> FileResponse:
    """A ticket message's file as a download (never shown inline), sandboxed should a browser open
    it anyway: the content was checked on upload, but it may come from outside."""
    name = re.sub(r"[^A-Za-z0-9._ -]", "_", message.attachment_name or "") or message.attachment.name
    response = FileResponse(
        message.attachment.open("rb"),
        as_attachment=True,
        filename=name.rsplit("/", 1)[-1],
        content_type=message.attachment_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
