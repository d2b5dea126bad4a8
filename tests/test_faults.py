"""Fault injection (docs/robustness.md): the broker stopped, PostgreSQL restarted, a worker killed.

Each test starts its own servers on their own ports (gunicorn, a redis-server, a PostgreSQL, a
Celery worker), breaks one of them and checks what the architecture promises: requests succeed or
fail cleanly, and every email goes out once, none lost, none twice.

The tests work on committed data in an organisation of their own ("faults"), removed afterwards,
so nothing they write is seen by other tests.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.support.citus_cluster import skip_on_citus
from tests.support.committed_organisation import onboarded
from tests.support.common import wait_until
from tests.support.faults_servers import AppServer, OwnPostgres, http

pytestmark = pytest.mark.faults

HOST = "portal.faults.test"
SCHEMA = "org_faults"
PASSWORD = "a-fine-portal-password"


@pytest.fixture(scope="module")
def faults_org(django_db_setup, django_db_blocker):
    """An organisation of these tests' own, with a support address; dropped at the end."""
    from configuration.models import PortalPreferences

    with (
        django_db_blocker.unblock(),
        onboarded(name="Faults Heat", slug="faults", domain=HOST) as organisation,
    ):
        support = f"support-{uuid.uuid4().hex[:8]}@example.test"
        with schema_context(SCHEMA):
            PortalPreferences.objects.current()
            PortalPreferences.objects.update(support_email=support)
        connection.set_schema_to_public()
        yield {"organisation": organisation, "support": support}


def customers(count: int) -> list:
    from customers.models import Customer

    made = []
    with schema_context(SCHEMA):
        for _ in range(count):
            number = f"F-{uuid.uuid4().hex[:8]}"
            made.append(
                Customer.objects.create(
                    customer_number=number,
                    first_name="Fault",
                    last_name="Tester",
                    email=f"{number.lower()}@example.test",
                    language="en",
                )
            )
    return made


def sweep_now(addresses: list[str]) -> None:
    """What beat does every OUTBOX_SWEEP_SECONDS, once these emails are past the sweep's grace."""
    from communications.models import OutboundEmail
    from communications.tasks import sweep_outbox

    with schema_context(SCHEMA):
        OutboundEmail.objects.filter(to__in=addresses, sent_at__isnull=True).update(
            created_at=timezone.now() - timedelta(minutes=1)
        )
    sweep_outbox.apply_async(retry=True)


def test_broker_down_while_residents_register_and_ask_for_help(
    faults_org, committed, broker, celery_worker, smtp
):
    from communications.models import OutboundEmail

    people = customers(3)
    visitors = [f"visitor-{uuid.uuid4().hex[:8]}@example.test" for _ in range(3)]
    server = AppServer()
    server.start()
    try:
        broker.stop()
        for person in people:
            answer = http(
                server,
                HOST,
                "POST",
                "/api/auth/register/",
                {"customer_number": person.customer_number, "email": person.email, "password": PASSWORD},
            )
            assert answer.status == 202, answer.raw
            assert answer.seconds < 5, answer.seconds
        for number, address in enumerate(visitors):
            answer = http(
                server,
                HOST,
                "POST",
                "/api/support/tickets/",
                {
                    "kind": "question",
                    "subject": f"Broker outage question {number}",
                    "message": "Is my heating bill correct?",
                    "name": "Visitor",
                    "email": address,
                },
            )
            assert answer.status == 201, answer.raw
            assert answer.seconds < 5, answer.seconds
        time.sleep(1)
        everyone = [person.email for person in people] + visitors + [faults_org["support"]]
        assert [caught for address in everyone for caught in smtp.to(address)] == []
        broker.start()
        sweep_now(everyone)
        expected = Counter({person.email: 1 for person in people} | {address: 1 for address in visitors})
        expected[faults_org["support"]] = len(visitors)
        for address, count in expected.items():
            smtp.wait_for(address, count=count, timeout=60)
        time.sleep(2)  # anything sent twice would have arrived by now
        got = Counter({address: len(smtp.to(address)) for address in everyone})
        assert got == expected
        templates = Counter(
            caught.message["X-Portal-Template"] for address in everyone for caught in smtp.to(address)
        )
        assert templates == {"registration_confirmation": 3, "ticket_received": 3, "ticket_new": 3}
        with schema_context(SCHEMA):
            unsent = OutboundEmail.objects.filter(to__in=everyone, sent_at__isnull=True).count()
        assert unsent == 0
    finally:
        if broker.process is None:
            broker.start()
        server.stop()


