"""Data versions: one token per organisation schema (and one for the shared tables) that changes
after every committed write, so that anything cached under a version can never be served stale.

The writes are not announced by the code that makes them (a new writer could forget): the database
backend (tenants.postgresql_backend) looks at every statement the connection runs, and this module
decides which of them write and where. A transaction's writes bump their schemas' versions once,
right after its COMMIT; a write outside a transaction bumps right after the statement. Until then
the writing connection itself must not use cached answers (``has_uncommitted_writes``): it is the
only one that already sees the new rows.

What does not count: statements that only read, and writes to tables no resident answer shows
(``IGNORED_TABLES``: sessions, access tokens' last use, the outbox) — those are made by reads
themselves and would otherwise empty the cache on every request; they bump a version of their own
table only (``table_version``), which the one answer that shows them (the devices list) names. A statement whose target cannot
be read from its text (DDL, ``DO``, a writing ``WITH``) bumps its schema and the shared version.

Writes made outside Django (psql, another program) are not seen; cached answers expire after
``RESIDENT_READ_CACHE_SECONDS`` all the same (docs/performance.md).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from functools import cache as memoize
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection

T = TypeVar("T")

SHARED = "shared"  # the version of the shared (public-schema-only) tables
_PREFIX = "dv:"

# Written by reads (a token's or a session's last use, a document download's activity entry) or by
# mail delivery; no resident answer shows them but the devices list, which names the token table's
# own version (the activity log is shown to staff only, whose answers are not cached).
IGNORED_TABLES = frozenset(
    {"django_session", "credentials_accesstoken", "communications_outboundemail", "activity_activityevent"}
)

_READ_STATEMENT = re.compile(
    r"\s*(SELECT|SET|SHOW|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|START|COMMIT|END|EXPLAIN|DECLARE|FETCH|"
    r"CLOSE|MOVE|DISCARD|RESET|LISTEN|UNLISTEN|NOTIFY|PREPARE|DEALLOCATE|VALUES|TABLE|ANALYZE|VACUUM)\b",
    re.IGNORECASE,
)
_WITH = re.compile(r"\s*WITH\b", re.IGNORECASE)
_WRITING_KEYWORD = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_NAME = r'(?:"[^"]+"|[A-Za-z_][\w$]*)'
_TARGET = re.compile(
    rf"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?({_NAME}(?:\.{_NAME})?)",
    re.IGNORECASE,
)
# Django's update_last_login(): a login notes its time on the shared identity; no answer shows it.
_LAST_LOGIN_ONLY = re.compile(r'\s*UPDATE\s+"accounts_user"\s+SET\s+"last_login"\s*=\s*%s\s+WHERE\b')


@memoize
def _shared_only_tables() -> frozenset[str]:
    """Tables that exist only in the public schema (apps in SHARED_APPS and not in TENANT_APPS)."""
    shared_only = set(settings.SHARED_APPS) - set(settings.TENANT_APPS)
    return frozenset(
        model._meta.db_table for model in apps.get_models() if model._meta.app_config.name in shared_only
    )


def table_scope(schema: str, table: str) -> str:
    """The version of one ignored table alone (for the few answers that show it: the devices list)."""
    return f"{schema}.{table}"


def table_version(schema: str, table: str) -> str | None:
    """The current version of one ignored table in ``schema``; None when the cache cannot be reached."""
    key = _PREFIX + table_scope(schema, table)
    version = cache.get(key)
    if version is None:
        cache.add(key, secrets.token_hex(6), timeout=None)
        version = cache.get(key)
    return version


def _unquote(name: str) -> str:
    return name[1:-1] if name.startswith('"') else name.lower()


def written_scopes(sql: str, *, schema: str) -> frozenset[str]:
    """The versions a statement run in ``schema`` makes stale: none, ``schema``, SHARED, or both."""
    if _READ_STATEMENT.match(sql) or (_WITH.match(sql) and not _WRITING_KEYWORD.search(sql)):
        return frozenset()
    if _LAST_LOGIN_ONLY.match(sql):
        return frozenset()
    target = _TARGET.match(sql)
    if target is None:
        return frozenset({schema, SHARED})
    *qualifier, table = (_unquote(part) for part in re.findall(_NAME, target.group(1)))
    if table in IGNORED_TABLES:
        return frozenset({table_scope(qualifier[0] if qualifier else schema, table)})
    if qualifier:
        return frozenset({SHARED if qualifier[0] == "public" else qualifier[0]})
    return frozenset({SHARED if table in _shared_only_tables() else schema})


def statement_text(sql) -> str:
    """The SQL of ``sql`` as text (psycopg's composed statements render without a connection)."""
    if isinstance(sql, str):
        return sql
    if isinstance(sql, bytes):
        return sql.decode("utf-8", "replace")
    as_string = getattr(sql, "as_string", None)
    return as_string(None) if as_string else str(sql)


def bump(scopes) -> None:
    """New versions for these schemas (or SHARED): everything cached under the old ones is stale."""
    if scopes:
        cache.set_many({_PREFIX + scope: secrets.token_hex(6) for scope in scopes}, timeout=None)


def current_versions(schema: str) -> tuple[str, str] | None:
    """(the schema's version, the shared version); None when the cache cannot be reached."""
    keys = [_PREFIX + schema, _PREFIX + SHARED]
    found = cache.get_many(keys)
    if len(found) < 2:
        for key in keys:
            if key not in found:
                cache.add(key, secrets.token_hex(6), timeout=None)
        found = cache.get_many(keys)
        if len(found) < 2:
            return None
    return found[keys[0]], found[keys[1]]


def has_uncommitted_writes() -> bool:
    """This connection wrote in its open transaction: only it sees those rows, so no cached answer."""
    return bool(getattr(connection, "uncommitted_write_scopes", None))


def remembered(name: str, build: Callable[[], T | None], *parts: object, timeout: int = 600) -> T | None:
    """``build()``'s value, kept in the cache under the current schema's data versions, so it is
    rebuilt after any write that could change it. None is not kept; nothing is kept while this
    connection has uncommitted writes or the cache cannot be reached."""
    schema = connection.schema_name
    versions = None if has_uncommitted_writes() else current_versions(schema)
    if versions is None:
        return build()
    key = ":".join(["dvk", name, schema, *versions, *(str(part) for part in parts)])
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, timeout=timeout)
    return value
