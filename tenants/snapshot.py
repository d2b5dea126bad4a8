"""A DDL snapshot of the migrated template schema, replayed to create an organisation's schema.

django-tenants' ``clone_schema()`` introspects the template table by table on every call. The
template only changes with a migration, so its structure is read from the catalogue once (five
queries), kept as a list of DDL statements, and a new schema is then a single round trip (a pipeline): create the tables
with their defaults and identities, the constraints, the indexes, then the foreign keys, and copy
the rows the template holds (its migration records, content types). ``schema_signature()`` lets
tests prove that a schema made this way is identical to the template.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Snapshot:
    template: str
    statements: tuple[str, ...]  # unqualified names: run with search_path = <new schema>, public
    data_tables: tuple[str, ...]
    identity_columns: tuple[tuple[str, str], ...]  # (table, column) of tables that hold rows


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _unqualified(definition: str, schema: str) -> str:
    return definition.replace(f"{_quote(schema)}.", "").replace(f"{schema}.", "")


def take(template: str) -> Snapshot:
    """Read the template's structure from the catalogue (five queries, one more for its rows)."""
    tables, columns, constraints, indexes = _catalogue(template)
    statements, identities = _create_tables(tables, columns, template)
    foreign = []
    for table, name, kind, definition in constraints:
        statement = (
            f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {_unqualified(definition, template)}"
        )
        (foreign if kind == "f" else statements).append(statement)
    statements += [_unqualified(definition, template) for (definition,) in indexes]
    statements += foreign
    data_tables = _tables_with_rows(template, tables)
    return Snapshot(
        template=template,
        statements=tuple(statements),
        data_tables=data_tables,
        identity_columns=tuple((t, c) for t, c in identities if t in data_tables),
    )


def _catalogue(template: str) -> tuple[list[str], list[tuple], list[tuple], list[tuple]]:
    """The template's tables, their columns, constraints and indexes; a ValueError when it holds
    what a snapshot cannot replay."""
    tables = [
        name
        for (name,) in _rows(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
            [template],
        )
    ]
    columns = _rows(
        """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
               pg_get_expr(d.adbin, d.adrelid), a.attgenerated,
               CASE WHEN a.attcollation <> t.typcollation THEN co.collname END
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum
        """,
        [template],
    )
    constraints = _rows(
        "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid) FROM pg_constraint k "
        "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND k.contype IN ('p', 'u', 'c', 'x', 'f') ORDER BY c.relname, k.conname",
        [template],
    )
    indexes = _rows(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT EXISTS ("
        "SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')) "
        "ORDER BY c.relname",
        [template],
    )
    unsupported = _rows(
        "SELECT c.relkind, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind NOT IN ('r', 'p', 'i', 'S', 'I') "
        "UNION ALL SELECT 't', t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT t.tgisinternal",
        [template, template],
    )
    if unsupported:
        # Views, triggers and the like are not replayed; the caller falls back to clone_schema().
        raise ValueError(f"template holds objects the snapshot does not copy: {unsupported}")
    return tables, columns, constraints, indexes


def _create_tables(tables: list[str], columns: list[tuple], template: str) -> tuple[list[str], list]:
    """A CREATE TABLE per table with its columns' types, collations, identities, generated
    expressions, defaults and NOT NULL; and the identity columns, (table, column)."""
    by_table: dict[str, list[str]] = defaultdict(list)
    identities = []
    for table, column, type_name, not_null, identity, default, generated, collation in columns:
        part = f"{_quote(column)} {type_name}"
        if collation:
            part += f" COLLATE {_quote(collation)}"
        if identity:
            part += f" GENERATED {'ALWAYS' if identity == 'a' else 'BY DEFAULT'} AS IDENTITY"
            identities.append((table, column))
        elif generated:
            part += f" GENERATED ALWAYS AS ({_unqualified(default, template)}) STORED"
        elif default is not None:
            part += f" DEFAULT {_unqualified(default, template)}"
        if not_null:
            part += " NOT NULL"
        by_table[table].append(part)
    statements = [f"CREATE TABLE {_quote(table)} ({', '.join(by_table[table])})" for table in tables]
    return statements, identities


def _tables_with_rows(template: str, tables: list[str]) -> tuple[str, ...]:
    """The template's tables that hold rows (its migration records, content types): one query."""
    counts = (
        _rows(
            " UNION ALL ".join(
                f"SELECT %s, EXISTS (SELECT 1 FROM {_quote(template)}.{_quote(table)})"  # noqa: S608 - quoted catalogue names
                for table in tables
            ),
            tables,
        )
        if tables
        else []
    )
    return tuple(table for table, has_rows in counts if has_rows)


def replay(snapshot: Snapshot, schema_name: str) -> None:
    """Create ``schema_name`` from the snapshot in one round trip (the caller's transaction).

    The statements are sent one by one in a pipeline, not as one multi-statement string: Citus
    forwards a statement on a distributed schema to its worker as it came, and the worker refuses
    the string ("cannot insert multiple commands into a prepared statement").
    """
    target, template = _quote(schema_name), _quote(snapshot.template)
    copies = [
        f"INSERT INTO {target}.{_quote(t)} SELECT * FROM {template}.{_quote(t)}"  # noqa: S608 - quoted catalogue names
        for t in snapshot.data_tables
    ]
    # The next identity value is read from the template, whose rows were just copied: with the
    # new table's own max() the setval would be routed to a Citus worker, whose sequence has
    # another range ("setval: value ... is out of bounds for sequence").
    sequences = [
        f"SELECT setval(pg_get_serial_sequence('{target}.{_quote(t)}', '{c}'), "  # noqa: S608 - quoted catalogue names
        f"(SELECT COALESCE(max({_quote(c)}), 0) + 1 FROM {template}.{_quote(t)}), false)"
        for t, c in snapshot.identity_columns
    ]
    statements = [
        f"CREATE SCHEMA {target}",
        f"SET search_path TO {target}, public",
        *snapshot.statements,
        *copies,
        *sequences,
        "SET search_path TO public",
    ]
    try:
        with connection.cursor() as cursor, connection.connection.pipeline():
            for statement in statements:
                cursor.execute(statement)
    finally:
        # The path was set behind django-tenants' back (TENANT_LIMIT_SET_CALLS): have the next
        # query set the connection's own again.
        connection.forget_search_path()


def schema_signature(schema_name: str) -> dict:
    """Columns, constraints and indexes of a schema, with its own name taken out (for comparisons)."""
    snapshot_columns = _rows(
        """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
               pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY 1, a.attnum
        """,
        [schema_name],
    )
    constraints = _rows(
        "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.condeferrable, k.condeferred "
        "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s ORDER BY 1, 2",
        [schema_name],
    )
    indexes = _rows(
        "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('i', 'I') ORDER BY 1",
        [schema_name],
    )

    def clean(value):
        return _unqualified(value, schema_name) if isinstance(value, str) else value

    return {
        "columns": [tuple(clean(v) for v in row) for row in snapshot_columns],
        "constraints": [tuple(clean(v) for v in row) for row in constraints],
        "indexes": [tuple(clean(v) for v in row) for row in indexes],
    }
