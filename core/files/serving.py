"""Stored uploads served back: one set of response headers for every file people sent us.

The content was checked on upload (``core.files``), but it came from outside: the browser must not
sniff another type, must run nothing should it open the file, and nothing may be cached on the way.
"""

from __future__ import annotations

import re

from django.http import FileResponse


def stored_file_response(
    file, *, content_type: str, filename: str | None = None, as_attachment: bool = False
) -> FileResponse:
    """``file`` (a stored FieldFile) as a private, sandboxed response."""
    kwargs = {}
    if as_attachment:
        safe = re.sub(r"[^A-Za-z0-9._ -]", "_", filename or "") or file.name
        kwargs = {"as_attachment": True, "filename": safe.rsplit("/", 1)[-1]}
    response = FileResponse(file.open("rb"), content_type=content_type, **kwargs)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
