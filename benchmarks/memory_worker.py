"""Memory of a Celery worker ingesting readings (issue 20, target 5), read from outside; a leak check.

Run: .venv/bin/python benchmarks/memory_worker.py [--readings 6000000] [--batch 50000]
         [--concurrency 4] [--interval 2] [--warmup-share 0.2]
(``memory.py`` runs it as its ``worker`` part.)

The data is the consumption benchmark's (``consumption.py``: one contract at 10 locations with a
meter for each of 3 services, quarter-hour readings of random values), for an organisation of its
own (``benchmemory``) in ``<database>_bench``, dropped at the end. The worker is a real
``celery -A config worker`` with the production entrypoint's flags (docker/entrypoint.sh: prefork,
``--concurrency``, ``--max-tasks-per-child 1000``) and the production settings (DEBUG off), plus
``--include benchmarks.memory_tasks``: the platform has no ingestion task (readings come in through
the integration API), so that module's task calls the same service, ``consumption.ingestion.ingest``,
on each batch of ``--batch`` readings sent through the broker as JSON. This process sends the
batches (never more than ``--concurrency`` waiting in the queue) and, every ``--interval`` seconds,
reads the worker's memory from ``/proc``: VmRSS of the main process and every pool process, and
their PSS (``smaps_rollup``: pages shared after the fork counted once, what the machine really
gives them).

Warm-up: the first ``--warmup-share`` of the readings, half by default: with 4 pool processes a
fifth was too short (each had run about six tasks, and their heaps still grew until half-way, then
stayed flat). The sending stops there until the worker is idle and its memory stops moving, and the
memory is read idle; the same half-way through the rest and at the end. Growth after warm-up
compares the idle readings after warm-up and at the end (a reading taken while a pool process holds
a batch would not compare), per million readings. Leak check: under 5 MiB per million readings (``BOUND_MIB``), i.e. 250 KiB per
task of 50,000 readings: a stored reading costs over 100 bytes in Python (a tuple with a Decimal
and a datetime), so keeping anything per reading exceeds it many times, and so does keeping a
batch's rows, its parsed tuples or its SQL; allocator noise after warm-up stays under it. Printed
as met yes/no, never asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from harness import ROOT, Result, bench_database_url, print_table, setup_django

HERE = Path(__file__).resolve().parent
SLUG = "benchmemory"
HOST = f"{SLUG}.bench.test"
QUEUE = "bench_memory"
TASK = "memory_tasks.ingest_batch"  # benchmarks/memory_tasks.py
METERS = 30  # 10 locations x 3 services
BOUND_MIB = 5.0  # per million readings after warm-up
WORKER_ENVIRONMENT = {
    "DEBUG": "0",
    "TESTING": "0",
    "SECRET_KEY": "memory-benchmark-secret-key-0123456789-abcdef",
    "EMAIL_HOST": "smtp.invalid",
    "TENANT_SPARE_SCHEMAS": "0",
    "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "PYTHONUNBUFFERED": "1",
    "LOG_LEVEL": "INFO",  # the worker's "ready." line
}


def consumption_benchmark():
    """benchmarks/consumption.py as a module (its name is the consumption app's, which comes first
    on the path)."""
    spec = importlib.util.spec_from_file_location("consumption_benchmark", HERE / "consumption.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepare(readings: int, batch: int):
    """The organisation with the consumption benchmark's contract and meters; the batches to send
    (``readings`` rounded up to whole quarter hours of all meters, ending days ago) and their total."""
    from django_tenants.utils import schema_context  # needs Django set up (main())

    from integration.importing import run_import  # likewise
    from operators.onboarding import onboard_organisation  # likewise

    source = consumption_benchmark()
    drop_organisation()
    quarter_hours = math.ceil(readings / METERS)
    first_day = date.today() - timedelta(days=quarter_hours // 96 + 3)
    organisation = onboard_organisation(
        name="Bench memory", slug=SLUG, domain=HOST, admin_email=f"admin@{HOST}"
    ).organisation
    with schema_context(organisation.schema_name):
        run_import(payload=source._import_payload(first_day))
    zone = organisation.zone
    first = datetime(first_day.year, first_day.month, first_day.day, tzinfo=zone).astimezone(UTC)
    end = first + timedelta(minutes=15 * quarter_hours)
    return organisation, source.generate(first_day, end, batch, zone), quarter_hours * METERS


def drop_organisation() -> None:
    from django.db import connection  # needs Django set up (main())

    from tenants import provisioning  # likewise
    from tenants.models import Domain, Organisation  # likewise

    organisation = Organisation.objects.filter(slug=SLUG).first()
    if organisation is not None:
        provisioning.drop_schema(organisation.schema_name)
        Domain.objects.filter(tenant=organisation).delete()
        organisation.delete()
    connection.set_schema_to_public()


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        waiting += children.get(current, [])
    return found


def process_memory(pid: int) -> dict[str, float] | None:
    """VmRSS, VmHWM and Pss of one process, MiB (None when it is gone)."""
    values = {}
    try:
        lines = Path(f"/proc/{pid}/status").read_text() + Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    for line in lines.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM", "Pss") and rest.split():
            values[key] = int(rest.split()[0]) / 1024
    return values


class Worker:
    """``celery -A config worker`` as docker/entrypoint.sh starts it, on the benchmark's database."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        self.log = Path(tempfile.mkstemp(prefix="bench-memory-worker-", suffix=".log")[1])

    def start(self, timeout: float = 120) -> None:
        env = dict(os.environ, **WORKER_ENVIRONMENT, DATABASE_URL=bench_database_url())
        for name in ("PROMETHEUS_MULTIPROC_DIR", "CELERY_METRICS_PORT", "CELERY_LIVENESS_FILE"):
            env.pop(name, None)
        command = [sys.executable, "-m", "celery", "-A", "config", "--quiet", "worker", "--loglevel", "INFO"]
        command += ["--concurrency", str(self.concurrency), "--max-tasks-per-child", "1000"]
        command += ["--include", "benchmarks.memory_tasks", "-Q", QUEUE, "-n", f"memory-{os.getpid()}@%h"]
        with self.log.open("w") as handle:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if "ready." in self.log.read_text(errors="replace"):
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("the Celery worker did not start:\n" + self.tail())

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def memory(self) -> dict:
        """The sum over the main process and its pool processes, how many there are, and each one's
        VmRSS (the main process first)."""
        found = [process_memory(pid) for pid in descendants(self.process.pid)]
        found = [values for values in found if values]
        total = {key: sum(values.get(key, 0.0) for values in found) for key in ("VmRSS", "Pss")}
        largest = max((values.get("VmHWM", 0.0) for values in found[1:]), default=0.0)
        each = [round(values["VmRSS"], 1) for values in found]
        return {
            **total,
            "processes": len(found),
            "largest_pool_hwm": largest,
            "main_hwm": found[0]["VmHWM"],
            "each": each,
        }

    def settled(self, seconds: float = 10) -> None:
        """Wait (at most ``seconds``) until the idle worker's memory stops moving: freeing a batch's
        rows takes a moment after the task has counted them."""
        last, deadline = self.memory()["VmRSS"], time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = self.memory()["VmRSS"]
            if abs(now - last) < 0.5:
                return
            last = now

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()  # warm shutdown: the pool processes go with the main one
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


