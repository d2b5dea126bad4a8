"""The container's entry points with production settings: gunicorn with DEBUG off, hashed static
files, security headers, JSON logs with schema and request id, Prometheus metrics; the Celery
worker's metrics port. The image itself cannot be built on this machine (no Docker daemon); these
tests run the same entry point script and settings the image runs.

The Prometheus folder is a pre-existing folder holding stale files, as in the pods; for the worker
it is a real mount point (a tmpfs in a private mount namespace, as an emptyDir is), which cannot be
deleted, only emptied. ``unshare`` needs root (or user namespaces); without it the test still runs
on a pre-existing folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.common import free_port, wait_until
from tests.support.live import ROOT
from tests.support.production import METRICS_TOKEN, fetch, production_environment, secure

pytestmark = pytest.mark.slow

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")
STALE_SAMPLE = "counter_424242.db"


def collect_static() -> str:
    static_root = tempfile.mkdtemp(prefix="portal-static-")
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env={**production_environment(), "DEBUG": "1", "STATIC_MANIFEST": "1", "STATIC_ROOT": static_root},
        capture_output=True,
        text=True,
    )
    assert collected.returncode == 0, collected.stderr
    return static_root


def stale_metrics_dir(prefix: str) -> Path:
    """A Prometheus folder left by a previous run of the container: it must be emptied, not kept."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    (folder / STALE_SAMPLE).write_bytes(b"stale")
    (folder / "leftover").mkdir()
    (folder / "leftover" / "x.db").write_bytes(b"stale")
    return folder


def private_mounts_work() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = tempfile.mkdtemp(prefix="portal-unshare-")
    result = subprocess.run(
        [unshare, "-m", "sh", "-c", f"mount -t tmpfs tmpfs {probe}"], capture_output=True, check=False
    )
    os.rmdir(probe)
    return result.returncode == 0


def on_mount_point(command: list[str], folder: Path) -> list[str]:
    """Run ``command`` with ``folder`` as a fresh tmpfs mount point holding a stale sample file."""
    script = (
        'mount -t tmpfs -o size=16m tmpfs "$0" && mountpoint -q "$0" '
        '&& echo stale > "$0/' + STALE_SAMPLE + '" && mkdir "$0/leftover" && exec "$@"'
    )
    return [shutil.which("unshare") or "unshare", "-m", "sh", "-c", script, str(folder), *command]


def log_lines(path: Path) -> list[dict]:
    """Every line of a log file as JSON: a line that is not one fails the test."""
    lines = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        try:
            parsed = json.loads(line)
        except json.JSONDecodeError:
            pytest.fail(f"log line {number} is not JSON: {line!r}")
        assert isinstance(parsed, dict), line
        lines.append(parsed)
    return lines


@pytest.fixture(scope="module")
def production_web(django_db_setup):
    static_root = collect_static()
    metrics_dir = stale_metrics_dir("portal-prom-")
    home = Path(tempfile.mkdtemp(prefix="portal-home-"))
    port = free_port()
    log_path = Path(tempfile.mkstemp(prefix="portal-prod-", suffix=".log")[1])
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(ROOT / "docker" / "entrypoint.sh"), "web"],
            cwd=ROOT,
            env=production_environment(
                PORT=str(port),
                STATIC_ROOT=static_root,
                PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
                WEB_CONCURRENCY="2",
                GUNICORN_ACCESS_LOG="1",
                HOME=str(home),
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: fetch(port, "/healthz")[0] == 200)
        yield {"port": port, "log": log_path, "metrics_dir": metrics_dir, "home": home}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_health_answers_over_plain_http_and_pages_redirect_to_https(production_web):
    port = production_web["port"]
    assert fetch(port, "/healthz")[0] == 200
    status, _body_headers, body = fetch(port, "/readyz")
    assert status == 200
    assert json.loads(body)["checks"]["database"] == "ok"
    status, headers, _body = fetch(port, "/")
    assert status == 301
    assert headers["Location"] == "https://portal.noord.test/"


