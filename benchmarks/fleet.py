"""Many organisations with a resident each, and the platform under gunicorn, for the HTTP benchmarks.

Every organisation of the fleet has one resident with a two-location contract, two years of
monthly invoices, a refund credit, a document and 90 days of quarter-hour heating data. Each
organisation's data can be told apart from every other's: its invoice numbers carry an import
prefix of its own (``bc<n>-F0001``) and its heating meter reads a value per quarter hour that no
other organisation's meter reads, so a response can always be traced to the organisation whose
data it holds. ``expected_bodies`` fetches every benchmarked URL once per organisation, checks
those marks, and returns the bodies the load generator then compares every response with.

Used by ``http_load.py`` and ``load_test.py``; it runs in a database of its own
(``<database>_load``), rebuilt on every run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from harness import ROOT, bench_database_url

SUFFIX = "_load"
PASSWORD = "load-test-password-2026"
DAYS_OF_READINGS = 90
SECRET_KEY = "benchmark-secret-key-not-for-production-0123456789"
# Every response of the load generator carries these; the platform answers over "TLS" as behind an ingress.
COMMON_HEADERS = {"X-Forwarded-Proto": "https", "Accept-Language": "en"}
INVOICE_MARK = re.compile(rb'"(bc\d+)-F\d{4}"')


@dataclass
class Member:
    """One organisation of the fleet and its resident."""

    index: int
    slug: str
    host: str
    token: str
    prefix: str  # the import prefix on its invoice numbers
    reading: Decimal  # what its heating meter reads per quarter hour
    quarter_hours: int = 0
    extra: dict = field(default_factory=dict)


def load_or_build(count: int, *, rebuild: bool = False) -> list[Member]:
    """The fleet of an earlier run of today when it is still there (its tokens live 12 hours), else a new one.

    One saved fleet per database (every build replaces the database): a fleet of another size is
    rebuilt, never mistaken for the first organisations of the database's current one.
    """
    saved = ROOT / "benchmarks" / "results" / f"fleet-{_database_tag()}.json"
    if not rebuild and saved.exists():
        state = json.loads(saved.read_text())
        if (
            time.time() - state["created"] < 6 * 3600
            and state.get("database") == bench_database_url(SUFFIX)  # not another server's fleet
            and len(state["slugs"]) == count
            and _database_has(state["slugs"])
        ):
            from harness import setup_django

            setup_django(migrate=False, suffix=SUFFIX)
            print(f"==> reusing the fleet of {count} organisations from {saved.name}", flush=True)
            return [Member(**{**row, "reading": Decimal(row["reading"])}) for row in state["members"]]
    saved.unlink(missing_ok=True)  # the database is dropped now: a build that fails leaves no stale fleet
    members = build(count)
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(
        json.dumps(
            {
                "created": time.time(),
                "database": bench_database_url(SUFFIX),
                "slugs": [member.slug for member in members],
                "members": [{**member.__dict__, "reading": str(member.reading)} for member in members],
            }
        )
    )
    return members


def _database_tag() -> str:
    """Port and name of the fleet's database: fleets on two servers are saved apart."""
    import dj_database_url

    config = dj_database_url.parse(bench_database_url(SUFFIX))
    return f"{config['PORT'] or 5432}-{config['NAME']}"


def _database_has(slugs: list[str]) -> bool:
    import psycopg
    from django_dsn import to_conninfo

    try:
        with psycopg.connect(to_conninfo(bench_database_url(SUFFIX)), connect_timeout=3) as connection:
            found = connection.execute(
                "SELECT count(*) FROM tenants_organisation WHERE slug = ANY(%s)", [slugs]
            ).fetchone()[0]
    except psycopg.Error:
        return False
    return found == len(slugs)


def _drop_and_create_database() -> str:
    """A new, empty fleet database (on a Citus coordinator: on every node, with the extension)."""
    from harness import drop_database, ensure_bench_database

    url = bench_database_url(SUFFIX)
    drop_database(url)
    ensure_bench_database(url)
    return url


