"""Bulk writes that stay linear and skip model instances: ``UPDATE … FROM (VALUES …)``, COPY, and
an upsert through a temporary table.

Django's ``bulk_update`` builds one ``CASE WHEN`` per field over the whole batch, which grows
quadratically (10,000 invoices took over a minute); joining a VALUES list updates the same rows in
a fraction of a second. ``bulk_create`` builds a model instance and a parameter per value (10,000
invoices and their 30,000 lines took seconds); COPY takes the rows as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

BATCH = 1000


def bulk_update_values(model, objects: list, fields: list[str], batch_size: int = BATCH) -> None:
    if not objects:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    table = connection.ops.quote_name(meta.db_table)
    pk = meta.pk
    types = [pk.db_type(connection)] + [field.db_type(connection) for field in columns]
    names = [connection.ops.quote_name(pk.column)] + [
        connection.ops.quote_name(field.column) for field in columns
    ]
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    row_template = "(" + ", ".join(f"%s::{db_type}" for db_type in types) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            chunk = objects[start : start + batch_size]
            params = []
            for obj in chunk:
                params.append(pk.get_db_prep_value(obj.pk, connection))
                for field in columns:
                    params.append(field.get_db_prep_save(getattr(obj, field.attname), connection))
            values = ", ".join([row_template] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v({', '.join(names)}) "  # noqa: S608 - quoted identifiers
                f"WHERE {table}.{names[0]} = v.{names[0]}",
                params,
            )


def _columns(model, fields: list[str]) -> list:
    return [model._meta.get_field(name) for name in fields]


def copy_rows(model, fields: list[str], rows: Iterable[tuple]) -> None:
    """``rows`` (values in the order of ``fields``) into ``model``'s table with COPY: no per-row
    SQL, parameters or model instances (30,000 invoice lines in a fraction of a second)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(field.column) for field in _columns(model, fields))
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def upsert_rows(model, key: str, fields: list[str], rows: list[tuple]) -> None:
    """Insert ``rows`` (``key`` first, then ``fields``), or update every field of the row whose
    unique ``key`` exists: COPY into a temporary table, then one ``INSERT … ON CONFLICT DO UPDATE``
    (as consumption ingestion does; both work in a Citus distributed schema)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    incoming = quote(f"incoming_{model._meta.db_table}")
    columns = _columns(model, [key, *fields])
    names = [quote(field.column) for field in columns]
    definition = ", ".join(
        f"{name} {field.db_type(connection)}" for name, field in zip(names, columns, strict=True)
    )
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in names[1:])
    with connection.cursor() as cursor:
        # ON COMMIT DROP only drops at the outermost commit; a caller's transaction may hold one.
        cursor.execute(f"DROP TABLE IF EXISTS {incoming}")
        cursor.execute(f"CREATE TEMP TABLE {incoming} ({definition}) ON COMMIT DROP")
        with cursor.copy(f"COPY {incoming} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} FROM {incoming} "  # noqa: S608 - quoted identifiers
            f"ON CONFLICT ({names[0]}) DO UPDATE SET {updates}"
        )
        cursor.execute(f"DROP TABLE {incoming}")


def rows_by_key(model, key: str, fields: list[str], values: list) -> list[tuple]:
    """(``key``, ``fields``…) of the rows holding ``values``: one array parameter, not one per value
    as ``__in`` makes (10,000 placeholders cost more to build than the query takes to run)."""
    if not values:
        return []
    quote = connection.ops.quote_name
    columns = _columns(model, [key, *fields])
    names = ", ".join(quote(field.column) for field in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {names} FROM {quote(model._meta.db_table)} WHERE {quote(columns[0].column)} = ANY(%s)",  # noqa: S608 - quoted identifiers
            [list(values)],
        )
        return cursor.fetchall()


def ids_by_key(model, key: str, values: list) -> dict:
    """``key`` value -> pk for the rows holding ``values``."""
    return dict(rows_by_key(model, key, [model._meta.pk.name], values))


def delete_by_key(model, key: str, values: list) -> None:
    """Delete the rows whose ``key`` is one of ``values`` in one statement (no Django collector:
    for models nothing references)."""
    if not values:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.get_field(key).column)} = ANY(%s)",  # noqa: S608 - quoted identifiers
            [list(values)],
        )
