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
this connection itself bumps one. Writes made outside Django (psql, another program) are not seen;
what is cached under versions expires all the same (docs/performance.md).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

from tenants.written_tables import SHARED, table_scope

T = TypeVar("T")

_PREFIX = "dv:"
_memo = threading.local()

__all__ = ["SHARED", "current_versions", "remembered", "table_scope", "versions"]


@contextmanager
def request_memo() -> Iterator[None]:
    """Read each version once per request (the middleware wraps every request in this)."""
    _memo.values = {}
    try:
        yield
    finally:
        _memo.values = None


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
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, timeout=timeout)
    return value


def remember(name: str, value: object, *parts: object, scopes: tuple[str, ...] | None = None) -> None:
    """Replace what ``remembered`` keeps, after a write that its scopes do not count (a last use)."""
    key = _key(name, scopes or (connection.schema_name, SHARED), parts)
    if key is not None:
        cache.set(key, value, timeout=600)
