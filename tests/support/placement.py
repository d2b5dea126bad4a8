"""Helpers of tests/test_platform_placement.py: Citus's nodes as its catalogue lists them, a move
left running by a failed test cancelled and cleaned up, and what a worker node has left for the
logical replication of a move."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import schema_context

from memberships.models import StaffMembership
from tenants.models import Organisation, SchemaMove
from tests.support.citus_cluster import ON_CITUS
from tests.support.common import wait_until


def pg_dist_nodes() -> tuple[str, list[str]]:
    """The coordinator's ``host:port`` and the workers', from Citus's own catalogue."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nodename, nodeport, groupid FROM pg_dist_node WHERE noderole = 'primary'")
        rows = cursor.fetchall()
    coordinator = next(f"{host}:{port}" for host, port, group in rows if group == 0)
    return coordinator, sorted(f"{host}:{port}" for host, port, group in rows if group != 0)


def other_worker(current: str) -> str:
    _coordinator, workers = pg_dist_nodes()
    return next(worker for worker in workers if worker != current)


def stop_moves(schema_name: str) -> None:
    """A move that is still running after its test (one that failed) is cancelled and cleaned up,
    so that dropping the schema does not wait for it."""
    if not ON_CITUS:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND query LIKE %s",
            [f"%citus_schema_move('{schema_name}'%"],
        )
        if cursor.fetchall():
            wait_until(lambda: not SchemaMove.objects.filter(status=SchemaMove.Status.MOVING).exists(), 30)
            cursor.execute("CALL citus_cleanup_orphaned_resources()")


# Background workers a worker node has left (max_worker_processes): Citus's maintenance daemon takes
# one per database, and a move with logical replication one for its apply worker on the target.
FREE_WORKER_SLOTS = """
SELECT current_setting('max_worker_processes')::int - count(*) FROM pg_stat_activity
WHERE backend_type NOT IN ('client backend', 'autovacuum launcher', 'autovacuum worker',
  'background writer', 'checkpointer', 'walwriter', 'walsender', 'walreceiver', 'startup',
  'archiver', 'logger')
"""


def free_worker_slots() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nodename, nodeport, result FROM run_command_on_workers(%s)", [FREE_WORKER_SLOTS]
        )
        return {f"{host}:{port}": result for host, port, result in cursor.fetchall()}


def still_has_its_data(organisation: Organisation) -> bool:
    with schema_context(organisation.schema_name):
        return StaffMembership.objects.filter(email=f"admin@{organisation.slug}.test").exists()
