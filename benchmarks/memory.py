"""Memory (issue 20, target 5): a web worker's and a Celery worker's resident set, and a leak check.

Run: .venv/bin/python benchmarks/memory.py [--organisations 100] [--requests 10000] [--warmup 2000]
         [--readings 6000000] [--batch 50000] [--concurrency 4] [--parts web,worker]

**Web worker.** The fleet of ``fleet.py`` (organisations made by onboarding from the snapshot, each
with a resident, a small billing import, a document and 90 days of readings) is built, or reused,
in a child process; a second process then starts with the production settings (DEBUG off) and
sends ``--requests`` mixed resident GETs (``MIX``: overview, invoices, an invoice, statements,
consumption year and month, details...) through ``config.wsgi.application``, as gunicorn calls it,
organisation after organisation, each with its own Host and its resident's token. That process
reads its own ``VmRSS`` and ``VmHWM`` (``/proc/self/status``) before the first request and every
``--sample-every`` requests. Reported: the peak (VmHWM), the resident set after start-up, after the
warm-up and at the end, and the growth after the warm-up per 1,000 requests. Leak check: that
growth under 2 MiB per 1,000 requests (``WEB_BOUND_MIB``): anything a worker kept per request (a
response body, a query or log record, a token or tenant object) is at least 2 KiB, while what the
allocator moves after warm-up stays a few MiB over the whole run. Printed as met yes/no, never
asserted. Production gunicorn recycles a worker after about 5,000 requests (``GUNICORN_MAX_REQUESTS``);
this process is not recycled, so a leak shows.

**Celery worker.** ``memory_worker.py``: a real ``celery -A config worker`` (prefork, the production
entrypoint's flags) ingests the consumption benchmark's data (10 locations x 3 services, quarter-hour
readings) sent in batches through the broker; its memory, main process and pool processes, is read
from outside every few seconds. See that file.

Each part writes its rows to a file of its own; this script prints one table and writes
``benchmarks/results/memory.json``. Exit status 1 when a request did not answer 200 or a reading
was refused (the figures are written anyway); a leak check that is not met does not change it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict
from datetime import date
from pathlib import Path

import fleet
from harness import ROOT, Result, print_table, write_results
from resident_reads import Caller

HERE = Path(__file__).resolve().parent
WEB_BOUND_MIB = 2.0  # per 1,000 requests after warm-up
# The measuring process: production settings, the fleet's key (its tokens were issued under it).
WEB_ENVIRONMENT = {
    "DEBUG": "0",
    "TESTING": "0",
    "EMAIL_HOST": "smtp.invalid",
    "TRUSTED_PROXIES": "1",
    "SECRET_KEY": fleet.SECRET_KEY,
    "TENANT_SPARE_SCHEMAS": "0",
    "REQUEST_LOG_LEVEL": "WARNING",
}
# What residents ask for, with weights (per 100 requests); {invoice} is the organisation's first invoice.
MIX = {
    "overview": ("/api/portal/overview/", "", 22),
    "invoices": ("/api/portal/invoices/", "", 14),
    "invoice": ("/api/portal/invoices/{invoice}/", "", 8),
    "statements": ("/api/portal/statements/", "", 6),
    "charges": ("/api/portal/charges/", "", 4),
    "transactions": ("/api/portal/transactions/", "", 4),
    "documents": ("/api/portal/documents/", "", 5),
    "contracts": ("/api/portal/contracts/", "", 4),
    "consumption services": ("/api/portal/consumption/services/", "", 3),
    "consumption year": ("/api/portal/consumption/year/", "service=heating&year={year}", 12),
    "consumption month": ("/api/portal/consumption/month/", "service=heating&year={year}&month={month}", 8),
    "details": ("/api/portal/details/", "", 4),
    "me": ("/api/portal/me/", "", 3),
    "site": ("/api/portal/site/", "page=overview", 2),
    "tickets": ("/api/portal/tickets/", "", 1),
}


def mib(kib: float) -> float:
    return kib / 1024


def own_memory() -> dict[str, float]:
    """This process's VmRSS and VmHWM (peak), MiB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = mib(int(rest.split()[0]))
    return values


def first_invoice(call) -> str:
    """The id of the resident's first invoice, from the API itself."""
    status, body = call("/api/portal/invoices/", "")
    if status != 200:
        raise RuntimeError(f"/api/portal/invoices/ answered {status}: {body[:200]!r}")
    data = json.loads(body)
    items = data["results"] if isinstance(data, dict) else data
    return str(items[0]["id"])


