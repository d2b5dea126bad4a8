"""Which data a SQL statement writes: nothing, an organisation's schema, the shared tables, or one
of the tables that reads themselves write (tenants.data_versions; docs/architecture.md). Writes to
tables no cached value shows (UNSHOWN_TABLES) count as nothing.

A statement is read from its text: reads (``SELECT``, ``SET``...) write nothing; ``INSERT``,
``UPDATE``, ``DELETE``, ``COPY`` and ``TRUNCATE`` write their target table, which belongs to the
connection's schema, to the shared tables (an app only in SHARED_APPS) or to the schema it is
qualified with. What cannot be read from the text (DDL, ``DO``, a writing ``WITH``) counts as a
write to the schema and to the shared tables.
"""

from __future__ import annotations

import functools
import re
from functools import cache as memoize

from django.apps import apps
from django.conf import settings

SHARED = "shared"  # the scope of the shared (public-schema-only) tables

# Written by reads (a token's or a session's last use, a download's activity entry and document
# view) or by mail delivery. Otherwise one resident's download would empty every cached answer of
# the organisation. A table some cached value shows has a scope of its own, named only by what
# shows it: the tokens, cached for authentication and shown by the devices list. The others no
# cached value shows (sessions are read from the database, the activity log and the documents
# viewed are shown to staff, uncached; the outbox to its sweep): their writes make nothing stale
# and cost no round trip to Redis. Before a cached answer may show one, it moves to OWN_SCOPE_TABLES.
OWN_SCOPE_TABLES = frozenset({"credentials_accesstoken"})
UNSHOWN_TABLES = frozenset(
    {
        "django_session",
        "communications_outboundemail",
        "activity_activityevent",
        "documents_documentview",
    }
)
IGNORED_TABLES = OWN_SCOPE_TABLES | UNSHOWN_TABLES

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
# A token's last use (credentials.services), noted by reads every few minutes: its own scope, so
# that it leaves the tokens cached for authentication alone; the devices list names it too.
_TOKEN_LAST_USE = re.compile(
    r'\s*UPDATE\s+"credentials_accesstoken"\s+SET\s+"last_used_at"\s*=\s*%s(?:\s*,\s*"last_ip"\s*=\s*%s)?\s+WHERE\b'
)
LAST_USE = "last_use"
# Django's update_last_login(): a login notes its time on the shared identity; no answer shows it.
_LAST_LOGIN_ONLY = re.compile(r'\s*UPDATE\s+"accounts_user"\s+SET\s+"last_login"\s*=\s*%s\s+WHERE\b')


@memoize
def _shared_only_tables() -> frozenset[str]:
    """Tables that exist only in the public schema (apps in SHARED_APPS and not in TENANT_APPS)."""
    shared_only = set(settings.SHARED_APPS) - set(settings.TENANT_APPS)
    return frozenset(
        model._meta.db_table for model in apps.get_models() if model._meta.app_config.name in shared_only
    )


def table_scope(schema: str, table: str, part: str = "") -> str:
    """The scope of one of the IGNORED_TABLES alone (for the few answers that show it), or of a
    name an app bumps itself (``data_versions.bump``; the portal's configuration)."""
    return f"{schema}.{table}:{part}" if part else f"{schema}.{table}"


def _unquote(name: str) -> str:
    return name[1:-1] if name.startswith('"') else name.lower()


# Statements up to this long (the ORM's, with placeholders: the same text again and again) are
# classified once per process; longer ones (bulk inserts) each time, so the memo stays small.
_MEMO_MAX_LENGTH = 2_000


def written_scopes(sql: str, *, schema: str) -> frozenset[str]:
    """The versions a statement run in ``schema`` makes stale: none, ``schema``, SHARED, or both."""
    if len(sql) <= _MEMO_MAX_LENGTH:
        return _memoised_scopes(sql, schema)
    return _scopes(sql, schema)


@functools.lru_cache(maxsize=4_096)
def _memoised_scopes(sql: str, schema: str) -> frozenset[str]:
    return _scopes(sql, schema)


def _scopes(sql: str, schema: str) -> frozenset[str]:
    if _READ_STATEMENT.match(sql) or (_WITH.match(sql) and not _WRITING_KEYWORD.search(sql)):
        return frozenset()
    if _LAST_LOGIN_ONLY.match(sql):
        return frozenset()
    if _TOKEN_LAST_USE.match(sql):
        return frozenset({table_scope(schema, "credentials_accesstoken", LAST_USE)})
    target = _TARGET.match(sql)
    if target is None:
        return frozenset({schema, SHARED})
    *qualifier, table = (_unquote(part) for part in re.findall(_NAME, target.group(1)))
    if table in UNSHOWN_TABLES:
        return frozenset()
    if table in OWN_SCOPE_TABLES:
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
