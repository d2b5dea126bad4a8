"""The Celery task of ``memory_worker.py``: one batch of readings ingested by a real worker.

The platform ingests readings in the request (``integration/api/readings.py``) and in a management
command; it has no ingestion task. This one, loaded only by the benchmark's worker
(``celery -A config worker --include memory_tasks``), calls the same service,
``consumption.ingestion.ingest``, on rows that came through the broker as JSON, in the schema the
message names (config/celery.py's tenant app sets ``connection.tenant``), and counts what it stored
in Redis so the benchmark knows when the worker has finished.
"""

from __future__ import annotations

from functools import cache

import redis
from celery import shared_task
from django.conf import settings
from django.db import connection

NAME = "memory_tasks.ingest_batch"


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


@shared_task(name=NAME, ignore_result=True)
def ingest_batch(rows: list[dict], counter: str) -> None:
    """Ingest ``rows`` for the task's organisation; add the accepted and refused counts to ``counter``."""
    # The worker imports this module while it loads its apps: the service's models only after.
    from consumption.ingestion import ingest

    try:
        result = ingest(rows=rows, organisation=connection.tenant)
    except Exception:
        _redis().incr(f"{counter}:failed")
        raise
    _redis().incrby(f"{counter}:accepted", result.accepted)
    _redis().incrby(f"{counter}:refused", result.error_count + result.duplicate_count)