class Load:
    """Readers in threads, bounded in time: every answer, its status and how long it took."""

    def __init__(self, server, paths: list[str], threads: int = 4) -> None:
        self.server, self.paths, self.threads = server, paths, threads
        self.answers: list[tuple[float, str, int, str, float, dict | None, bytes]] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def _run(self, offset: int) -> None:
        deadline = time.monotonic() + 120  # never more than two minutes, whatever happens
        index = offset
        while not self.stop.is_set() and time.monotonic() < deadline:
            path = self.paths[index % len(self.paths)]
            index += 1
            answer = http(self.server, HOST, "GET", path, timeout=20)
            with self.lock:
                self.answers.append(
                    (
                        time.monotonic(),
                        path,
                        answer.status,
                        answer.content_type,
                        answer.seconds,
                        answer.body,
                        answer.raw[:300],
                    )
                )
            time.sleep(0.02)

    def __enter__(self):
        self.workers = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(self.threads)
        ]
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for worker in self.workers:
            worker.join(timeout=30)

    def since(self, moment: float) -> list:
        with self.lock:
            return [answer for answer in self.answers if answer[0] >= moment]


@skip_on_citus(
    "it copies the test database into a plain PostgreSQL server of its own (pg_dump of a coordinator "
    "holds only shell tables; the data is on the workers), then restarts that server"
)
def test_postgresql_restarted_under_load(faults_org, committed):
    postgres = OwnPostgres()
    server = None
    try:
        postgres.init()
        postgres.start()
        postgres.copy_database("portal")
        server = AppServer(DATABASE_URL=postgres.url("portal"), DB_CONNECT_TIMEOUT="2")
        server.start()
        # Readers without a throttle (a 429 would hide what the database does); the FAQ always reads
        # the database, the site configuration only when its cache is cold.
        readers = ["/api/support/faq/", "/api/support/faq/?page=2", "/api/portal/site/?page=home"]
        assert http(server, HOST, "GET", "/readyz").status == 200
        with Load(server, readers) as load:
            time.sleep(1.5)
            healthy = load.since(0)
            assert healthy
            assert [(path, status) for _t, path, status, *_rest in healthy if status != 200] == []

            postgres.stop()
            stopped = time.monotonic()
            down = wait_until(
                lambda: (answer := http(server, HOST, "GET", "/readyz")).status == 503 and answer, 20
            )
            assert down.body["status"] == "unavailable"
            assert down.body["checks"]["database"] != "ok"
            assert down.seconds < 5
            time.sleep(2)
            during = load.since(stopped + 1)
            failed = [answer for answer in during if answer[2] != 200]
            assert failed, "no request reached the database while it was down"
            for _moment, path, status, content_type, seconds, body, raw in failed:
                assert status >= 500, (path, status, raw)
                assert "application/json" in content_type, (path, status, content_type, raw)
                assert isinstance(body, dict), (path, raw)
                assert isinstance(body.get("code"), str), (path, raw)
                assert seconds < 10, (path, seconds)

            postgres.start()
            restarted = time.monotonic()
            wait_until(lambda: http(server, HOST, "GET", "/readyz").status == 200, 30)

            def recovered():
                recent = [answer for answer in load.since(time.monotonic() - 1.5) if answer[0] > restarted]
                return len(recent) >= 8 and all(answer[2] == 200 for answer in recent)

            wait_until(recovered, 30)
        # The same processes answer: nothing was restarted but the database.
        assert server.process.poll() is None
        for path in readers:
            assert http(server, HOST, "GET", path).status == 200, path
    finally:
        if server is not None:
            server.stop()
        postgres.remove()


