"""Serving an organisation's uploaded branding files from its own domain only."""

from __future__ import annotations

import mimetypes

from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, HttpResponseRedirect

from .models import PortalPreferences

CONTENT_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".svg": "image/svg+xml", ".ico": "image/x-icon"}


def branding_file(request, schema: str, path: str):
    """Files are named by their content hash, so they can be cached for a year."""
    if schema != connection.schema_name:  # another organisation's file is not served here
        raise Http404
    name = f"branding/{path}"  # under this organisation's folder (core/storage.py)
    if "/" in path or ".." in path or not default_storage.exists(name):
        raise Http404
    extension = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    response = FileResponse(
        default_storage.open(name, "rb"),
        content_type=CONTENT_TYPES.get(extension)
        or mimetypes.guess_type(path)[0]
        or "application/octet-stream",
    )
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    # An SVG opened directly must not run anything, even if one slipped through.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


def favicon(request):
    """``/favicon.ico``, which browsers ask for on their own (for pages without a ``<link rel=icon>``,
    such as an opened PDF): a redirect to the portal's favicon. The redirect may be cached only
    briefly, since the favicon can change; the file it points to is immutable."""
    preferences = PortalPreferences.objects.current()
    if not preferences.favicon:
        raise Http404
    response = HttpResponseRedirect(preferences.favicon.url)
    response["Cache-Control"] = "public, max-age=300"
    return response