def test_pages_in_production_mode_carry_hsts_csp_host_cookies_and_hashed_static_files(production_web):
    port = production_web["port"]
    status, headers, body = fetch(port, "/login/", headers=secure())
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "__Host-csrftoken=" in headers["Set-Cookie"]
    assert "Secure" in headers["Set-Cookie"]
    stylesheet = re.search(rb'href="(/static/portal/portal\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, body[:1500]
    status, headers, css = fetch(port, stylesheet.group(1).decode(), headers=secure())
    assert status == 200
    assert b"--primary" in css
    assert "max-age=31536000" in headers["Cache-Control"]


def test_gunicorn_empties_the_metrics_folder_and_opens_no_control_socket(production_web):
    folder = production_web["metrics_dir"]
    assert folder.is_dir(), "the folder (a mount point in the pods) is kept"
    assert not (folder / STALE_SAMPLE).exists()
    assert not (folder / "leftover").exists()
    # gunicorn 25.1+ would create $HOME/.gunicorn/gunicorn.ctl; /app is read-only in the image.
    assert not (production_web["home"] / ".gunicorn").exists()
    assert "Control socket" not in production_web["log"].read_text()


def test_every_log_line_is_json_with_schema_and_request_id_and_never_a_token(production_web):
    port = production_web["port"]
    request_id = f"test-{uuid.uuid4().hex}"
    status, headers, _body = fetch(
        port, "/confirm/SECRET-TOKEN-VALUE-123", headers=secure({"X-Request-ID": request_id})
    )
    assert status == 200
    assert headers["X-Request-ID"] == request_id

    def logged():
        lines = [line for line in log_lines(production_web["log"]) if line.get("request_id") == request_id]
        return lines if len(lines) == 2 else None

    lines = wait_until(logged)
    [line] = [line for line in lines if line["logger"] == "portal.request"]
    assert line["schema"] == "org_noord"
    assert line["organisation"] == "noord"
    assert line["route"] == "/confirm/<str:token>"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    # gunicorn's access line: method, status and duration, never the raw path or the client address.
    [access] = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert access["message"] == "access"
    assert (access["method"], access["status"]) == ("GET", 200)
    assert isinstance(access["duration_ms"], int)
    assert "127.0.0.1" not in json.dumps(access)

    text = production_web["log"].read_text()
    assert "SECRET-TOKEN-VALUE-123" not in text
    # Every line, gunicorn's own start-up lines included, is one JSON object with the same keys.
    everything = log_lines(production_web["log"])
    loggers = {line["logger"] for line in everything}
    assert {"gunicorn.error", "gunicorn.access", "portal.request"} <= loggers
    for parsed in everything:
        assert {"time", "level", "logger", "message", "schema", "request_id"} <= set(parsed), parsed
        assert ISO_WITH_OFFSET.match(parsed["time"]), parsed["time"]
    started = next(line for line in everything if line["message"].startswith("Starting gunicorn"))
    assert (started["schema"], started["request_id"]) == ("-", "-")
    assert abs(datetime.fromisoformat(started["time"]) - datetime.now().astimezone()) < timedelta(minutes=10)
    # A malformed incoming id is replaced, not echoed.
    assert (
        fetch(port, "/login/", headers=secure({"X-Request-ID": "bad id <script>"}))[1]["X-Request-ID"]
        != "bad id <script>"
    )


@pytest.fixture
def quiet_organisation(django_db_setup, django_db_blocker):
    """An organisation whose outbox is empty (onboarding's invitation removed), committed."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from communications.models import OutboundEmail
    from operators.onboarding import onboard_organisation
    from tenants import provisioning
    from tenants.models import Organisation

    slug = f"q{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        result = onboard_organisation(
            name="Stille Warmte", slug=slug, domain=f"portal.{slug}.test", admin_email=f"a@{slug}.test"
        )
        with schema_context(result.organisation.schema_name):
            OutboundEmail.objects.all().delete()
        connection.set_schema_to_public()
    yield slug
    with django_db_blocker.unblock():
        organisation = Organisation.objects.get(slug=slug)
        provisioning.drop_schema(organisation.schema_name)
        organisation.domains.all().delete()
        organisation.delete()
        connection.set_schema_to_public()


def _stuck_email_in_zuid(django_db_blocker):
    """An unsent email five minutes old in zuid's outbox (older than anything else waiting, so the
    oldest), and the age the metrics should report for it."""
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from communications.models import OutboundEmail

    with django_db_blocker.unblock():
        with schema_context("org_zuid"):
            stuck = OutboundEmail.objects.create(
                template="t",
                language="fr",
                to="stuck@example.test",
                from_email="x@example.test",
                subject="s",
                body_text="b",
            )
            OutboundEmail.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(minutes=5))
            oldest_expected = (
                timezone.now()
                - OutboundEmail.objects.filter(sent_at__isnull=True, gave_up_at__isnull=True)
                .order_by("created_at")
                .values_list("created_at", flat=True)
                .first()
            ).total_seconds()
        connection.set_schema_to_public()
    return stuck, oldest_expected


def test_metrics_need_the_token_and_show_latency_per_organisation_and_the_outbox(
    production_web, django_db_blocker, quiet_organisation
):
    from django.db import connection
    from django_tenants.utils import schema_context

    from communications.models import OutboundEmail

    port = production_web["port"]
    for _ in range(3):
        fetch(port, "/login/", headers=secure())
    assert fetch(port, "/metrics")[0] == 404
    assert fetch(port, "/metrics", headers={"Authorization": "Bearer wrong"})[0] == 404
    stuck, oldest_expected = _stuck_email_in_zuid(django_db_blocker)
    try:
        from django.core.cache import cache

        cache.delete("metrics:outbox")
        status, _headers, body = fetch(port, "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert status == 200
        text = body.decode()
        # Samples from both gunicorn workers, aggregated.
        assert re.search(
            r'portal_http_request_duration_seconds_count\{method="GET",organisation="noord",view="web-login"\} [3-9]',
            text,
        ), text[:3000]
        assert re.search(r'portal_http_responses_total\{organisation="noord",status="2xx"\} [3-9]', text)
        assert re.search(r'portal_outbox_unsent_emails\{organisation="zuid"\} [1-9]', text), text[-2000:]
        age = float(
            re.search(r'portal_outbox_oldest_unsent_age_seconds\{organisation="zuid"\} (\S+)', text)[1]
        )
        assert oldest_expected >= 300
        assert oldest_expected - 5 <= age <= oldest_expected + 60, (age, oldest_expected)
        # An organisation with nothing waiting has its series, at 0 (not a missing series).
        for metric in (
            "portal_outbox_unsent_emails",
            "portal_outbox_oldest_unsent_age_seconds",
            "portal_outbox_given_up_emails",
        ):
            assert re.search(rf'{metric}\{{organisation="{quiet_organisation}"\}} 0\.0\n', text), metric
    finally:
        with django_db_blocker.unblock():
            with schema_context("org_zuid"):
                OutboundEmail.objects.filter(pk=stuck.pk).delete()
            connection.set_schema_to_public()


@pytest.mark.parametrize("host", ["platform.localhost", "portal.noord.test", "unknown.example"])
def test_metrics_on_every_host_need_the_token(production_web, host):
    port = production_web["port"]
    assert fetch(port, "/metrics", host=host)[0] == 404
    assert fetch(port, "/metrics", host=host, headers={"Authorization": "Bearer wrong"})[0] == 404
    assert fetch(port, "/metrics", host=host, headers={"Authorization": METRICS_TOKEN})[0] == 404
    status, headers, body = fetch(
        port, "/metrics", host=host, headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    assert b"portal_outbox_unsent_emails" in body


def _worker_metrics(port: int, token: str | None = METRICS_TOKEN) -> tuple[int, str]:
    """(status, body) of the worker's metrics port, with the scrape token or without it."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 - a URL made here
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def _task_count(port: int, task: str, state: str) -> int:
    body = _worker_metrics(port)[1]
    match = re.search(rf'portal_celery_tasks_total\{{state="{state}",task="{re.escape(task)}"\}} (\S+)', body)
    return int(float(match.group(1))) if match else 0


