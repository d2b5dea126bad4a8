"""Resident answers kept in the cache under keys that name the data versions they were built from.

A resident GET is answered from the cache when nothing it could show has changed since: the key
holds the organisation's and the shared tables' data versions (tenants.data_versions, changed by
every committed write, whoever makes it), the routing version (organisations, domains), the
resident and their customer, the language, the media type, the organisation's date, the path with
its query, and what the view adds (``read_cache_vary``: the overview's messages; None: not cached). The ETag is
derived from the same key, so ``If-None-Match`` gets a 304 without reading the body.

Never cached: impersonation (staff see the resident's data under their own session), a connection
with uncommitted writes (only it sees them), anything but a 200, a file streamed from storage or
an answer over ``MAX_KEPT_BYTES``, and views that set
``read_cache = False``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone

from tenants import data_versions

_PREFIX = "rr:"
_CACHE_CONTROL = "private, no-cache"
# What a kept answer needs besides its body; the rest the view's finalize_response adds again.
KEPT_HEADERS = ("Content-Type", "Content-Disposition")
MAX_KEPT_BYTES = 1_000_000


@dataclass(frozen=True)
class CachedRead:
    """Where one resident answer is kept, and its ETag."""

    key: str
    etag: str


class ServedFromCache(Exception):
    """Raised once the answer is known before the view runs; the view's handle_exception returns it."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("served from the cache")
        self.response = response


def plan(*, request, view) -> CachedRead | None:
    """The cache entry for this request, or None when it must be answered from the database."""
    resident = getattr(request, "resident", None)
    if (
        not settings.RESIDENT_READ_CACHE
        or request.method != "GET"
        or not getattr(view, "read_cache", True)
        or resident is None
        or resident.impersonating
        or data_versions.has_uncommitted_writes()
    ):
        return None
    organisation = request.organisation
    versions = data_versions.current_versions(organisation.schema_name)
    vary = view.read_cache_vary(request)
    if versions is None or vary is None:
        return None
    parts = (
        organisation.schema_name,
        *versions,
        str(getattr(request, "routing_version", None)),
        str(request.user.pk),
        str(resident.customer.pk),
        request.LANGUAGE_CODE,
        str(request.accepted_media_type),
        timezone.localdate(timezone=organisation.zone).isoformat(),
        request.get_full_path(),
        vary,
    )
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return CachedRead(key=_PREFIX + digest, etag=f'"r{digest[:32]}"')


def cached_answer(*, request, read: CachedRead) -> HttpResponse | None:
    """A 304 when the client holds this answer, the kept answer when there is one, else None."""
    sent = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if read.etag in sent:
        return HttpResponseNotModified()
    kept = cache.get(read.key)
    if kept is None:
        return None
    headers, body = kept
    response = HttpResponse(body)
    for name, value in headers:
        response[name] = value
    return response


def keep(*, read: CachedRead, response) -> None:
    """Keep a fresh 200 answer that is whole in memory and small (rendered now; Django will not
    render it again). Files streamed from storage (PDFs, documents) are not kept."""
    if response.status_code != 200 or response.streaming:
        return
    if hasattr(response, "render"):
        response.render()
    if len(response.content) > MAX_KEPT_BYTES:
        return
    headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
    cache.set(read.key, (headers, response.content), timeout=settings.RESIDENT_READ_CACHE_SECONDS)


def label(*, read: CachedRead, response) -> None:
    """The ETag and the instruction to revalidate, on every answer that has a cache entry."""
    if response.status_code in (200, 304):
        response["ETag"] = read.etag
        response["Cache-Control"] = _CACHE_CONTROL
