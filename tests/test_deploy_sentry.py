"""Sentry, when SENTRY_DSN is set: errors arrive tagged with the organisation, without personal data.

The DSN points at a local HTTP sink standing in for Sentry (sentry-sdk posts its envelopes to
``http://<key>@127.0.0.1:<port>/<project>``); the web and worker processes are the production
entry points. The errors are real: an organisation whose stored time zone no longer exists
(a page cannot be rendered), and an SMTP relay that refuses a resident's address.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import tempfile
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django_tenants.utils import schema_context

from tests.support.common import free_port, wait_until
from tests.support.live import ROOT
from tests.support.production import fetch, production_environment, secure

pytestmark = pytest.mark.slow

# A credentials token's shape ("<12>.<43>") and personal data the requests carry.
TOKEN = "AbCdEfGhIjKl.mnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"
RESIDENT_EMAIL = "jan.peeters.resident@example.test"
SESSION_COOKIE = "sessioncookievalue0123456789abcdef"
CLIENT_ADDRESS = "203.0.113.77"


class SentrySink:
    """Envelopes posted to /api/<project>/envelope/, decoded into their items."""

    def __init__(self) -> None:
        self.raw: list[str] = []
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "br":  # sentry-sdk's choice when the brotli package is installed
                    import brotli

                    body = brotli.decompress(body)
                with sink.lock:
                    sink.raw.append(body.decode())
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def dsn(self) -> str:
        return f"http://publickey0123456789@127.0.0.1:{self.port}/1"

    def events(self) -> list[dict]:
        found = []
        with self.lock:
            envelopes = list(self.raw)
        for envelope in envelopes:
            lines = envelope.split("\n")
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    found.append(json.loads(payload))
        return found

    def text(self) -> str:
        with self.lock:
            return "\n".join(self.raw)

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def sink():
    server = SentrySink()
    yield server
    server.close()


@pytest.fixture
def broken_organisation(django_db_setup, django_db_blocker):
    """An organisation whose stored time zone is unknown (written past validation): its pages fail."""
    from operators.onboarding import onboard_organisation
    from tenants import provisioning
    from tenants.models import Organisation

    slug = f"s{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        onboard_organisation(
            name="Warmte Kapot", slug=slug, domain=f"portal.{slug}.test", admin_email=f"a@{slug}.test"
        )
        connection.set_schema_to_public()
        Organisation.objects.filter(slug=slug).update(time_zone="Mars/Olympus_Mons")
    yield slug
    with django_db_blocker.unblock():
        organisation = Organisation.objects.get(slug=slug)
        provisioning.drop_schema(organisation.schema_name)
        organisation.domains.all().delete()
        organisation.delete()
        connection.set_schema_to_public()


def start(command: list[str], **env: str) -> tuple[subprocess.Popen, Path]:
    log_path = Path(tempfile.mkstemp(prefix="portal-sentry-", suffix=".log")[1])
    environment = production_environment(
        PROMETHEUS_MULTIPROC_DIR=tempfile.mkdtemp(prefix="portal-sentry-prom-")
    )
    environment.update(env)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log_path


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def assert_no_personal_data(text: str) -> None:
    for secret in (RESIDENT_EMAIL, TOKEN, TOKEN.split(".")[1], SESSION_COOKIE, CLIENT_ADDRESS):
        assert secret not in text, secret


def test_a_page_error_reaches_sentry_with_the_organisation_and_without_personal_data(
    sink, broken_organisation
):
    port = free_port()
    process, log_path = start(
        [str(ROOT / "docker" / "entrypoint.sh"), "web"],
        PORT=str(port),
        WEB_CONCURRENCY="1",
        SENTRY_DSN=sink.dsn,
        SENTRY_ENVIRONMENT="test",
    )
    try:
        host = f"portal.{broken_organisation}.test"
        wait_until(lambda: fetch(port, "/healthz", host=host)[0] == 200)
        status, _headers, _body = fetch(
            port,
            f"/confirm/{TOKEN}?email={RESIDENT_EMAIL}",
            host=host,
            headers=secure(
                {
                    "Authorization": f"Token {TOKEN}",
                    "Cookie": f"sessionid={SESSION_COOKIE}",
                    "X-Forwarded-For": CLIENT_ADDRESS,
                    "X-Request-ID": "sentry-test-request-0001",
                    "Referer": f"https://mail.example.test/read?to={RESIDENT_EMAIL}",
                }
            ),
        )
        assert status == 500
        [event] = wait_until(lambda: [e for e in sink.events() if e.get("level") == "error"] or None)
    finally:
        stop(process)
    assert event["tags"]["organisation"] == broken_organisation
    assert event["tags"]["schema"] == f"org_{broken_organisation}"
    assert event["environment"] == "test"
    # The outermost exception last (ZoneInfo's own ModuleNotFoundError for tzdata may come first).
    exception = event["exception"]["values"][-1]
    assert exception["type"] == "ZoneInfoNotFoundError"
    # The URL is the route pattern: the token of the emailed link never leaves.
    assert event["request"]["url"] == f"https://{host}/confirm/{{token}}"
    assert event["transaction"] == "/confirm/{token}"
    assert set(event["request"]["headers"]) <= {"Host", "User-Agent", "X-Forwarded-Proto", "X-Request-Id"}
    for key in ("query_string", "cookies", "data", "env"):
        assert key not in event["request"], key
    assert "user" not in event
    frames = [frame for value in event["exception"]["values"] for frame in value["stacktrace"]["frames"]]
    assert frames
    assert all("vars" not in frame for frame in frames)  # no local variables (they hold personal data)
    assert_no_personal_data(sink.text())
    assert_no_personal_data(log_path.read_text())


class RefusingRelay:
    """An SMTP relay that refuses every recipient permanently (550)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 <" + address + ">: mailbox unavailable"


