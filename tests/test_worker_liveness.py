"""The worker's and beat's liveness probes see whether they work, not only whether a port is open.

The image's entry point runs a real Celery worker (prefork, production settings) and a real beat;
the probe is the chart's exec command (``python -m observability.liveness``). The worker's file
goes stale when it stops consuming (its broker gone) and fresh again once it consumes; beat's
goes stale when its loop stops (the process frozen with SIGSTOP).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.support.common import wait_until
from tests.support.live import ROOT, RedisServer
from tests.support.production import production_environment

pytestmark = pytest.mark.slow

MAX_AGE = "3"


def probe(path: Path) -> subprocess.CompletedProcess:
    """The chart's liveness probe command, with a short limit."""
    return subprocess.run(
        [sys.executable, "-m", "observability.liveness", "--file", str(path), "--max-age", MAX_AGE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def alive(path: Path) -> bool:
    return probe(path).returncode == 0


def dead(path: Path) -> bool:
    return probe(path).returncode == 1


def start(role: str, broker_url: str, liveness_file: Path, *args: str) -> tuple[subprocess.Popen, Path]:
    log_path = Path(tempfile.mkstemp(prefix=f"portal-{role}-", suffix=".log")[1])
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(ROOT / "docker" / "entrypoint.sh"), role, *args],
            cwd=ROOT,
            env=production_environment(
                CELERY_BROKER_URL=broker_url,
                CELERY_LIVENESS_FILE=str(liveness_file),
                CELERY_LIVENESS_INTERVAL="0.5",
                CELERY_BEAT_MAX_LOOP_INTERVAL="1",
                CELERY_CONCURRENCY="1",
                CELERY_BEAT_SCHEDULE_FILE=str(liveness_file.parent / "beat-schedule"),
                PROMETHEUS_MULTIPROC_DIR=tempfile.mkdtemp(prefix="portal-prom-"),
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log_path


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGCONT)
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def own_broker():
    """A broker of this test's own, which it stops and starts again."""
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def test_probe_fails_without_the_file_and_names_the_reason(tmp_path):
    missing = probe(tmp_path / "never-written")
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr


@pytest.mark.faults
def test_worker_liveness_follows_consuming_not_the_open_port(django_db_setup, own_broker, tmp_path):
    liveness_file = tmp_path / "worker-alive"
    process, log_path = start(
        "worker", own_broker.url, liveness_file, "--queues", f"liveness-{uuid.uuid4().hex[:8]}"
    )
    try:
        wait_until(lambda: process.poll() is None and alive(liveness_file), timeout=90)
        first = liveness_file.stat().st_mtime
        wait_until(lambda: liveness_file.stat().st_mtime > first, timeout=30)

        own_broker.stop()
        wait_until(lambda: dead(liveness_file), timeout=60)
        assert process.poll() is None, "the worker process still runs: only the probe can tell"
        assert "last touched" in probe(liveness_file).stderr

        own_broker.start()
        wait_until(lambda: alive(liveness_file), timeout=90)
    finally:
        stop(process)
    assert process.returncode is not None, log_path.read_text()[-3000:]


def test_beat_liveness_follows_its_scheduler_loop(django_db_setup, own_broker, tmp_path):
    liveness_file = tmp_path / "beat-alive"
    process, log_path = start("beat", own_broker.url, liveness_file)
    try:
        wait_until(lambda: process.poll() is None and alive(liveness_file), timeout=90)
        os.killpg(process.pid, signal.SIGSTOP)  # a loop that no longer turns
        wait_until(lambda: dead(liveness_file), timeout=60)
        os.killpg(process.pid, signal.SIGCONT)
        wait_until(lambda: alive(liveness_file), timeout=60)
    finally:
        stop(process)
    assert process.returncode is not None, log_path.read_text()[-3000:]