def callers(members: list[fleet.Member]) -> list:
    """A WSGI caller per organisation (its Host, its resident's token) and its invoice id."""
    made = []
    for member in members:
        call = Caller(member.token)
        call.base.update(HTTP_HOST=member.host, SERVER_NAME=member.host)
        made.append((call, first_invoice(call)))
    return made


def schedule(organisations: int, requests: int, seed: int = 20):
    """(organisation index, MIX name) per request: organisations in turn, names drawn by weight."""
    rng = random.Random(seed)
    names = list(MIX)
    weights = [weight for _path, _query, weight in MIX.values()]
    for number in range(requests):
        yield number % organisations, rng.choices(names, weights)[0]


def traced(arguments: argparse.Namespace, number: int, snapshots: list) -> None:
    """With ``--tracemalloc``: a snapshot after the warm-up, and at the end what grew since, where."""
    if not arguments.tracemalloc or number not in (arguments.warmup, arguments.requests):
        return
    snapshots.append(tracemalloc.take_snapshot())
    if len(snapshots) == 2:
        print(f"==> Python allocations grown from request {arguments.warmup:,} to {number:,}, top 10:")
        for stat in snapshots[1].compare_to(snapshots[0], "traceback")[:10]:
            print(f"{stat.size_diff / 1024:+,.1f} KiB in {stat.count_diff:+,} blocks, allocated at:")
            print("\n".join(stat.traceback.format(limit=6, most_recent_first=True)))


def send(made: list, arguments: argparse.Namespace) -> tuple[list[dict], dict, float]:
    """Every request of the schedule; samples of RSS, non-200 answers by (name, status), seconds."""
    today = date.today()
    values = {"year": today.year, "month": today.month}
    samples = [{"requests": 0, **own_memory()}]
    failures: dict[str, int] = {}
    snapshots: list = []
    started = time.perf_counter()
    for number, (index, name) in enumerate(schedule(len(made), arguments.requests), start=1):
        call, invoice = made[index]
        path, query, _weight = MIX[name]
        status, _body = call(path.format(invoice=invoice), query.format(**values))
        if status != 200:
            key = f"{name} {status}"
            failures[key] = failures.get(key, 0) + 1
        if number % arguments.sample_every == 0 or number == arguments.requests:
            samples.append({"requests": number, **own_memory()})
            print(f"    {number:,} requests: RSS {samples[-1]['VmRSS']:.1f} MiB", flush=True)
        traced(arguments, number, snapshots)
    return samples, failures, time.perf_counter() - started


def at(samples: list[dict], requests: int) -> dict:
    """The first sample taken after at least ``requests`` requests."""
    return next(sample for sample in samples if sample["requests"] >= requests)


def measure_web(arguments: argparse.Namespace) -> int:
    """The child process that measures: production settings, the fleet built by the other child."""
    os.environ.update(WEB_ENVIRONMENT)
    saved = ROOT / "benchmarks" / "results" / f"fleet-{fleet._database_tag()}.json"
    if not saved.exists() or len(json.loads(saved.read_text())["slugs"]) != arguments.organisations:
        raise SystemExit(f"{saved.name}: no fleet of {arguments.organisations} (the build child failed?)")
    members = fleet.load_or_build(arguments.organisations)  # reused: built by the other child
    from django.conf import settings  # set up by load_or_build

    assert not settings.DEBUG, "the measurement runs with the production settings"
    start_up = own_memory()
    if arguments.tracemalloc:
        tracemalloc.start(12)
    made = callers(members)
    print(f"==> {arguments.requests:,} requests across {len(made)} organisations", flush=True)
    samples, failures, seconds = send(made, arguments)
    rows = web_results(arguments, start_up, samples, seconds)
    if failures:
        rows[0].notes += f"; NOT 200: {failures}"
    Path(arguments.output).write_text(json.dumps([asdict(row) for row in rows]))
    return 1 if failures else 0


