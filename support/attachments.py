"""Attachments to help requests: images or PDF, judged by content."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from config.errors import RuleViolation

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


class CheckedAttachment(ContentFile):
    content_type: str = ""


def checked_attachment(upload, field: str = "attachment") -> CheckedAttachment:
    content = upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise RuleViolation(
            _("The attachment is too large: at most 10 MB."), code="file_too_large", field=field
        )
    for signature, content_type, extension in SIGNATURES:
        if content.startswith(signature):
            checked = CheckedAttachment(
                content, name=f"{hashlib.sha256(content).hexdigest()[:16]}.{extension}"
            )
            checked.content_type = content_type
            return checked
    raise RuleViolation(_("Attach a PDF, PNG or JPEG file."), code="invalid_file_type", field=field)