def build(count: int) -> list[Member]:
    """A fresh database with ``count`` organisations (and nothing else)."""
    _drop_and_create_database()
    from harness import setup_django

    os.environ["TENANT_SPARE_SCHEMAS"] = "0"
    # Tokens are bound to the key they were issued under: the server runs with the same one.
    os.environ["SECRET_KEY"] = SECRET_KEY
    setup_django(suffix=SUFFIX)
    from django.db import connection

    members = []
    started = time.perf_counter()
    for index in range(count):
        members.append(_build_member(index))
        if (index + 1) % 10 == 0:
            print(
                f"    {index + 1}/{count} organisations ({time.perf_counter() - started:.0f} s)", flush=True
            )
    connection.set_schema_to_public()
    return members


def _build_member(index: int) -> Member:
    """Organisation ``index``: a resident with 24 invoices, a heat meter's readings (a value of
    its own, so a body from another organisation shows) and an access token."""
    from operators.onboarding import onboard_organisation
    from tests.support.billing_data import billing_customer
    from tests.support.consumption_data import add_meters, day_rows, ingest_rows

    slug = f"load{index:03d}"
    host = f"{slug}.bench.test"
    organisation = onboard_organisation(
        name=f"Load test organisation {index:03d}",
        slug=slug,
        domain=host,
        admin_email=f"admin@{slug}.bench.test",
    ).organisation
    schema = organisation.schema_name
    data = billing_customer(schema, invoices=24, email=f"resident@{slug}.bench.test")
    meters = add_meters(data, schema)
    reading = Decimal("0.100") + Decimal(index) / Decimal(1000)
    first_day = date.today() - timedelta(days=DAYS_OF_READINGS)
    rows = [
        row
        for offset in range(DAYS_OF_READINGS)
        for row in day_rows(meters["heat1"], first_day + timedelta(days=offset), value=str(reading))
    ]
    ingest_rows(rows, schema)
    return Member(
        index=index,
        slug=slug,
        host=host,
        token=_resident_token(organisation, data),
        prefix=data["ext"],
        reading=reading,
        quarter_hours=len(rows),
    )


def _resident_token(organisation, data: dict) -> str:
    """The resident registered and confirmed, and an access token of theirs."""
    from django_tenants.utils import schema_context

    from credentials.services import issue_access_token
    from customers.models import Customer
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident
    from tests.support.factories import last_link

    schema = organisation.schema_name
    with schema_context(schema):
        register_resident(
            organisation=organisation,
            customer_number=data["number"],
            email=data["email"],
            password=PASSWORD,
        )
        confirm_registration(
            raw_token=last_link(schema, data["email"], "registration_confirmation", "/confirm/")
        )
        account = PortalAccount.objects.get(customer=Customer.objects.get(customer_number=data["number"]))
        return issue_access_token(user=account.user).raw


