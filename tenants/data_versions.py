"""Data versions: tokens that change after every committed write, so that anything cached under
them can never be served stale.

One version per organisation schema, one for the shared (public-schema-only) tables, and one per
table that reads themselves write (sessions, tokens, the outbox, the activity log: their writes
would otherwise empty every cache on every request; tenants.written_tables). The writes are not
announced by the code that makes them (a new writer could forget): the database backend
(tenants.postgresql_backend) looks at every statement the connection runs. A transaction's writes
bump their versions once, right after its COMMIT; a write outside a transaction right after the
statement. Until then the writing connection itself must not use cached values
(``has_uncommitted_writes``): it is the only one that already sees the new rows.

Within a request (``request_memo``) versions are read from Redis once and then remembered, until
this connection itself bumps one; ``prefetch`` reads those most requests need in one round trip.
Writes made outside Django (psql, another program) are not seen; what is cached under versions
expires all the same (docs/performance.md).

A value kept under a key that names versions never changes (a write makes a new key), so each
process also keeps copies of the values it read or stored (``fetch``/``store``), in a small LRU
bounded in bytes (``VERSIONED_LOCAL_BYTES``): a warm request then reads the versions from Redis
and nothing else. The copies are pickled, so no two requests share a mutable object.
"""

from __future__ import annotations

import pickle
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tenants.written_tables import SHARED, table_scope

T = TypeVar("T")

_PREFIX = "dv:"
_memo = threading.local()

__all__ = [
    "SHARED",
    "current_versions",
    "fetch",
    "prefetch",
    "prefetch_with",
    "remembered",
    "store",
    "table_scope",
    "versions",
]


class _LocalCopies:
    """This process's copies of values kept under versioned keys: an LRU bounded in bytes, each
    copy dropped after ``LOCAL_SECONDS`` (what a write made outside Django left stale expires)."""

    LOCAL_SECONDS = 60.0

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, data: bytes, seconds: float = LOCAL_SECONDS) -> None:
        limit = settings.VERSIONED_LOCAL_BYTES
        if len(data) > limit // 8:  # one large answer must not push out everything else
            return
        with self._lock:
            self._drop(key)
            self._entries[key] = (time.monotonic() + min(seconds, self.LOCAL_SECONDS), data)
            self._bytes += len(data)
            while self._bytes > limit:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry[1])

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_local = _LocalCopies()


@contextmanager
def request_memo() -> Iterator[None]:
    """Read each version once per request (the middleware wraps every request in this)."""
    _memo.values = {}
    try:
        yield
    finally:
        _memo.values = None


_prefetched_names: list[str] = []


def prefetch_with(name: str) -> None:
    """Have ``prefetch`` also read the scope ``table_scope(schema, name)`` (an app's ready())."""
    if name not in _prefetched_names:
        _prefetched_names.append(name)


def prefetch(schema: str, *also: str) -> None:
    """Read, in one round trip, the versions nearly every request of this schema asks for: its own,
    the shared tables', those registered with ``prefetch_with`` (access tokens, configuration) and
    ``also`` (the routing version); nothing when they are all read already."""
    if getattr(_memo, "values", None) is not None:
        versions(schema, SHARED, *(table_scope(schema, name) for name in _prefetched_names), *also)


def bump(scopes) -> None:
    """New versions for these scopes: everything cached under the old ones is stale."""
    if scopes:
        cache.set_many({_PREFIX + scope: secrets.token_hex(6) for scope in scopes}, timeout=None)
        if getattr(_memo, "values", None):
            _memo.values = {}


def versions(*scopes: str) -> tuple[str, ...] | None:
    """The current versions of these scopes (one round trip); None when Redis cannot be reached."""
    memo = getattr(_memo, "values", None)
    if memo is not None and all(scope in memo for scope in scopes):
        return tuple(memo[scope] for scope in scopes)
    keys = [_PREFIX + scope for scope in scopes]
    found = cache.get_many(keys)
    if len(found) < len(keys):
        for key in keys:
            if key not in found:
                cache.add(key, secrets.token_hex(6), timeout=None)
        found = cache.get_many(keys)
        if len(found) < len(keys):
            return None
    if memo is not None:
        memo.update(zip(scopes, (found[key] for key in keys), strict=True))
    return tuple(found[key] for key in keys)


def current_versions(schema: str) -> tuple[str, ...] | None:
    """(the schema's version, the shared version); None when the cache cannot be reached."""
    return versions(schema, SHARED)


def has_uncommitted_writes() -> bool:
    """This connection wrote in its open transaction: only it sees those rows, so no cached value."""
    return bool(getattr(connection, "uncommitted_write_scopes", None))


def _key(name: str, scopes: tuple[str, ...], parts: tuple) -> str | None:
    found = None if has_uncommitted_writes() else versions(*scopes)
    if found is None:
        return None
    return ":".join(["dvk", name, *scopes, *found, *(str(part) for part in parts)])


def remembered(
    name: str,
    build: Callable[[], T | None],
    *parts: object,
    scopes: tuple[str, ...] | None = None,
    timeout: int = 600,
) -> T | None:
    """``build()``'s value, kept in the cache under the versions of ``scopes`` (default: the
    current schema and the shared tables), so it is rebuilt after any write that could change it.
    None is not kept; nothing is kept while this connection has uncommitted writes or Redis cannot
    be reached."""
    key = _key(name, scopes or (connection.schema_name, SHARED), parts)
    if key is None:
        return build()
    value = fetch(key)
    if value is None:
        value = build()
        if value is not None:
            store(key, value, timeout=timeout)
    return value


def remember(
    name: str, value: object, *parts: object, scopes: tuple[str, ...] | None = None, timeout: int = 600
) -> None:
    """Replace what ``remembered`` keeps, after a write that its scopes do not count (a last use).
    Other processes keep their own copy until the key changes: for a last use that means at most
    one more such write per process."""
    key = _key(name, scopes or (connection.schema_name, SHARED), parts)
    if key is not None:
        store(key, value, timeout=timeout)


def fetch(key: str) -> object | None:
    """The value kept under ``key``, which must name the data versions it was built from (so that a
    copy kept in this process is never stale); None when there is none."""
    data = _local.get(key)
    if data is not None:
        return pickle.loads(data)  # noqa: S301 - bytes this process pickled itself
    value = cache.get(key)
    if value is not None:
        _local.put(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def store(key: str, value: object, *, timeout: int) -> None:
    """Keep ``value`` under ``key`` (a key naming data versions, see ``fetch``) in Redis and here."""
    cache.set(key, value, timeout=timeout)
    _local.put(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), seconds=timeout)


def forget_local_copies() -> None:
    """Drop this process's copies (tests that empty Redis start from nothing here too)."""
    _local.clear()
