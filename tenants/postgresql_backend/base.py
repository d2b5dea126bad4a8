"""django-tenants' PostgreSQL backend, plus the write tracking behind tenants.data_versions, and a
search path that is only set when it changes.

Every statement this connection runs passes ``_note_writes``; the writes of a transaction are kept
in ``uncommitted_write_scopes`` and bump their versions right after the COMMIT (a ROLLBACK forgets
them). A write in autocommit mode is committed by the statement itself and bumps at once. psycopg's
``cursor.copy()`` does not go through ``execute``, so the cursor wrapper notes it too.

django-tenants (with TENANT_LIMIT_SET_CALLS) sets the search path once per ``set_tenant``; every
request switches to public and then to its organisation, so every request paid a ``SET
search_path``. This backend remembers what the database session has (``_session_search_path``,
forgotten on ROLLBACK, on a failed SET, on close and by ``forget_search_path()``) and skips the SET
when a switch lands on the same path: a worker serving the same organisation again sends none.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db.backends import utils as backend_utils
from django_tenants.postgresql_backend import base as tenants_base

from tenants import data_versions, written_tables


class _CopyTracking:
    """``cursor.copy(statement)`` counts as the write its COPY statement is."""

    def copy(self, statement, *args, **kwargs):
        return self.db.tracked_copy(self.cursor, statement, *args, **kwargs)


class CursorWrapper(_CopyTracking, backend_utils.CursorWrapper):
    pass


class CursorDebugWrapper(_CopyTracking, backend_utils.CursorDebugWrapper):
    pass


class DatabaseWrapper(tenants_base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        self._session_search_path: list[str] | None = None  # django-tenants' __init__ sets a tenant
        super().__init__(*args, **kwargs)
        self.uncommitted_write_scopes: set[str] = set()
        # First in the list: Django's execute_wrapper() context managers append and pop after it.
        self.execute_wrappers.append(self._note_writes)

    def set_tenant(self, tenant, include_public=True):
        super().set_tenant(tenant, include_public)
        if (
            self._session_search_path is not None
            and self._get_cursor_search_paths() == self._session_search_path
        ):
            self.search_path_set_schemas = self._session_search_path

    def _handle_search_path(self, cursor=None):
        super()._handle_search_path(cursor)
        if not self._setting_search_path:
            self._session_search_path = self.search_path_set_schemas

    def forget_search_path(self) -> None:
        """The path was set behind this wrapper's back: the next query sets the right one again."""
        self.search_path_set_schemas = None
        self._session_search_path = None

    def rollback(self):
        self._session_search_path = None
        super().rollback()

    def savepoint_rollback(self, sid):
        self._session_search_path = None
        super().savepoint_rollback(sid)

    def close(self):
        self._session_search_path = None
        super().close()

    def make_cursor(self, cursor):
        return CursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor):
        return CursorDebugWrapper(cursor, self)

    def _note_writes(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        self.note_statement(sql)
        return result

    def note_statement(self, sql) -> None:
        scopes = written_tables.written_scopes(
            written_tables.statement_text(sql), schema=self.schema_name or "public"
        )
        if not scopes:
            return
        if self.in_atomic_block or not self.autocommit:
            self.uncommitted_write_scopes |= scopes
        else:
            data_versions.bump(scopes)

    @contextmanager
    def tracked_copy(self, raw_cursor, statement, *args, **kwargs):
        with raw_cursor.copy(statement, *args, **kwargs) as copy:
            yield copy
        self.note_statement(statement)

    def _commit(self):
        result = super()._commit()
        scopes, self.uncommitted_write_scopes = self.uncommitted_write_scopes, set()
        data_versions.bump(scopes)
        return result

    def _rollback(self):
        self.uncommitted_write_scopes = set()
        return super()._rollback()

    def _close(self):
        self.uncommitted_write_scopes = set()
        return super()._close()
