"""The worker's and beat's liveness file (observability.liveness reads it), touched from their own loops."""

from __future__ import annotations

import logging
import os

from celery import bootsteps
from celery.beat import PersistentScheduler

from .liveness import FILE_VARIABLE, touch

logger = logging.getLogger(__name__)
# Seconds between touches of the worker's file; the probe's limit must be a few times this.
INTERVAL_VARIABLE = "CELERY_LIVENESS_INTERVAL"


def liveness_file() -> str | None:
    return os.environ.get(FILE_VARIABLE) or None


class ConsumingHeartbeat(bootsteps.StartStopStep):
    """A consumer step after the task consumer: touches the file while the worker consumes.

    Celery stops consumer steps when the broker connection is lost and starts them again once it
    is back, and the timer fires from the worker's event loop: a stale file means the worker
    has not been consuming (or its loop has been stuck) for that long.
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.path = liveness_file()
        self.interval = float(os.environ.get(INTERVAL_VARIABLE) or 10)
        self.tref = None

    def include_if(self, parent) -> bool:
        return self.path is not None

    def start(self, parent) -> None:
        self._touch()
        self.tref = parent.timer.call_repeatedly(self.interval, self._touch)

    def stop(self, parent) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    shutdown = stop

    def _touch(self) -> None:
        try:
            touch(self.path)
        except OSError:
            logger.exception("could not touch the liveness file %s", self.path)


class LivenessScheduler(PersistentScheduler):
    """Celery beat's file scheduler, touching the liveness file on every tick of its loop."""

    def tick(self, *args, **kwargs):
        delay = super().tick(*args, **kwargs)
        path = liveness_file()
        if path:
            touch(path)
        return delay
