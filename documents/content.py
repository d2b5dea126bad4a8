"""What a stored document may be: a PDF, PNG or JPEG as ``core.files`` checks it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.files import Problem, Refusal, UploadRules, check_upload

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
CONTENT_TYPES = ("application/pdf", "image/png", "image/jpeg")
DOCUMENT = UploadRules(
    accept=frozenset({"pdf", "png", "jpeg"}),
    max_bytes=MAX_DOCUMENT_BYTES,
    refusals={
        Problem.WRONG_TYPE: Refusal("invalid_file_type", _("Documents must be PDF, PNG or JPEG files.")),
        Problem.TOO_LARGE: Refusal("file_too_large", _("The file is too large: at most 10 MB.")),
    },
)


def checked_type(content: bytes) -> tuple[str, str]:
    """(content type, extension) of an acceptable document; refuses anything else with a field error."""
    checked = check_upload(content, DOCUMENT, field="file")
    return checked.media_type, checked.extension