class Sampler(threading.Thread):
    """The worker's memory every ``interval`` seconds, with the readings stored by then."""

    def __init__(self, worker: Worker, interval: float, progress) -> None:
        super().__init__(daemon=True)
        self.worker, self.interval, self.progress = worker, interval, progress
        self.samples: list[dict] = []
        self.started = time.monotonic()
        self.stopped = threading.Event()

    def take(self, label: str = "") -> dict:
        sample = {"seconds": round(time.monotonic() - self.started, 1), "readings": self.progress()}
        sample.update(self.worker.memory(), label=label)
        self.samples.append(sample)
        return sample

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            if self.worker.alive():
                sample = self.take()
                if len(self.samples) % 10 == 0:
                    print(f"    {sample['readings']:,} readings: RSS {sample['VmRSS']:.0f} MiB", flush=True)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


class Feeder:
    """Sends the batches to the worker's queue, a few at a time, and waits for them to be stored."""

    def __init__(self, organisation, batches, worker: Worker) -> None:
        import redis  # the broker's client; Django's settings say where it is (main())
        from django.conf import settings  # likewise

        from config.celery import app  # the tenant app: the schema goes in a header

        self.app, self.schema, self.batches, self.worker = app, organisation.schema_name, batches, worker
        self.redis = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        self.counter = f"bench-memory:{os.getpid()}:{time.time_ns()}"
        self.sent = 0
        self.redis.delete(QUEUE)  # what a crashed earlier run or the onboarding left

    def stored(self) -> int:
        values = self.redis.mget([f"{self.counter}:accepted", f"{self.counter}:refused"])
        return sum(int(value or 0) for value in values)

    def refused(self) -> int:
        return int(self.redis.get(f"{self.counter}:refused") or 0)

    def send_until(self, readings: float) -> None:
        for rows in self.batches:
            while self.redis.llen(QUEUE) >= self.worker.concurrency:
                self.check()
                time.sleep(0.05)
            headers = {"_schema_name": self.schema}
            self.app.send_task(TASK, args=[rows, self.counter], queue=QUEUE, headers=headers)
            self.sent += len(rows)
            if self.sent >= readings:
                return

    def wait_idle(self, stall: float = 600) -> None:
        """Until everything sent is stored (then a second for the pool to settle)."""
        last, since = -1, time.monotonic()
        while (done := self.stored()) < self.sent:
            self.check()
            if done != last:
                last, since = done, time.monotonic()
            elif time.monotonic() - since > stall:
                raise RuntimeError(f"no progress for {stall:.0f} s:\n{self.worker.tail()}")
            time.sleep(0.2)
        time.sleep(1)

    def check(self) -> None:
        if not self.worker.alive():
            raise RuntimeError("the worker stopped:\n" + self.worker.tail())
        if self.redis.get(f"{self.counter}:failed"):
            raise RuntimeError("a task failed:\n" + self.worker.tail())


