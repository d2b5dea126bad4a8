"""Meter photos of a move: the rules are consumption.photos' (shared with readings submitted outside
a move); deleting them with their files."""

from __future__ import annotations

from consumption.photos import MAX_PHOTO_BYTES, PHOTO, checked_photo
from core.storage import delete_after_commit

__all__ = ["MAX_PHOTO_BYTES", "PHOTO", "checked_photo", "delete_photos"]


def delete_photos(photos) -> int:
    """Delete the photo rows, and their files once the transaction commits (a rollback keeps both)."""
    rows = list(photos)
    for photo in rows:
        storage, name = photo.file.storage, photo.file.name
        photo.delete()
        delete_after_commit(name, storage=storage)
    return len(rows)
