"""Every resident GET of the OpenAPI document, in process with production settings, against /healthz.

Run: .venv/bin/python benchmarks/resident_reads.py [--requests 300] [--warmup 30] [--rounds 5]
         [--baseline-json PATH] [--profile ENDPOINT] [--fresh]

The data is the demo's (``demo.seeding.seed_demo``: two years of monthly invoices, payments,
settlements, documents, contracts, two years of quarter-hour readings, tickets, a move-out), built
once in a child process with DEBUG on (the demo refuses DEBUG off) in a database of its own,
``<database>_bench_reads``, and reused by later runs (``--fresh`` builds it again). The build adds a
reading with a photo, submitted through the portal's service for a meter imported for it, because
the demo's meters are all read remotely. The resident is
Anna (N-1001) of Warmtenet Noord, cost visualisation on.

This process runs with DEBUG off (the production settings: JSON renderer only, secure cookies,
manifest static files, persistent database connections) and calls ``config.wsgi.application``, the
callable gunicorn serves, with a WSGI environ as gunicorn builds it: the organisation's Host, the
resident's API token, ``X-Forwarded-Proto: https`` behind one trusted proxy. So every request goes
through the whole middleware stack, routing, authentication, the view and the renderer; only the
socket and the HTTP parsing are left out. Request log lines are off (REQUEST_LOG_LEVEL=WARNING, as
in the other benchmarks).

The endpoints are every GET under /api/portal/ of the tenant host's OpenAPI document (a new one is
measured without editing this file); path parameters are filled with the resident's first object of
the collection the path names, required query parameters from ``QUERY_PARAMETERS``. An endpoint
that cannot be filled, or answers only once (``SINGLE_USE``), is listed with the reason, not measured; one that answers anything but 200
too, and the script then exits with status 1. Each endpoint is warmed up, then timed
``--requests`` times, spread over ``--rounds`` rounds that visit every endpoint in turn (so a
change in the machine's load falls on all of them alike). Reported: median and p95 milliseconds,
the ratio to ``/healthz`` measured the same way in the same run, and issue 20's target (median
<= 4 ms); next to them the median CPU time of this process per request, which leaves out
PostgreSQL's work and the time spent waiting for a core on a busy machine. The commit measured
(and whether the shared working tree had uncommitted changes) and the load average at the start
and the end are recorded with the /healthz row.

``--baseline-json PATH`` compares with an earlier run's ``benchmarks/results/resident_reads.json``
(copy it before the later run overwrites it): its median per endpoint, the speed-up, and the
speed-up of this process's CPU time, which a busy machine moves less. ``--profile ENDPOINT`` (a
path or a unique part of one, e.g. ``overview``) measures nothing else: it profiles ``--requests``
warm requests of that endpoint with cProfile and prints the queries of one request, own time by
area (apps, ORM, DRF, psycopg...), the top 20 functions by own time and the top 20 project
functions by cumulative time (``benchmarks/profiling.py``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from harness import (
    ROOT,
    bench_database_url,
    drop_database,
    setup_django,
    write_results,
)
from profiling import profiled, report
from resident_reads_report import HEALTHZ, Endpoint, compared, results, table

NAME = "resident_reads"
SUFFIX = "_bench_reads"
HOST = "noord.localhost"  # the demo's Warmtenet Noord
CUSTOMER_NUMBER = "N-1001"  # Anna: confirmed portal account, cost visualisation on
MEDIA = ROOT / "benchmarks" / "results" / "resident_reads_media"
# The same key for the build (DEBUG on) and the measurement (DEBUG off): tokens and any signed or
# encrypted value stay readable.
ENVIRONMENT = {
    "SECRET_KEY": "resident-reads-benchmark-secret-key-0123456789",
    "TENANT_SPARE_SCHEMAS": "0",
    "MEDIA_ROOT": str(MEDIA),
    "CACHE_KEY_PREFIX": "bench_reads",
    "REQUEST_LOG_LEVEL": "WARNING",
}
PRODUCTION = {"DEBUG": "0", "TESTING": "0", "EMAIL_HOST": "smtp.invalid", "TRUSTED_PROXIES": "1"}
# Required query parameters, by path; {year}, {month}... are filled from today's date.
QUERY_PARAMETERS = {
    "/api/portal/consumption/year/": {"service": "heating", "year": "{year}"},
    "/api/portal/consumption/month/": {"service": "heating", "year": "{year}", "month": "{month}"},
    "/api/portal/consumption/compare/": {
        "service": "heating",
        "mode": "year",
        "year": "{year}",
        "other_year": "{last_year}",
    },
    "/api/portal/consumption/register/": {"service": "heating", "year": "{year}", "month": "{month}"},
    "/api/portal/consumption/download/": {"service": "heating", "start": "{month_start}", "end": "{today}"},
}

# GETs that answer once by design: repeating one measures the refusal, not the answer.
SINGLE_USE = {
    "/api/portal/data-export/download/": "single use: an archive downloads once (its link then "
    "answers token_used), so it cannot be requested repeatedly",
}


class BenchmarkError(RuntimeError):
    pass


def seed() -> None:
    """The child process: migrate the benchmark database and seed the demo into it (idempotent)."""
    setup_django(suffix=SUFFIX)
    from demo.seeding import seed_demo  # needs Django set up (above)

    started = time.perf_counter()
    seed_demo()
    submit_reading_with_photo()
    print(f"==> demo data ready in {time.perf_counter() - started:.1f} s", flush=True)


def import_manual_meter(customer, today: date):
    """One more meter at the resident's current home, which sends no data (in their schema)."""
    from django.db.models import Q  # Django is set up by seed(); so are these imports.

    from consumption.models import Meter
    from contracts.models import ContractLocation
    from integration.importing import run_import

    current = Q(move_out_date__isnull=True) | Q(move_out_date__gte=today)
    current &= Q(contract__end_date__isnull=True) | Q(contract__end_date__gte=today)
    home = (
        ContractLocation.objects.filter(current, contract__customer=customer)
        .select_related("location")
        .order_by("pk")
        .first()
    )
    meter = {
        "external_id": "bench-reads-manual-meter",
        "number": "M-BENCH-MANUAL",
        "location_external_id": home.location.external_id,
        "service": home.services[0],
    }
    result = run_import(payload={"meters": [meter]})
    if result["error_count"]:
        raise BenchmarkError(f"the manually read meter was refused: {result}")
    return Meter.objects.get(external_id=meter["external_id"])


