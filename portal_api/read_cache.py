"""Resident answers kept in the cache under keys that name the data versions they were built from.

A resident GET is answered from the cache when nothing it could show has changed since: the key
holds the organisation's and the shared tables' data versions (tenants.data_versions, changed by
every committed write, whoever makes it), the routing version (organisations, domains), the
resident and their customer, the language, the media type, the organisation's date, the path with
its query, and what the view adds (``read_cache_vary``: the overview's messages; None: not cached). The ETag is
derived from the same key, so ``If-None-Match`` gets a 304 without reading the body.

Never cached: impersonation (staff see the resident's data under their own session), a connection
with uncommitted writes (only it sees them), anything but a 200, a file streamed from storage (nor
labelled: it keeps its ``no-store``) or an answer over ``MAX_KEPT_BYTES``, and views that set
``read_cache = False`` (those that record every opening, and those that serve a file, which then
skip the lookup too).
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseNotModified
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
    kept = data_versions.fetch(read.key)
    if kept is None:
        return None
    headers, body = kept
    response = HttpResponse(body)
    for name, value in headers:
        response[name] = value
    return response


def keep(*, read: CachedRead, response) -> None:
    """Keep a fresh 200 answer that is small (rendered now; Django will not render it again). A
    generated stream (a consumption CSV) is read ahead up to the limit: kept whole when it ends
    within it, else sent on as it comes. Files from storage are not kept (views that record every
    opening say ``read_cache = False``)."""
    if response.status_code != 200 or isinstance(response, FileResponse):
        return
    if response.streaming:
        content = _read_ahead(response)
        if content is None:
            return
    else:
        if hasattr(response, "render"):
            response.render()
        content = response.content
        if len(content) > MAX_KEPT_BYTES:
            return
    headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
    data_versions.store(read.key, (headers, content), timeout=settings.RESIDENT_READ_CACHE_SECONDS)


def _read_ahead(response) -> bytes | None:
    """The whole stream when it fits in MAX_KEPT_BYTES (the response then sends it from memory);
    None when it does not (the response sends what was read, then the rest)."""
    chunks, size = [], 0
    stream = iter(response.streaming_content)
    for chunk in stream:
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_KEPT_BYTES:
            response.streaming_content = itertools.chain(chunks, stream)
            return None
    content = b"".join(chunks)
    response.streaming_content = [content]
    return content


def label(*, read: CachedRead, response) -> None:
    """The ETag and the instruction to revalidate, on every answer that has a cache entry. Not on
    a file from storage: it is never kept, and keeps its own ``no-store``."""
    if response.status_code in (200, 304) and not isinstance(response, FileResponse):
        response["ETag"] = read.etag
        response["Cache-Control"] = _CACHE_CONTROL
