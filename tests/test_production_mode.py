"""The container's entry points with production settings: gunicorn with DEBUG off, hashed static
files, security headers, JSON logs with schema and request id, Prometheus metrics; the Celery
worker's metrics port. The image itself cannot be built on this machine (no Docker daemon); these
tests run the same entry point script and settings the image runs."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from tests.live import ROOT, child_environment
from tests.support import free_port, wait_until

METRICS_TOKEN = "metrics-token-for-tests-0123456789"


def production_environment(**extra: str) -> dict[str, str]:
    env = child_environment(
        DEBUG="0",
        TESTING="1",
        SECRET_KEY="production-like-secret-key-for-the-test-suite-0123456789",
        EMAIL_HOST="smtp.invalid",
        METRICS_TOKEN=METRICS_TOKEN,
        LOG_FORMAT="json",
        REQUEST_LOG_LEVEL="INFO",
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        **extra,
    )
    env.pop("PORTAL_URL_PORT", None)
    return env


def fetch(port: int, path: str, host: str = "portal.noord.test", headers: dict | None = None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": host, **(headers or {})}
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def production_web(django_db_setup):
    static_root = tempfile.mkdtemp(prefix="portal-static-")
    metrics_dir = tempfile.mkdtemp(prefix="portal-prom-")
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env={**production_environment(), "DEBUG": "1", "STATIC_MANIFEST": "1", "STATIC_ROOT": static_root},
        capture_output=True,
        text=True,
    )
    assert collected.returncode == 0, collected.stderr
    port = free_port()
    log_path = Path(tempfile.mkstemp(prefix="portal-prod-", suffix=".log")[1])
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(ROOT / "docker" / "entrypoint.sh"), "web"],
            cwd=ROOT,
            env=production_environment(
                PORT=str(port),
                STATIC_ROOT=static_root,
                PROMETHEUS_MULTIPROC_DIR=metrics_dir,
                WEB_CONCURRENCY="2",
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: fetch(port, "/healthz")[0] == 200)
        yield {"port": port, "log": log_path}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def secure(headers: dict | None = None) -> dict:
    return {"X-Forwarded-Proto": "https", **(headers or {})}


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


def test_every_log_line_is_json_with_schema_and_request_id_and_never_a_token(production_web):
    port = production_web["port"]
    request_id = f"test-{uuid.uuid4().hex}"
    status, headers, _body = fetch(
        port, "/confirm/SECRET-TOKEN-VALUE-123", headers=secure({"X-Request-ID": request_id})
    )
    assert status == 200
    assert headers["X-Request-ID"] == request_id

    def logged():
        lines = [
            json.loads(line)
            for line in production_web["log"].read_text().splitlines()
            if line.startswith("{")
        ]
        return [line for line in lines if line.get("request_id") == request_id] or None

    [line] = wait_until(logged)
    assert line["schema"] == "org_noord"
    assert line["organisation"] == "noord"
    assert line["route"] == "/confirm/<str:token>"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    assert "SECRET-TOKEN-VALUE-123" not in production_web["log"].read_text()
    # A malformed incoming id is replaced, not echoed.
    assert (
        fetch(port, "/login/", headers=secure({"X-Request-ID": "bad id <script>"}))[1]["X-Request-ID"]
        != "bad id <script>"
    )


def test_metrics_need_the_token_and_show_latency_per_organisation_and_the_outbox(
    production_web, django_db_blocker
):
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from communications.models import OutboundEmail

    port = production_web["port"]
    for _ in range(3):
        fetch(port, "/login/", headers=secure())
    assert fetch(port, "/metrics")[0] == 404
    assert fetch(port, "/metrics", headers={"Authorization": "Bearer wrong"})[0] == 404
    with django_db_blocker.unblock():
        with schema_context("org_zuid"):
            stuck = OutboundEmail.objects.create(
                template="t",
                language="fr",
                to="stuck@example.test",
                from_email="x@example.test",
                subject="s",
                body_text="b",
                created_at=timezone.now() - timedelta(minutes=5),
            )
        connection.set_schema_to_public()
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
        assert 'portal_outbox_oldest_unsent_age_seconds{organisation="zuid"}' in text
    finally:
        with django_db_blocker.unblock():
            with schema_context("org_zuid"):
                OutboundEmail.objects.filter(pk=stuck.pk).delete()
            connection.set_schema_to_public()


def test_celery_worker_serves_task_counts_on_its_metrics_port(django_db_setup, broker):
    from config.celery import app

    port, queue = free_port(), f"metrics-{uuid.uuid4().hex[:8]}"
    metrics_dir = tempfile.mkdtemp(prefix="portal-worker-prom-")
    process = subprocess.Popen(
        [
            str(ROOT / "docker" / "entrypoint.sh"),
            "worker",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=production_environment(
            CELERY_METRICS_PORT=str(port),
            PROMETHEUS_MULTIPROC_DIR=metrics_dir,
            CELERY_CONCURRENCY="2",
            CELERY_BROKER_URL=broker.url,
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(
            lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).status == 200,
            timeout=60,
        )
        for _ in range(2):
            app.send_task("communications.tasks.sweep_outbox", queue=queue)

        def counted():
            body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
            match = re.search(
                r'portal_celery_tasks_total\{state="succeeded",task="communications.tasks.sweep_outbox"\} (\d+)',
                body,
            )
            return match and int(float(match.group(1))) >= 2 and body

        body = wait_until(counted, timeout=60)
        assert "portal_celery_task_duration_seconds_count" in body
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
