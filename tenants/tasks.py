"""Background work for the platform: spare schemas, and where organisations live on a Citus cluster."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from . import cluster, placement, provisioning

LOCK_KEY = "tenants:replenish-spares"


@shared_task(ignore_result=True)
def replenish_spare_schemas() -> int:
    # One replenisher at a time: two would both see the pool short and overshoot it.
    if not cache.add(LOCK_KEY, "1", timeout=300):
        return 0
    try:
        return provisioning.replenish_spare_schemas()
    finally:
        cache.delete(LOCK_KEY)


@shared_task(ignore_result=True)
def move_organisation_schema(move_id: int) -> str:
    """Run a move an operator asked for (tenants.placement.request_move); returns how it ended."""
    return placement.run_move(move_id=move_id).status


@shared_task(ignore_result=True)
def place_new_organisation(schema_name: str, created_on: str | None = None) -> str | None:
    """Move a just-onboarded organisation's schema to the least loaded node (Citus placed it by id).

    Writes are blocked only for the switch-over: the organisation may already be in use. A
    schema no longer on ``created_on`` was moved by an operator meanwhile and stays where it is.
    """
    return cluster.place_on_least_loaded_node(schema_name, block_writes=False, only_from=created_on)
