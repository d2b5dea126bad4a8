"""Readiness checks: can this process reach its database and its broker right now?"""

from __future__ import annotations

import contextlib
import time

import redis
from django.conf import settings
from django.db import connection


def check_database() -> tuple[bool, str]:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        with contextlib.suppress(Exception):  # the connection may already be broken
            connection.close()
        return False, type(exc).__name__
    return True, "ok"


def check_broker() -> tuple[bool, str]:
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1, health_check_interval=0
        )
        client.ping()
        client.close()
    except Exception as exc:
        return False, type(exc).__name__
    return True, "ok"


OK = "ok"
DEGRADED = "degraded"
UNAVAILABLE = "unavailable"


def readiness(*, strict: bool = False) -> tuple[bool, dict]:
    """Whether this process should get traffic, and what it found.

    Only the database decides readiness: without it no page can be served. A broker outage is
    reported ("degraded") but keeps the pod ready: emails wait in the outbox and the sweep sends
    them once the broker is back, while a NotReady answer would take every web pod out of the
    Service at once. ``strict`` (for monitoring) also fails on the broker.
    """
    started = time.perf_counter()
    database_ok, database_detail = check_database()
    broker_ok, broker_detail = check_broker()
    if not database_ok:
        status = UNAVAILABLE
    elif not broker_ok:
        status = UNAVAILABLE if strict else DEGRADED
    else:
        status = OK
    return status != UNAVAILABLE, {
        "status": status,
        "checks": {
            "database": database_detail,
            "broker": broker_detail,
            "seconds": round(time.perf_counter() - started, 4),
        },
    }
