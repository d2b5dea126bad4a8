"""Attachments to help requests: a PDF, PNG or JPEG as ``core.files`` checks it, and their download.

Staff download attachments as files (never rendered inline), see ``download_response``.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from core.files import Problem, Refusal, UploadRules, check_upload
from core.files.serving import stored_file_response

MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT = UploadRules(
    accept=frozenset({"pdf", "png", "jpeg"}),
    max_bytes=MAX_BYTES,
    refusals={
        Problem.WRONG_TYPE: Refusal("invalid_file_type", _("Attach a PDF, PNG or JPEG file.")),
        Problem.TOO_LARGE: Refusal("file_too_large", _("The attachment is too large: at most 10 MB.")),
    },
)


class CheckedAttachment(ContentFile):
    content_type: str = ""


def checked_attachment(upload, field: str = "attachment") -> CheckedAttachment:
    checked = check_upload(upload, ATTACHMENT, field=field)
    attachment = CheckedAttachment(checked.content, name=checked.filename)
    attachment.content_type = checked.media_type
    return attachment


def download_response(message) -> FileResponse:
    """A ticket message's file as a download (never shown inline)."""
    return stored_file_response(
        message.attachment,
        content_type=message.attachment_type or "application/octet-stream",
        filename=message.attachment_name,
        as_attachment=True,
    )
