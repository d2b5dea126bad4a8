"""The database cluster under the organisations: one PostgreSQL server, or a Citus cluster.

On Citus with schema-based sharding every organisation schema is a *distributed schema* that
lives whole on one worker node. This module is the one place that knows it: whether Citus is
there, which tables must be reference tables, how to create a schema that stays regular, where
each organisation lives, how loaded each node is, and how to move a schema. On plain PostgreSQL
the same functions answer with one node holding everything, and moving is refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction

# Tenant tables reference these public tables; Citus requires a foreign key from a distributed
# schema to point at a reference table ("referenced table "accounts_user" must be a distributed
# table or a reference table").
REFERENCE_TABLES = ("public.accounts_user",)


class ClusterError(Exception):
    """A placement request the cluster cannot carry out (unknown node, not distributed...)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Node:
    name: str  # host:port
    host: str
    port: int
    schemas: int
    size_bytes: int
    accepts_schemas: bool

    @property
    def load(self) -> tuple[int, int]:
        return (self.size_bytes, self.schemas)


def citus_enabled() -> bool:
    """Whether the database we are connected to has the Citus extension (asked once per connection)."""
    wrapper = connection
    known = getattr(wrapper, "_citus_enabled", None)
    if known is not None and getattr(wrapper, "_citus_connection", None) is wrapper.connection:
        return known
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
        known = bool(cursor.fetchone()[0])
    wrapper._citus_enabled, wrapper._citus_connection = known, wrapper.connection
    return known


def ensure_reference_tables() -> list[str]:
    """Make the public tables that tenant tables reference into Citus reference tables.

    Idempotent; a no-op on plain PostgreSQL. Must run before any organisation schema is
    distributed (``migrate_platform`` runs it right after the public migrations).
    """
    if not citus_enabled():
        return []
    made = []
    with connection.cursor() as cursor:
        for table in REFERENCE_TABLES:
            cursor.execute("SELECT 1 FROM pg_dist_partition WHERE logicalrelid = %s::regclass", [table])
            if cursor.fetchone() is None:
                cursor.execute("SELECT create_reference_table(%s)", [table])
                made.append(table)
    return made


@contextlib.contextmanager
def regular_schemas() -> Iterator[None]:
    """Schemas created inside stay regular (on the coordinator), even with schema-based sharding on.

    The tenant template is such a schema: distributed, it would take a colocation group and a
    worker like an organisation, and every snapshot copy would cross nodes.
    """
    with transaction.atomic():
        if citus_enabled():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL citus.enable_schema_based_sharding TO off")
        yield


def is_distributed(schema_name: str) -> bool:
    if not citus_enabled():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM citus_schemas WHERE schema_name::text = %s", [schema_name])
        return cursor.fetchone() is not None


def nodes() -> list[Node]:
    """Every node that can hold organisations, with how many distributed schemas and bytes it holds."""
    if not citus_enabled():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), pg_database_size(current_database()) FROM public.tenants_organisation"
            )
            count, size = cursor.fetchone()
        return [Node("local", "local", 0, count, size, True)]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nodename, n.nodeport, n.shouldhaveshards,
                   count(DISTINCT s.colocation_id), coalesce(sum(s.shard_size), 0)
            FROM pg_dist_node n
            LEFT JOIN citus_shards s ON s.nodename = n.nodename AND s.nodeport = n.nodeport
                                    AND s.citus_table_type = 'schema'
            WHERE n.isactive AND n.noderole = 'primary'
            GROUP BY n.nodename, n.nodeport, n.shouldhaveshards
            ORDER BY n.nodename, n.nodeport
            """
        )
        rows = cursor.fetchall()
    return [
        Node(f"{host}:{port}", host, port, int(schemas), int(size), bool(accepts))
        for host, port, accepts, schemas, size in rows
    ]


def least_loaded_node() -> Node | None:
    """Where a new organisation should live: the node with the fewest bytes, then fewest schemas."""
    candidates = [node for node in nodes() if node.accepts_schemas]
    return min(candidates, key=lambda node: node.load) if candidates else None


def node_of(schema_name: str) -> str | None:
    """``host:port`` of the node holding ``schema_name``; ``None`` when it is not distributed."""
    if not citus_enabled():
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT s.nodename, s.nodeport FROM citus_shards s "
            "JOIN citus_schemas c ON c.colocation_id = s.colocation_id WHERE c.schema_name::text = %s",
            [schema_name],
        )
        rows = cursor.fetchall()
    return f"{rows[0][0]}:{rows[0][1]}" if len(rows) == 1 else None


def schema_nodes() -> dict[str, str]:
    """``host:port`` of the node holding each distributed schema, from Citus's metadata only.

    One query for every schema (``node_of`` asks ``citus_shards``, which also measures every shard
    on every node); a schema with placements on more than one node is left out, as ``node_of``
    answers ``None`` for it.
    """
    if not citus_enabled():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT d.schemaid::regnamespace::text, n.nodename, n.nodeport
            FROM pg_dist_schema d
            JOIN pg_dist_partition p ON p.colocationid = d.colocationid
            JOIN pg_dist_shard s ON s.logicalrelid = p.logicalrelid
            JOIN pg_dist_placement pl ON pl.shardid = s.shardid
            JOIN pg_dist_node n ON n.groupid = pl.groupid AND n.noderole = 'primary'
            """
        )
        found: dict[str, set[str]] = {}
        for schema, host, port in cursor.fetchall():
            found.setdefault(schema, set()).add(f"{host}:{port}")
    return {schema: next(iter(places)) for schema, places in found.items() if len(places) == 1}