def _start_worker(port: int, queue: str, broker):
    """The image's entrypoint running a worker on ``queue`` (on a private mount of a metrics folder
    when this machine allows it, else a folder with stale samples); (process, folder, mounted, log)."""
    command = [
        str(ROOT / "docker" / "entrypoint.sh"),
        "worker",
        "--queues",
        queue,
        "--without-gossip",
        "--without-mingle",
    ]
    mounted = private_mounts_work()
    metrics_dir = (
        Path(tempfile.mkdtemp(prefix="portal-worker-prom-"))
        if mounted
        else stale_metrics_dir("portal-worker-prom-")
    )
    log_path = Path(tempfile.mkstemp(prefix="portal-worker-", suffix=".log")[1])
    with log_path.open("w") as log:
        process = subprocess.Popen(
            on_mount_point(command, metrics_dir) if mounted else command,
            cwd=ROOT,
            env=production_environment(
                CELERY_METRICS_PORT=str(port),
                PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
                CELERY_CONCURRENCY="2",
                CELERY_BROKER_URL=broker.url,
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, metrics_dir, mounted, log_path


def test_celery_worker_starts_on_a_mounted_metrics_folder_and_counts_successes_and_failures(
    django_db_setup, broker
):
    from config.celery import app

    port, queue = free_port(), f"metrics-{uuid.uuid4().hex[:8]}"
    process, metrics_dir, mounted, log_path = _start_worker(port, queue, broker)
    try:

        def serving():
            assert process.poll() is None, (
                f"worker exited {process.returncode}:\n{log_path.read_text()[-4000:]}"
            )
            return _worker_metrics(port)[0] == 200

        wait_until(serving, timeout=60)
        # The worker's port needs the same token as the web pods' /metrics.
        assert _worker_metrics(port, token=None)[0] == 404
        assert _worker_metrics(port, token="wrong")[0] == 404
        # The folder the worker sees (through its own mount namespace): emptied, still there.
        seen = Path(f"/proc/{process.pid}/root") / metrics_dir.relative_to("/") if mounted else metrics_dir
        assert seen.is_dir()
        assert not (seen / STALE_SAMPLE).exists()
        assert not (seen / "leftover").exists()

        for _ in range(2):
            app.send_task("communications.tasks.sweep_outbox", queue=queue)
        # Called without its arguments: the task fails in the worker (TypeError), a real failure.
        app.send_task("communications.tasks.deliver_email", args=[], queue=queue)

        wait_until(
            lambda: _task_count(port, "communications.tasks.sweep_outbox", "succeeded") >= 2, timeout=60
        )
        wait_until(lambda: _task_count(port, "communications.tasks.deliver_email", "failed") == 1, timeout=60)
        assert _task_count(port, "communications.tasks.deliver_email", "succeeded") == 0
        assert "portal_celery_task_duration_seconds_count" in _worker_metrics(port)[1]
        # The worker's own log: JSON lines only (no banner), the failure among them.
        lines = log_lines(log_path)
        assert any("deliver_email" in line["message"] and line["level"] == "ERROR" for line in lines), lines[
            -5:
        ]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
