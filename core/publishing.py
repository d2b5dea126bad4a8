"""Publishing Celery tasks after commit without ever failing (or stalling) the request.

If the broker cannot be reached, the work stays in its table (outbox row, account request) and the
periodic sweep picks it up. After a failure this process stops trying for a short while, so an
outage costs one connection timeout, not one per request.
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 30.0
_lock = threading.Lock()
_skip_until = 0.0


def publish(task, *args, schema_name: str | None = None) -> bool:
    """``task.apply_async(args)``; False when the broker is (known to be) unreachable.

    The worker runs the task in ``schema_name``, by default the schema current now (the tenant app
    of config/celery.py sends it in a header). Callbacks run after commit pass the schema taken when
    they were registered: a commit may come after the ``schema_context`` of the change.
    """
    global _skip_until
    if time.monotonic() < _skip_until:
        logger.info("Broker marked unavailable; %s%s left to the periodic sweep", task.name, args)
        return False
    try:
        headers = {"_schema_name": schema_name} if schema_name else None
        task.apply_async(args=args, retry=False, headers=headers)
    except Exception:
        with _lock:
            _skip_until = time.monotonic() + BACKOFF_SECONDS
        logger.warning("Broker unavailable; %s%s left to the periodic sweep", task.name, args)
        return False
    return True


def reset() -> None:
    """Forget a past failure (tests that restart the broker)."""
    global _skip_until
    _skip_until = 0.0