def schema_sizes() -> dict[str, int]:
    """Bytes per distributed schema (``citus_schemas``), for placement views."""
    if not citus_enabled():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.schema_name::text, coalesce(sum(s.shard_size), 0) FROM citus_schemas c "
            "LEFT JOIN citus_shards s ON s.colocation_id = c.colocation_id GROUP BY 1"
        )
        return {name: int(size) for name, size in cursor.fetchall()}


@contextlib.contextmanager
def _schema_move_lock(schema_name: str) -> Iterator[None]:
    """One move of a schema at a time, across processes (an operator's move and a placement task).

    Citus refuses a second concurrent move ("could not acquire the lock required to move ...");
    waiting for the first and then deciding again is what an operator expects.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext('schema-move'), hashtext(%s))", [schema_name])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext('schema-move'), hashtext(%s))", [schema_name])


def move_schema(schema_name: str, node_name: str, *, block_writes: bool = False) -> None:
    """Move a distributed schema to ``node_name`` (``host:port``) with ``citus_schema_move``.

    By default Citus copies with logical replication and blocks writes only for the final
    switch-over; ``block_writes`` copies while blocking writes (for empty spare schemas: faster).
    Must run outside a transaction: Citus commits the move in steps.
    """
    if not citus_enabled():
        raise ClusterError(
            "not_distributed", "This platform runs on one database server; there is nothing to move."
        )
    if not is_distributed(schema_name):
        raise ClusterError("not_distributed", f"Schema {schema_name} is not a distributed schema.")
    target = {node.name: node for node in nodes()}.get(node_name)
    if target is None or not target.accepts_schemas:
        raise ClusterError("unknown_node", f"{node_name} is not a node that holds organisations.")
    with _schema_move_lock(schema_name):
        if node_of(schema_name) == node_name:
            return
        mode = "block_writes" if block_writes else "auto"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT citus_schema_move(%s::regnamespace, %s, %s, %s::citus.shard_transfer_mode)",
                [schema_name, target.host, target.port, mode],
            )


def place_on_least_loaded_node(
    schema_name: str, *, block_writes: bool = True, only_from: str | None = None
) -> str | None:
    """Move a new schema to the least loaded node; returns where it now lives.

    Citus places a new distributed schema by its colocation id, not by load; onboarding calls
    this for spares (empty: ``block_writes``) and for organisations cloned without a spare.
    ``only_from``: leave the schema alone when it is no longer on that node (an operator moved it).
    """
    if not is_distributed(schema_name):
        return None
    with _schema_move_lock(schema_name):
        current = node_of(schema_name)
        if only_from is not None and current != only_from:
            return current
        every = nodes()
        others = [node for node in every if node.accepts_schemas and node.name != current]
        here = next((node for node in every if node.name == current), None)
        best = min(others, key=lambda node: node.load, default=None)
        if best is None or here is None:
            return current
        # Compare loads as if the schema were not on its current node yet.
        size = schema_sizes().get(schema_name, 0)
        if (here.size_bytes - size, here.schemas - 1) <= best.load:
            return current
        # Advisory locks stack within a session: move_schema takes it a second time.
        move_schema(schema_name, best.name, block_writes=block_writes)
    return best.name
