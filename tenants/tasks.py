"""Background work for the platform: keeping spare schemas ready for the next onboarding."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from . import provisioning

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