def measure(arguments: argparse.Namespace) -> tuple[dict, list[dict], int, float]:
    """Start-up, warm-up and end samples (idle), every sample, refused readings, seconds."""
    organisation, batches, total = prepare(arguments.readings, arguments.batch)
    worker = Worker(arguments.concurrency)
    feeder = Feeder(organisation, batches, worker)  # empties the queue (what onboarding sent, too)
    sampler = None
    try:
        worker.start()
        sampler = Sampler(worker, arguments.interval, feeder.stored)
        idle = {"start-up": sampler.take("idle after start-up")}
        sampler.start()
        started = time.perf_counter()
        middle = (arguments.warmup_share + 1) / 2
        for label, share in (("warm-up", arguments.warmup_share), ("middle", middle), ("end", 1.0)):
            print(f"==> sending readings up to {total * share:,.0f} of {total:,}", flush=True)
            feeder.send_until(total * share)
            feeder.wait_idle()
            worker.settled()
            idle[label] = sampler.take(f"idle after {label}")
        seconds = time.perf_counter() - started
    finally:
        if sampler is not None:
            sampler.stop()
        worker.stop()
        drop_organisation()
    return idle, sampler.samples, feeder.refused(), seconds


def results(arguments, idle: dict, samples: list[dict], seconds: float) -> list[Result]:
    start, warm, end = idle["start-up"], idle["warm-up"], idle["end"]
    after = (end["readings"] - warm["readings"]) / 1e6
    growth = (end["VmRSS"] - warm["VmRSS"]) / after if after else 0.0
    setting = (
        f"{end['readings']:,} readings, {arguments.concurrency} pool processes, {arguments.batch:,} per task"
    )
    common = {"benchmark": "memory", "unit": "MiB", "baseline": "idle after start-up"}
    return [
        Result(
            measure=f"Celery worker: peak RSS, main + pool processes, sampled every {arguments.interval:g} s ({setting})",
            value=max(sample["VmRSS"] for sample in samples),
            baseline_value=start["VmRSS"],
            notes=f"{end['readings'] / seconds:,.0f} readings/s through the worker; largest pool process's "
            f"own peak (VmHWM) {end['largest_pool_hwm']:.0f} MiB, main process {end['main_hwm']:.0f} MiB",
            extra={"samples": samples, "idle": idle},
            **common,
        ),
        Result(
            measure="Celery worker: peak PSS (pages shared after the fork counted once)",
            value=max(sample["Pss"] for sample in samples),
            baseline_value=start["Pss"],
            **common,
        ),
        Result(
            measure=f"Celery worker: RSS idle after warm-up ({warm['readings']:,} readings) and at the end",
            value=end["VmRSS"],
            baseline=f"after warm-up ({warm['readings']:,} readings)",
            baseline_value=warm["VmRSS"],
            unit="MiB",
            benchmark="memory",
        ),
        Result(
            benchmark="memory",
            measure="Celery worker: RSS growth after warm-up (idle to idle)",
            value=growth,
            unit="MiB per million readings",
            target=f"< {BOUND_MIB:g} MiB per million readings (no leak)",
            met=growth < BOUND_MIB,
            notes=f"{end['VmRSS'] - warm['VmRSS']:+.1f} MiB over {after * 1e6:,.0f} readings; idle, "
            f"MiB per process (main first): after warm-up {warm['each']}, half-way after warm-up "
            f"{idle['middle']['each']} ({idle['middle']['readings']:,} readings), at the end {end['each']}",
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--readings", type=int, default=6_000_000)
    parser.add_argument("--batch", type=int, default=50_000, help="readings per task")
    parser.add_argument("--concurrency", type=int, default=4, help="pool processes (production: 4)")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between samples")
    parser.add_argument("--warmup-share", type=float, default=0.5, help="share of the readings")
    parser.add_argument("--output", help="write the rows here (memory.py) instead of printing only")
    arguments = parser.parse_args()
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
    os.environ.setdefault("TENANT_SPARE_SCHEMAS", "0")
    setup_django()
    idle, samples, refused, seconds = measure(arguments)
    rows = results(arguments, idle, samples, seconds)
    if refused:
        rows[0].notes += f"; {refused:,} readings REFUSED or duplicate"
    if arguments.output:  # memory.py prints the table
        Path(arguments.output).write_text(json.dumps([asdict(row) for row in rows]))
    else:
        print_table(rows)
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