class Server:
    """The platform under gunicorn with its production settings (DEBUG off), on the fleet's database."""

    def __init__(self, port: int, workers: int = 2, threads: int = 4, worker_class: str = "gthread") -> None:
        self.port = port
        self.workers = workers
        self.threads = threads
        self.worker_class = worker_class
        self.process: subprocess.Popen | None = None
        self.log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=bench_database_url(SUFFIX),
            DEBUG="0",
            SECRET_KEY=SECRET_KEY,
            EMAIL_HOST="smtp.invalid",
            PORT=str(self.port),
            WEB_CONCURRENCY=str(self.workers),
            GUNICORN_THREADS=str(self.threads),
            GUNICORN_WORKER_CLASS=self.worker_class,
            GUNICORN_MAX_REQUESTS="0",
            TRUSTED_PROXIES="1",  # the requests say X-Forwarded-Proto: https, as the ingress does
            CACHE_KEY_PREFIX=os.environ.get("CACHE_KEY_PREFIX", "bench"),
            CELERY_TASK_DEFAULT_QUEUE=os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "bench"),
            LOG_FORMAT="json",
            REQUEST_LOG_LEVEL="INFO",
            TESTING="0",
            DJANGO_SETTINGS_MODULE="config.settings",
        )
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        return env

    def start(self, timeout: float = 60) -> None:
        handle = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.py"), "config.wsgi"],
            cwd=ROOT,
            env=self.environment(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start:\n" + self.log.read_text()[-4000:])

    def stop(self) -> None:
        if self.process is None:
            return
        import signal

        if self.process.poll() is None:
            os.killpg(os.getpgid(self.process.pid), signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(os.getpgid(self.process.pid), signal.SIGKILL)
        self.process = None

    def get(self, host: str, path: str, token: str | None = None) -> tuple[int, bytes]:
        headers = {"Host": host, **COMMON_HEADERS}
        if token:
            headers["Authorization"] = f"Token {token}"
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http to loopback
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def year_path(year: int) -> str:
    return f"/api/portal/consumption/year/?service=heating&year={year}"


def expected_bodies(
    server: Server, members: list[Member], paths: dict[str, str]
) -> dict[tuple[int, str], bytes]:
    """Each organisation's answer to each path, fetched twice (it must not vary) and checked for its marks."""
    prefixes = {member.prefix for member in members}
    bodies = {}
    for member in members:
        for name, path in paths.items():
            status, body = server.get(member.host, path, member.token)
            again_status, again = server.get(member.host, path, member.token)
            if status != 200 or again_status != 200:
                raise RuntimeError(f"{member.host}{path}: status {status}/{again_status}: {body[:300]!r}")
            if body != again:
                raise RuntimeError(f"{member.host}{path} answers differently from one request to the next")
            found = {match.decode() for match in INVOICE_MARK.findall(body)}
            if found - {member.prefix}:
                raise RuntimeError(f"{member.host}{path} shows another organisation's invoices: {found}")
            if found and not found <= prefixes:
                raise RuntimeError(f"{member.host}{path}: unknown invoice numbers {found}")
            if ("invoice" in name or name == "overview") and member.prefix not in found:
                raise RuntimeError(f"{member.host}{path} lacks the resident's own invoices")
            if name.startswith("consumption"):
                _check_consumption(member, json.loads(body), path)
            bodies[(member.index, name)] = body
    return bodies


def _check_consumption(member: Member, report: dict, path: str) -> None:
    """The period's total is this organisation's own reading times its quarter hours in the period."""
    year = int(re.search(r"year=(\d+)", path).group(1))
    month = re.search(r"month=(\d+)", path)
    first_day = date.today() - timedelta(days=DAYS_OF_READINGS)
    days = [
        day
        for day in (first_day + timedelta(days=offset) for offset in range(DAYS_OF_READINGS))
        if day.year == year and (month is None or day.month == int(month.group(1)))
    ]
    from tests.support.consumption_data import quarter_hours

    total = report.get("total")
    value = total.get("value") if isinstance(total, dict) else total
    if not days:
        if value is not None:
            raise RuntimeError(f"{member.host}{path}: total {value!r} for a period without readings")
        return
    expected = member.reading * sum(len(list(quarter_hours(day))) for day in days)
    if value is None or abs(Decimal(str(value)) - expected) > Decimal("0.01"):
        raise RuntimeError(f"{member.host}{path}: total {value!r}, expected {expected} for this organisation")


def write_targets(
    directory: Path,
    members: list[Member],
    paths: dict[str, str],
    weights: dict[str, int],
    bodies: dict[tuple[int, str], bytes] | None,
) -> Path:
    """The load generator's list of requests: one line per (organisation, path) with its expected body."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = []
    for member in members:
        for name, path in paths.items():
            expected = "-"
            if bodies is not None and (member.index, name) in bodies:
                body_file = directory / f"{member.index:03d}-{name}.body"
                body_file.write_bytes(bodies[(member.index, name)])
                expected = str(body_file)
            token = member.token if path.startswith("/api/portal/") else "-"
            lines.append("\t".join([str(weights[name]), member.host, token, path, expected, name]))
    manifest = directory / "targets.tsv"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def wrk_binary() -> str:
    binary = shutil.which("wrk")
    if binary is None and shutil.which("apt-get") and os.geteuid() == 0:
        print("==> installing wrk with apt-get", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)
        binary = shutil.which("wrk")
    if binary is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    return binary


def run_wrk(port: int, manifest: Path, *, seconds: int, connections: int, threads: int = 2) -> dict:
    """Drive the server with the requests in ``manifest``; returns the summary the Lua script prints."""
    completed = subprocess.run(
        [
            wrk_binary(),
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(Path(__file__).with_name("wrk_portal.lua")),
            f"http://127.0.0.1:{port}/",
            "--",
            str(manifest),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("WRK_RESULT "):
            return json.loads(line[len("WRK_RESULT ") :])
    raise RuntimeError(f"wrk gave no result:\n{completed.stdout}\n{completed.stderr}")