def web_results(arguments, start_up: dict, samples: list[dict], seconds: float) -> list[Result]:
    warm, end = at(samples, arguments.warmup), samples[-1]
    after = end["requests"] - warm["requests"]
    growth = (end["VmRSS"] - warm["VmRSS"]) / after * 1000 if after else 0.0
    setting = f"{arguments.organisations} organisations, {arguments.requests:,} requests"
    common = {"benchmark": "memory", "unit": "MiB", "baseline": "after start-up, before the first request"}
    extra = {"samples": samples, "start_up": start_up, "requests_per_second": arguments.requests / seconds}
    return [
        Result(
            measure=f"web worker: peak RSS (VmHWM), in process, production settings ({setting})",
            value=end["VmHWM"],
            baseline_value=start_up["VmRSS"],
            notes=f"{arguments.requests / seconds:.0f} requests/s, one thread; mix: {', '.join(MIX)}",
            extra=extra,
            **common,
        ),
        Result(
            measure=f"web worker: RSS after warm-up ({warm['requests']:,} requests)",
            value=warm["VmRSS"],
            baseline_value=start_up["VmRSS"],
            **common,
        ),
        Result(
            measure=f"web worker: RSS at the end ({end['requests']:,} requests)",
            value=end["VmRSS"],
            baseline_value=start_up["VmRSS"],
            **common,
        ),
        Result(
            benchmark="memory",
            measure=f"web worker: RSS growth after warm-up ({warm['requests']:,} to {end['requests']:,} requests)",
            value=growth,
            unit="MiB per 1,000 requests",
            target=f"< {WEB_BOUND_MIB:g} MiB per 1,000 requests (no leak)",
            met=growth < WEB_BOUND_MIB,
            notes=f"{end['VmRSS'] - warm['VmRSS']:+.1f} MiB over {after:,} requests",
        ),
    ]


def child(arguments: list[str], output: Path) -> tuple[int, list[Result]]:
    """Run this script (or memory_worker.py) in a process of its own; its exit status and rows."""
    completed = subprocess.run([sys.executable, *arguments, "--output", str(output)], cwd=ROOT, check=False)
    rows = [Result(**row) for row in json.loads(output.read_text())] if output.exists() else []
    return completed.returncode, rows


def run(arguments: argparse.Namespace) -> int:
    parts = arguments.parts.split(",")
    rows: list[Result] = []
    statuses = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder:
        if "web" in parts:
            print(f"==> the fleet of {arguments.organisations} organisations (child process)", flush=True)
            subprocess.run(
                [sys.executable, __file__, "--build-fleet", str(arguments.organisations)],
                cwd=ROOT,
                check=True,
            )
            web = [
                __file__,
                "--measure-web",
                *("--organisations", str(arguments.organisations)),
                *("--requests", str(arguments.requests), "--warmup", str(arguments.warmup)),
                *("--sample-every", str(arguments.sample_every)),
                *(["--tracemalloc"] if arguments.tracemalloc else []),
            ]
            status, found = child(web, Path(folder) / "web.json")
            statuses.append(status)
            rows += found
        if "worker" in parts:
            worker = [
                str(HERE / "memory_worker.py"),
                *("--readings", str(arguments.readings), "--batch", str(arguments.batch)),
                *("--concurrency", str(arguments.concurrency), "--interval", str(arguments.interval)),
            ]
            status, found = child(worker, Path(folder) / "worker.json")
            statuses.append(status)
            rows += found
    print_table(rows)
    print(f"\nwritten to {write_results('memory', rows)}")
    return 0 if statuses and not any(statuses) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--requests", type=int, default=10_000, help="web: mixed resident GETs")
    parser.add_argument("--warmup", type=int, default=2_000, help="web: requests before growth counts")
    parser.add_argument("--sample-every", type=int, default=500, help="web: requests between samples")
    parser.add_argument("--readings", type=int, default=6_000_000, help="worker: readings ingested")
    parser.add_argument("--batch", type=int, default=50_000, help="worker: readings per task")
    parser.add_argument("--concurrency", type=int, default=4, help="worker: pool processes")
    parser.add_argument("--interval", type=float, default=2.0, help="worker: seconds between samples")
    parser.add_argument("--parts", default="web,worker", help="web, worker or both")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="web: print where Python allocations grew after the warm-up (slower, more memory: no figures)",
    )
    parser.add_argument("--build-fleet", type=int, help=argparse.SUPPRESS)  # the build child
    parser.add_argument("--measure-web", action="store_true", help=argparse.SUPPRESS)  # the web child
    parser.add_argument("--output", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    arguments.warmup = min(arguments.warmup, arguments.requests // 2)
    if arguments.build_fleet:
        fleet.load_or_build(arguments.build_fleet)
        return 0
    if arguments.measure_web:
        return measure_web(arguments)
    return run(arguments)


if __name__ == "__main__":
    sys.exit(main())