def submit_reading_with_photo() -> None:
    """A reading with a photo for the resident, so that its photo's GET is measured (idempotent).

    The demo's meters send quarter-hour data, so the portal lets nobody read them by hand: the
    benchmark imports one more meter at the resident's home, which sends nothing, and submits a
    reading of it with a photo through the portal's own service (the photo checked and re-encoded
    as any upload is).
    """
    # Django is set up by seed(); so are these imports.
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from consumption.models import SubmittedReading
    from consumption.submitted_readings import Entry
    from customers.models import Customer
    from self_service.meter_readings import submit_reading
    from tenants.models import Domain
    from tests.support.moves import jpeg

    organisation = Domain.objects.select_related("tenant").get(domain=HOST).tenant
    with schema_context(organisation.schema_name):
        customer = Customer.objects.select_related("portal_account__user").get(
            customer_number=CUSTOMER_NUMBER
        )
        if SubmittedReading.objects.filter(customer=customer).exclude(photo="").exists():
            return
        today = timezone.localdate(timezone=organisation.zone)
        meter = import_manual_meter(customer, today)
        submit_reading(
            customer=customer,
            user=customer.portal_account.user,
            organisation=organisation,
            entry=Entry(
                meter_id=meter.pk,
                value=Decimal("1234.5"),
                read_on=today,
                photo=jpeg(size=(1200, 900)),
                confirmed=True,
            ),
        )