def _queue_one(faults_org, address: str):
    from django.db import transaction

    from communications.services import queue_email

    with schema_context(SCHEMA), transaction.atomic():
        return queue_email(
            template="ticket_received",
            to=address,
            language="en",
            organisation=faults_org["organisation"],
            context={
                "reference": "T-KILL",
                "subject": "Kill",
                "kind": "Question",
                "name": "K",
                "message": "x",
            },
        )


def _sending(email_id) -> bool:
    """The worker holds the row's lock for as long as its SMTP conversation runs."""
    from django.db import transaction

    from communications.models import OutboundEmail

    with schema_context(SCHEMA), transaction.atomic():
        return OutboundEmail.objects.select_for_update(skip_locked=True).filter(pk=email_id).first() is None


def _sent_at(email_id):
    from communications.models import OutboundEmail

    with schema_context(SCHEMA):
        return OutboundEmail.objects.get(pk=email_id).sent_at


@pytest.fixture
def own_worker(celery_worker):
    """A worker of this test's own: the session's worker is stopped meanwhile, so that the task
    can only go to the worker that the test kills."""
    from tests.support.live import CeleryWorker

    celery_worker.stop()
    worker = CeleryWorker()
    try:
        yield worker
    finally:
        worker.stop()
        celery_worker.start()


def test_worker_killed_during_a_send_sends_the_email_once(faults_org, committed, broker, own_worker, smtp):
    """Killed in the middle of the SMTP conversation (the server is slow to accept the recipient):
    nothing was handed over, the row stays unsent, and the sweep sends it exactly once."""
    import asyncio

    address = f"killed-{uuid.uuid4().hex[:8]}@example.test"

    async def slow_recipient(server, session, envelope, recipient, options):
        await asyncio.sleep(5)
        envelope.rcpt_tos.append(recipient)
        return "250 OK"

    own_worker.start()
    smtp.handle_RCPT = slow_recipient  # picked up by every new SMTP connection
    try:
        email = _queue_one(faults_org, address)
        wait_until(lambda: _sending(email.pk), 20)
        time.sleep(1)  # inside the server's 5 s before it accepts the recipient
        own_worker.kill()
    finally:
        del smtp.handle_RCPT
    time.sleep(5)
    assert smtp.to(address) == []
    assert _sent_at(email.pk) is None
    assert not _sending(email.pk), "the killed worker's lock is gone with its connection"
    own_worker.start()
    sweep_now([address])
    smtp.wait_for(address, count=1, timeout=30)
    sweep_now([address])  # a second sweep (and any redelivered task) finds it sent
    time.sleep(3)
    assert len(smtp.to(address)) == 1
    assert _sent_at(email.pk) is not None


def test_worker_killed_while_the_server_takes_the_message(faults_org, committed, broker, own_worker, smtp):
    """Killed after the message went over the wire but before the server's answer (the server is
    slow to answer DATA): the server may keep that copy. The retry then sends the same message again
    with the same Message-ID (receivers deduplicate on it), and once sent_at is recorded nothing
    sends it again: one email, never a third copy, never a different one."""
    address = f"killed-data-{uuid.uuid4().hex[:8]}@example.test"
    own_worker.start()
    smtp.delay_seconds = 4.0
    try:
        email = _queue_one(faults_org, address)
        wait_until(lambda: _sending(email.pk), 20)
        time.sleep(1)
        own_worker.kill()
    finally:
        smtp.delay_seconds = 0.0
    time.sleep(4)
    assert _sent_at(email.pk) is None
    own_worker.start()
    sweep_now([address])
    wait_until(lambda: _sent_at(email.pk), 30)
    sweep_now([address])
    time.sleep(3)
    copies = smtp.to(address)
    assert 1 <= len(copies) <= 2, len(copies)
    assert {copy.message["Message-ID"] for copy in copies} == {f"<{email.pk}@{settings.PLATFORM_DOMAIN}>"}
    assert len({copy.text for copy in copies}) == 1
