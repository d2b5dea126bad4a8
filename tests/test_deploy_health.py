"""/readyz decides whether a web pod gets traffic: only the database can take it out.

A broker outage (Redis restarting) must not mark every web pod NotReady at once, which would be a
full outage while emails wait safely in the outbox; monitoring asks ``?strict=1`` to see it.
The broker here is the test session's own redis-server, really stopped and started again; the
unreachable database is a production server pointed at a port nothing listens on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.common import data_queries, free_port, wait_until
from tests.support.live import ROOT
from tests.support.production import fetch, production_environment

pytestmark = pytest.mark.faults


@pytest.fixture
def broker_down(broker):
    """The session's broker, stopped for one test and started again (same port) afterwards."""
    broker.stop()
    try:
        yield broker
    finally:
        broker.start()


def test_readyz_is_ok_when_database_and_broker_answer(client_for, db):
    response = client_for("anything.invalid").get("/readyz?strict=1")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert (body["checks"]["database"], body["checks"]["broker"]) == ("ok", "ok")


def test_readyz_stays_ready_but_degraded_when_only_the_broker_is_down(client_for, db, broker_down, settings):
    assert broker_down.url == settings.CELERY_BROKER_URL
    client = client_for("portal.noord.test")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] == "ConnectionError"
    assert data_queries(queries) == ["SELECT 1"]  # no tenant lookup
    # Monitoring's strict form reports the outage.
    strict = client.get("/readyz?strict=1")
    assert strict.status_code == 503
    assert strict.json()["status"] == "unavailable"
    assert strict.json()["checks"]["broker"] == "ConnectionError"
    # Liveness is unaffected.
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_recovers_when_the_broker_is_back(client_for, db, broker):
    broker.stop()
    try:
        assert client_for("anything.invalid").get("/readyz").json()["status"] == "degraded"
    finally:
        broker.start()
    response = client_for("anything.invalid").get("/readyz?strict=1")
    assert (response.status_code, response.json()["status"]) == (200, "ok")


@pytest.fixture
def server_without_database(django_db_setup, broker):
    """The web container with DATABASE_URL pointing at a port where no PostgreSQL listens."""
    port, dead = free_port(), free_port()
    log_path = Path(tempfile.mkstemp(prefix="portal-nodb-", suffix=".log")[1])
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(ROOT / "docker" / "entrypoint.sh"), "web"],
            cwd=ROOT,
            env=production_environment(
                PORT=str(port),
                WEB_CONCURRENCY="1",
                DATABASE_URL=f"postgres://postgres@127.0.0.1:{dead}/nothing",
                CELERY_BROKER_URL=broker.url,
                PROMETHEUS_MULTIPROC_DIR=tempfile.mkdtemp(prefix="portal-nodb-prom-"),
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: fetch(port, "/healthz")[0] == 200)
        yield {"port": port, "broker": broker}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_readyz_is_503_when_the_database_is_unreachable(server_without_database):
    port = server_without_database["port"]
    for path in ("/readyz", "/readyz?strict=1"):
        status, _headers, body = fetch(port, path, host="anything.invalid")
        assert status == 503, path
        checks = json.loads(body)
        assert checks["status"] == "unavailable"
        assert checks["checks"]["database"] == "OperationalError"
        assert checks["checks"]["broker"] == "ok"
    # The process itself is alive: liveness must not restart it for the database's sake.
    assert fetch(port, "/healthz", host="anything.invalid")[0] == 200


def test_readyz_is_503_when_database_and_broker_are_both_down(server_without_database):
    port, broker = server_without_database["port"], server_without_database["broker"]
    broker.stop()
    try:
        status, _headers, body = fetch(port, "/readyz", host="anything.invalid")
    finally:
        broker.start()
    assert status == 503
    assert json.loads(body)["status"] == "unavailable"
    assert json.loads(body)["checks"] == {
        "database": "OperationalError",
        "broker": "ConnectionError",
        "seconds": json.loads(body)["checks"]["seconds"],
    }