def test_a_task_error_reaches_sentry_with_the_schema_and_without_the_address(
    sink, django_db_setup, django_db_blocker, broker
):
    from communications.models import OutboundEmail
    from config.celery import app

    relay = Controller(RefusingRelay(), hostname="127.0.0.1", port=free_port())
    relay.start()
    queue = f"sentry-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        with schema_context("org_noord"):
            email = OutboundEmail.objects.create(
                template="t",
                language="nl",
                to=RESIDENT_EMAIL,
                from_email="portal@example.test",
                subject="s",
                body_text="b",
            )
        connection.set_schema_to_public()
    process, log_path = start(
        [
            str(ROOT / "docker" / "entrypoint.sh"),
            "worker",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
        ],
        SENTRY_DSN=sink.dsn,
        CELERY_BROKER_URL=broker.url,
        CELERY_CONCURRENCY="1",
        EMAIL_HOST="127.0.0.1",
        ALLOW_LOCAL_SMTP="1",  # production settings refuse a local relay unless told
        EMAIL_PORT=str(relay.port),
        EMAIL_USE_TLS="0",
    )
    try:
        wait_until(lambda: " ready." in log_path.read_text(), timeout=60)
        app.send_task("communications.tasks.deliver_email", args=["org_noord", str(email.pk)], queue=queue)
        [event] = wait_until(
            lambda: [e for e in sink.events() if e.get("level") == "error"] or None, timeout=60
        )
    finally:
        stop(process)
        relay.stop()
        with django_db_blocker.unblock():
            with schema_context("org_noord"):
                refused = OutboundEmail.objects.get(pk=email.pk)
                OutboundEmail.objects.filter(pk=email.pk).delete()
            connection.set_schema_to_public()
    assert refused.gave_up_at is not None  # the relay really refused it
    assert RESIDENT_EMAIL in refused.last_error  # the outbox keeps it for the operator; Sentry does not
    assert event["tags"]["schema"] == "org_noord"
    assert event["logentry"]["message"] == "Email %s refused permanently (SMTP %s)"
    assert str(email.pk) in event["logentry"]["formatted"]
    assert "(SMTP 5" in event["logentry"]["formatted"]  # the reply code, never the address
    assert_no_personal_data(sink.text())