def build(fresh: bool) -> None:
    """Build (or check) the demo database in a child process with DEBUG on."""
    if fresh:
        drop_database(bench_database_url(SUFFIX))
        shutil.rmtree(MEDIA, ignore_errors=True)
    print(
        f"==> demo data in {bench_database_url(SUFFIX).rsplit('/', 1)[-1]} (DEBUG on, child process)",
        flush=True,
    )
    environment = dict(os.environ, **ENVIRONMENT, DEBUG="1")
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--seed"], check=True, env=environment, cwd=ROOT
    )


def commit() -> str:
    """The commit measured, and whether the (shared) working tree differed from it."""

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], capture_output=True, text=True, cwd=ROOT, check=False
        ).stdout

    head = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    changed = [line for line in git("status", "--porcelain", "--untracked-files=no").splitlines() if line]
    return f"{head} + uncommitted changes in {len(changed)} files" if changed else head


class Caller:
    """Calls the WSGI application as gunicorn does, as the resident, on the organisation's host."""

    def __init__(self, token: str) -> None:
        from config.wsgi import application  # needs the settings run() chose

        self.application = application
        self.base = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "SERVER_NAME": HOST,
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": HOST,
            "HTTP_ACCEPT": "application/json",
            "HTTP_ACCEPT_LANGUAGE": "en",
            "HTTP_USER_AGENT": "resident-reads-benchmark",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_FORWARDED_FOR": "203.0.113.7",
            "HTTP_AUTHORIZATION": f"Token {token}",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }

    def __call__(self, path: str, query: str = "") -> tuple[int, bytes]:
        environ = dict(self.base, PATH_INFO=path, QUERY_STRING=query)
        environ["wsgi.input"] = io.BytesIO(b"")
        status: list[str] = []

        def start_response(line, headers, exc_info=None):
            status.append(line)

        answer = self.application(environ, start_response)
        try:
            body = b"".join(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()  # request_finished: what a server does after each response
        return int(status[0].split()[0]), body


def resident_token_and_ids() -> tuple[str, dict[str, int]]:
    """A fresh API token for the resident (under this process's key), and the first object of each
    collection a resident path can name."""
    # The models need Django set up (run()); so do all imports of the project here.
    from django_tenants.utils import schema_context

    from consumption.models import SubmittedReading
    from credentials.services import issue_access_token
    from customers.models import Customer
    from documents.models import Document
    from invoicing.models import Invoice
    from moves.models import MoveOutRequest
    from support.models import Ticket
    from tenants.models import Domain

    schema = Domain.objects.select_related("tenant").get(domain=HOST).tenant.schema_name
    with schema_context(schema):
        customer = Customer.objects.select_related("portal_account__user").get(
            customer_number=CUSTOMER_NUMBER
        )
        candidates = {
            # The newest issued invoice with something to pay: its detail, PDF and payment QR code answer.
            "invoices": Invoice.objects.filter(
                customer=customer, amount_open__gt=0, issue_date__lte=date.today()
            ).order_by("-issue_date", "pk"),
            "documents": Document.objects.filter(customer=customer).order_by("pk"),
            "tickets": Ticket.objects.filter(customer=customer).order_by("pk"),
            "contracts": customer.contracts.order_by("pk"),
            "move-outs": MoveOutRequest.objects.filter(customer=customer).order_by("pk"),
            "meter-readings": SubmittedReading.objects.filter(customer=customer)
            .exclude(photo="")
            .order_by("pk"),
        }
        ids = {name: queryset.values_list("pk", flat=True).first() for name, queryset in candidates.items()}
        token = issue_access_token(user=customer.portal_account.user).raw
    return token, {name: pk for name, pk in ids.items() if pk is not None}


def query_values() -> dict[str, str]:
    today = date.today()
    return {
        "year": str(today.year),
        "last_year": str(today.year - 1),
        "month": str(today.month),
        "month_start": today.replace(day=1).isoformat(),
        "today": today.isoformat(),
    }


def endpoints(call: Caller, ids: dict[str, int]) -> list[Endpoint]:
    """Every GET under /api/portal/ of the host's OpenAPI document, filled from the resident's data."""
    status, body = call("/api/schema/", "format=json")
    if status != 200:
        raise BenchmarkError(f"/api/schema/ answered {status}")
    document = json.loads(body)
    found = []
    for path, item in sorted(document["paths"].items()):
        if path.startswith("/api/portal/") and "get" in item:
            found.append(fill(Endpoint(path), item["get"], ids))
    return found


def fill(endpoint: Endpoint, operation: dict, ids: dict[str, int]) -> Endpoint:
    """The URL with its path parameters and required query parameters, or why it cannot be filled."""
    missing: list[str] = []

    def from_collection(match: re.Match) -> str:
        collection = endpoint.path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        if collection not in ids:
            missing.append(f"no {collection} object of the resident for {match.group(0)}")
            return match.group(0)
        return str(ids[collection])

    endpoint.url = re.sub(r"\{[^}]+\}", from_collection, endpoint.path)
    values = query_values()
    given = {key: value.format(**values) for key, value in QUERY_PARAMETERS.get(endpoint.path, {}).items()}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query" and parameter.get("required") and parameter["name"] not in given:
            missing.append(f"required query parameter {parameter['name']} not in QUERY_PARAMETERS")
    endpoint.query = "&".join(f"{key}={value}" for key, value in given.items())
    endpoint.skipped = SINGLE_USE.get(endpoint.path) or "; ".join(missing)
    return endpoint


def check(call: Caller, endpoint: Endpoint) -> bool:
    """One call before any timing: an endpoint that does not answer 200 is reported, not timed."""
    status, body = call(endpoint.url, endpoint.query)
    if status != 200:
        endpoint.skipped = f"answered {status}: {body[:200].decode(errors='replace')}"
        print(f"==> GET {endpoint.url}: {endpoint.skipped}", flush=True)
    return status == 200


def timed(call: Caller, endpoint: Endpoint, requests: int) -> tuple[list[float], list[float]]:
    """Milliseconds per request, wall clock and this process's CPU (not PostgreSQL's, not time spent
    waiting for a core); any answer but 200 stops the benchmark (after the timing)."""
    wall, cpu, statuses = [], [], set()
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        status, _body = call(endpoint.url, endpoint.query)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        statuses.add(status)
    if statuses != {200}:
        raise BenchmarkError(f"GET {endpoint.url}: statuses {sorted(statuses)}")
    return wall, cpu


def built(call: Caller, endpoint: Endpoint, requests: int) -> tuple[list[float], list[float]]:
    """The same requests with the resident read cache off: every answer built from the database, as
    the first read after a write is (portal_api.read_cache)."""
    from django.conf import settings  # needs Django set up (run())

    settings.RESIDENT_READ_CACHE = False
    try:
        return timed(call, endpoint, requests)
    finally:
        settings.RESIDENT_READ_CACHE = True


def measure(call: Caller, measured: list[Endpoint], requests: int, warmup: int, rounds: int) -> None:
    """Warm every endpoint up, then time them in ``rounds`` rounds, each endpoint in turn, as
    production answers them (from the read cache when nothing changed) and built afresh."""
    measured[:] = [endpoint for endpoint in measured if check(call, endpoint)]
    for endpoint in measured:
        timed(call, endpoint, warmup)
        built(call, endpoint, warmup)
        endpoint.times, endpoint.cpu, endpoint.built_times = [], [], []
    per_round = [requests // rounds + (1 if n < requests % rounds else 0) for n in range(rounds)]
    for number, count in enumerate(per_round, start=1):
        print(f"==> round {number}/{rounds}: {count} requests per endpoint", flush=True)
        for endpoint in measured:
            wall, cpu = timed(call, endpoint, count)
            endpoint.times += wall
            endpoint.cpu += cpu
            endpoint.built_times += built(call, endpoint, count)[0]


def profile(call: Caller, endpoint: Endpoint, requests: int, warmup: int) -> None:
    """Where the time of ``requests`` warm requests goes (profiling.report), and the queries of one."""
    from django.db import connection  # needs Django set up (run())
    from django.test.utils import CaptureQueriesContext  # likewise

    if not check(call, endpoint):
        raise BenchmarkError(f"GET {endpoint.url}: {endpoint.skipped}")
    timed(call, endpoint, warmup)
    with CaptureQueriesContext(connection) as captured:
        call(endpoint.url, endpoint.query)
    queries = [query["sql"] for query in captured.captured_queries]
    search_path = sum(1 for sql in queries if sql.startswith("SET search_path"))
    stats = profiled(lambda: call(endpoint.url, endpoint.query), requests)
    print(f"\n==> GET {endpoint.url}?{endpoint.query}: {requests} requests under cProfile after {warmup}")
    print(f"==> {len(queries)} queries per request ({search_path} of them SET search_path)\n")
    for sql in queries:
        print(f"    {sql[:160]}")
    print(report(stats, requests))


def chosen(measured: list[Endpoint], wanted: str) -> Endpoint:
    """The endpoint whose path is ``wanted``, or the only one containing it."""
    exact = [endpoint for endpoint in measured if endpoint.path == wanted]
    matches = exact or [endpoint for endpoint in measured if wanted in endpoint.path]
    if len(matches) != 1:
        names = ", ".join(endpoint.path for endpoint in matches) or "none"
        raise BenchmarkError(f"--profile {wanted!r} matches {names}: name one endpoint")
    return matches[0]


def run(arguments: argparse.Namespace) -> int:
    build(arguments.fresh)
    os.environ.update(ENVIRONMENT)
    os.environ.update(PRODUCTION)
    setup_django(migrate=False, suffix=SUFFIX)
    from django.conf import settings  # after setup_django, which chose the environment

    assert not settings.DEBUG, "the measurement runs with the production settings"
    token, ids = resident_token_and_ids()
    call = Caller(token)
    found = endpoints(call, ids)
    measured = [endpoint for endpoint in found if not endpoint.skipped]
    if arguments.profile:
        profile(call, chosen(measured, arguments.profile), arguments.requests, arguments.warmup)
        return 0
    healthz = Endpoint(HEALTHZ, url=HEALTHZ)
    code = commit()
    print(
        f"==> commit {code}; {len(measured)} endpoints + {HEALTHZ}, {arguments.requests} requests each",
        flush=True,
    )
    load = os.getloadavg()[0]
    measure(call, [healthz, *measured], arguments.requests, arguments.warmup, arguments.rounds)
    rows = results(found, healthz, code)
    # Other processes on the machine move every figure (docs/performance.md): say how busy it was.
    rows[0].notes += f"; load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    rows[0].extra["load_average"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    print(f"==> load average (1 min): {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    comparison = compared(rows, Path(arguments.baseline_json)) if arguments.baseline_json else []
    print("\n" + table(rows, comparison))
    print(f"\nwritten to {write_results(NAME, rows + comparison)}")
    failed = [endpoint.path for endpoint in found if endpoint.skipped.startswith("answered")]
    if failed:
        print(f"\nnot 200, not measured: {', '.join(failed)}")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests per endpoint first")
    parser.add_argument("--rounds", type=int, default=5, help="rounds over all endpoints")
    parser.add_argument("--baseline-json", default="", help="an earlier run's resident_reads.json")
    parser.add_argument("--profile", default="", help="print a cProfile top 20 for this endpoint only")
    parser.add_argument("--fresh", action="store_true", help="drop and build the demo database again")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)  # the child process
    arguments = parser.parse_args()
    if arguments.seed:
        seed()
        return 0
    arguments.rounds = max(1, min(arguments.rounds, arguments.requests))
    return run(arguments)


if __name__ == "__main__":
    sys.exit(main())
