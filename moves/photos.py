"""Meter photos: judged by content, re-encoded (which drops location and other metadata)."""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import RuleViolation
from core.storage import delete_after_commit

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED = {"JPEG", "PNG", "WEBP"}


def checked_photo(upload, *, field: str = "photo") -> ContentFile:
    content = upload.read(MAX_PHOTO_BYTES + 1)
    if len(content) > MAX_PHOTO_BYTES:
        raise RuleViolation(_("The photo is too large: at most 8 MB."), code="file_too_large", field=field)
    try:
        with Image.open(io.BytesIO(content)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in ACCEPTED:
            raise RuleViolation(_("Upload a JPEG, PNG or WebP photo."), code="invalid_file_type", field=field)
        image = Image.open(io.BytesIO(content))
        if image.width * image.height > MAX_PIXELS:
            raise RuleViolation(_("The photo has too many pixels."), code="file_too_large", field=field)
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail((2400, 2400))
        output = io.BytesIO()
        image.save(output, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise RuleViolation(
            _("Upload a JPEG, PNG or WebP photo."), code="invalid_file_type", field=field
        ) from exc
    data = output.getvalue()
    return ContentFile(data, name=f"{hashlib.sha256(data).hexdigest()[:16]}.jpg")


def delete_photos(photos) -> int:
    """Delete the photo rows, and their files once the transaction commits (a rollback keeps both)."""
    rows = list(photos)
    for photo in rows:
        storage, name = photo.file.storage, photo.file.name
        photo.delete()
        delete_after_commit(name, storage=storage)
    return len(rows)
