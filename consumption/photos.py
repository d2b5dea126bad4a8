"""Meter photos (a move's readings and readings submitted outside a move): checked by ``core.files``
and stored as a fresh JPEG, which drops their location and other metadata."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from core.files import Problem, Reencode, Refusal, UploadRules, check_upload

MAX_PHOTO_BYTES = 8 * 1024 * 1024
PHOTO = UploadRules(
    accept=frozenset({"jpeg", "png", "webp"}),
    max_bytes=MAX_PHOTO_BYTES,
    reencode=Reencode(max_side=2400, quality=85),
    refusals={
        Problem.WRONG_TYPE: Refusal("invalid_file_type", _("Upload a JPEG, PNG or WebP photo.")),
        Problem.TOO_LARGE: Refusal("file_too_large", _("The photo is too large: at most 8 MB.")),
        Problem.TOO_MANY_PIXELS: Refusal("file_too_large", _("The photo has too many pixels.")),
    },
)


def checked_photo(upload, *, field: str = "photo") -> ContentFile:
    checked = check_upload(upload, PHOTO, field=field)
    return ContentFile(checked.content, name=checked.filename)
