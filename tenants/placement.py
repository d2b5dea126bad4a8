"""Where organisations live on the database cluster, and moving one to another node.

Selectors and services over ``tenants.cluster`` (the one module that knows the cluster). On a
Citus cluster each organisation schema is a distributed schema on one worker; a move copies it
with logical replication and blocks writes only for the switch-over. On plain PostgreSQL there is
one node, ``local``, and a move is refused with ``not_distributed``. Routing is by schema name, so
a move changes nothing else in the platform.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from functools import partial

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import cluster
from .errors import PlacementError
from .models import Organisation, SchemaMove

logger = logging.getLogger(__name__)

LOCAL_NODE = "local"  # the one node of a platform on plain PostgreSQL
RECENT_MOVES = 10
# First key of the advisory lock a running move holds (the second is the move's id): another
# delivery of the same task, or a new request, can tell that the move is still running.
MOVE_LOCK_CLASS = 0x6D6F7665  # "move"
# A queued move no worker has started within this time was lost (e.g. published while the broker
# was down); a new request for the organisation replaces it. The broker redelivers unacknowledged
# tasks after an hour as well (CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]).
LOST_AFTER_SECONDS = 3600


# --- selectors ----------------------------------------------------------------------------------
def placement_overview() -> dict:
    """Every node of the database: how many schemas and bytes it holds, and whether organisations go there."""
    return {
        "distributed": cluster.citus_enabled(),
        "nodes": [
            {
                "name": node.name,
                "schemas": node.schemas,
                "size_bytes": node.size_bytes,
                "accepts_organisations": node.accepts_schemas,
            }
            for node in cluster.nodes()
        ],
    }


def organisation_placement(organisation: Organisation) -> dict:
    """The node an organisation lives on, its size, and its last moves (newest first).

    ``node`` is ``local`` on plain PostgreSQL, and ``None`` for a schema that Citus does not
    distribute (it stays on the coordinator).
    """
    schema = organisation.schema_name
    distributed = cluster.is_distributed(schema)
    if distributed:
        node, size = cluster.node_of(schema), cluster.schema_sizes().get(schema, 0)
    else:
        node = None if cluster.citus_enabled() else LOCAL_NODE
        size = _local_schema_sizes([schema]).get(schema, 0)
    return {
        "distributed": distributed,
        "node": node,
        "size_bytes": size,
        "moves": list(SchemaMove.objects.filter(organisation=organisation)[:RECENT_MOVES]),
    }


def organisations_by_node() -> list[dict]:
    """Every organisation with its node and size, in one query per kind (for the command)."""
    organisations = list(Organisation.objects.order_by("slug").only("slug", "name", "schema_name"))
    schemas = [organisation.schema_name for organisation in organisations]
    if cluster.citus_enabled():
        nodes, sizes = cluster.schema_nodes(), cluster.schema_sizes()
        local = _local_schema_sizes([schema for schema in schemas if schema not in sizes])
    else:
        nodes, sizes, local = dict.fromkeys(schemas, LOCAL_NODE), {}, _local_schema_sizes(schemas)
    return [
        {
            "slug": organisation.slug,
            "name": organisation.name,
            "schema_name": organisation.schema_name,
            "node": nodes.get(organisation.schema_name),
            "size_bytes": sizes.get(organisation.schema_name, local.get(organisation.schema_name, 0)),
        }
        for organisation in organisations
    ]


def _local_schema_sizes(schemas: list[str]) -> dict[str, int]:
    """Bytes of the tables, indexes and TOAST of schemas stored on this server itself."""
    if not schemas:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_namespace n "
            "LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'm') "
            "WHERE n.nspname = ANY(%s) GROUP BY n.nspname",
            [schemas],
        )
        return {name: int(size) for name, size in cursor.fetchall()}


# --- services -----------------------------------------------------------------------------------
def request_move(
    *, organisation: Organisation, node: str, requested_by: str = "", publish: bool = True
) -> SchemaMove:
    """Queue a move of the organisation's schema to ``node`` (``host:port``) for a Celery task.

    Refused with ``not_distributed`` (409), ``unknown_node`` or ``already_there`` (400, field
    ``node``), or ``move_in_progress`` (409). ``publish=False``: the caller runs it (``run_move``).
    """
    schema = organisation.schema_name
    if not cluster.citus_enabled():
        raise PlacementError(
            _("This platform runs on one database server: there is no other node to move to."),
            code="not_distributed",
            http_status=409,
        )
    if not cluster.is_distributed(schema):
        raise PlacementError(
            _("This organisation's schema is not distributed over the cluster's nodes: it cannot be moved."),
            code="not_distributed",
            http_status=409,
        )
    target = _organisation_node(node)
    source = cluster.node_of(schema) or ""
    if source == target:
        raise PlacementError(
            _("The organisation already lives on %(node)s.") % {"node": target},
            code="already_there",
            field="node",
        )
    in_progress = PlacementError(
        _("A move of this organisation is queued or running; wait until it has finished."),
        code="move_in_progress",
        http_status=409,
    )
    try:
        with transaction.atomic():
            Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
            for earlier in SchemaMove.objects.select_for_update().filter(
                organisation=organisation, status__in=SchemaMove.IN_PROGRESS
            ):
                if not _abandoned(earlier):
                    raise in_progress
                _finish(earlier, error=_abandoned_reason(earlier))
            move = SchemaMove.objects.create(
                organisation=organisation,
                source_node=source,
                target_node=target,
                requested_by=requested_by or "",
            )
            if publish:
                transaction.on_commit(partial(_publish_move, move.pk))
    except IntegrityError as exc:  # a concurrent request got there first
        raise in_progress from exc
    return move


def run_move(*, move_id: int) -> SchemaMove:
    """Carry out a queued move: ``citus_schema_move`` outside any transaction, then record the outcome.

    Citus commits a move in steps and refuses to run inside a transaction block. Another delivery
    of the same task finds the move running (its lock held) or finished, and leaves it alone.
    """
    if connection.in_atomic_block:
        raise RuntimeError("run_move must run outside a transaction: Citus commits a move in steps.")
    with _move_lock(move_id) as locked:
        if not locked:
            return SchemaMove.objects.get(pk=move_id)
        with transaction.atomic():
            move = SchemaMove.objects.select_for_update().select_related("organisation").get(pk=move_id)
            if move.status not in SchemaMove.IN_PROGRESS:
                return move
            move.status, move.started_at = SchemaMove.Status.MOVING, timezone.now()
            move.save(update_fields=["status", "started_at"])
        started = time.perf_counter()
        error = ""
        try:
            cluster.move_schema(move.organisation.schema_name, move.target_node, block_writes=False)
        except cluster.ClusterError as exc:
            error = str(exc)
        except DatabaseError as exc:
            logger.exception("Moving schema %s to %s failed", move.organisation.schema_name, move.target_node)
            error = str(exc).strip() or exc.__class__.__name__
        _finish(move, error=error, seconds=time.perf_counter() - started)
    return move


def _organisation_node(node: str) -> str:
    """``node`` when it names a node that holds organisations; ``unknown_node`` otherwise."""
    name = (node or "").strip()
    candidates = sorted(every.name for every in cluster.nodes() if every.accepts_schemas)
    if name not in candidates:
        raise PlacementError(
            _("“%(node)s” is not a node that holds organisations. Choose one of: %(nodes)s.")
            % {"node": name, "nodes": ", ".join(candidates)},
            code="unknown_node",
            field="node",
        )
    return name


def _finish(move: SchemaMove, *, error: str, seconds: float | None = None) -> None:
    move.status = SchemaMove.Status.FAILED if error else SchemaMove.Status.DONE
    move.error = error
    move.finished_at = timezone.now()
    if seconds is not None:
        move.seconds = round(seconds, 3)
    move.save(update_fields=["status", "error", "finished_at", "seconds"])


def _abandoned(move: SchemaMove) -> bool:
    """Nobody runs this move, nor will: its runner stopped, or its task was lost (see LOST_AFTER_SECONDS)."""
    if _lock_held_elsewhere(move.pk):
        return False
    if move.status == SchemaMove.Status.MOVING:
        return True
    return (timezone.now() - move.created_at).total_seconds() > LOST_AFTER_SECONDS


def _abandoned_reason(move: SchemaMove) -> str:
    if move.status == SchemaMove.Status.MOVING:
        return "The process running this move stopped before it finished; a new move was requested."
    return "No worker started this move; a new move was requested."


def _lock_held_elsewhere(move_id: int) -> bool:
    # Taken for the rest of the caller's transaction: a runner cannot start this move meanwhile.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [MOVE_LOCK_CLASS, move_id])
        return not cursor.fetchone()[0]


@contextlib.contextmanager
def _move_lock(move_id: int) -> Iterator[bool]:
    """A session lock held while the move runs (released when the process's connection ends, too)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [MOVE_LOCK_CLASS, move_id])
        locked = bool(cursor.fetchone()[0])
    try:
        yield locked
    finally:
        if locked:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [MOVE_LOCK_CLASS, move_id])


def _publish_move(move_id: int) -> None:
    from core.publishing import publish  # beside the task it publishes

    from .tasks import move_organisation_schema  # tasks import this module

    publish(move_organisation_schema, move_id)
