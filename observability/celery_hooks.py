"""Celery task metrics and log context, connected by config/celery.py."""

from __future__ import annotations

import os
import time

from celery import signals

from .context import reset_request_id, set_request_id
from .metrics import TASK_DURATION, TASKS

_started: dict[str, tuple[float, object]] = {}


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **_kwargs) -> None:
    # The task id stands in for the request id on every log line of the task.
    _started[task_id] = (time.perf_counter(), set_request_id(task_id))


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, **_kwargs) -> None:
    started = _started.pop(task_id, None)
    if started is None:
        return
    moment, token = started
    TASK_DURATION.labels(task.name).observe(time.perf_counter() - moment)
    reset_request_id(token)


@signals.task_success.connect
def _task_succeeded(sender=None, **_kwargs) -> None:
    TASKS.labels(sender.name, "succeeded").inc()


@signals.task_failure.connect
def _task_failed(sender=None, **_kwargs) -> None:
    TASKS.labels(sender.name, "failed").inc()


@signals.task_retry.connect
def _task_retried(sender=None, **_kwargs) -> None:
    TASKS.labels(sender.name, "retried").inc()


@signals.worker_ready.connect
def _serve_worker_metrics(**_kwargs) -> None:
    """The worker's main process serves the samples of all its pool processes on CELERY_METRICS_PORT.

    Behind the same token as the web pods' /metrics (``metrics.scrape_allowed``).
    """
    port = os.environ.get("CELERY_METRICS_PORT")
    if not port:
        return
    from prometheus_client import CollectorRegistry
    from prometheus_client.registry import REGISTRY

    from .metrics import serve_metrics  # only in a worker that serves metrics

    registry = REGISTRY
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
    serve_metrics(int(port), registry)


@signals.worker_process_shutdown.connect
def _pool_process_gone(pid=None, **_kwargs) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR") and pid:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
