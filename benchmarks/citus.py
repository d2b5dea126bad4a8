"""The same benchmarks on plain PostgreSQL and on a Citus cluster, in one run, side by side.

Run: .venv/bin/python benchmarks/citus.py [--quick] [--schemas 200] [--organisations 10] ...
     (each option takes --help; --quick: sizes for a run of a few minutes)

Each part runs twice, in a process of its own, first with DATABASE_URL at plain PostgreSQL
(``--postgres-url``), then at the Citus coordinator (``--citus-url``), one right after the other so
that both see the same machine:

- onboarding: ``onboarding.py`` (a schema from the snapshot, all migrations, whole onboarding with
  a spare and without);
- migrations: ``migrations.py``, a release migrated over ``--schemas`` organisation schemas, in
  parallel (``migrate_platform``'s executor) and one after another;
- http: ``http_load.py`` on a fleet of ``--organisations`` (requests/s, p95, failed or wrong bodies);
- ingestion: ``consumption.py``'s ingest of ``--ingest-days`` of 15-minute readings for 30 meters;
- move (Citus only): ``citus_move.py``, one fleet organisation's schema moved to the other worker
  while threads call the resident API of it and of another organisation.

The table has a column per backend and Citus's ratio to PostgreSQL (``3.2x slower``). The local
cluster is started with ``scripts/citus.py start`` when it does not answer; when it cannot be
started the run is skipped (exit status 75, a reason printed), which ``run_all.py`` reports.
Results: benchmarks/results/citus.json (``harness.write_results``; value = Citus, baseline =
PostgreSQL, ratio > 1 where Citus is better).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from harness import ROOT, Result, number, on_citus, write_results

HERE = Path(__file__).resolve().parent
SKIPPED = 75  # exit status when no Citus cluster can be had (EX_TEMPFAIL)
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/energy_portal"
CITUS_URL = "postgres://postgres@127.0.0.1:9700/energy_portal"
BACKENDS = ("postgres", "citus")
PARTS = ("onboarding", "migrations", "http", "ingestion", "move")
CITUS_ONLY = {"move"}
FULL = {"rounds": 5, "schemas": 200, "organisations": 10, "seconds": 10, "ingest_days": 90}
QUICK = {"rounds": 2, "schemas": 20, "organisations": 4, "seconds": 5, "ingest_days": 30}


@dataclass
class Row:
    """One figure of one part on one backend."""

    measure: str
    value: float
    unit: str
    kind: str  # "time" (lower is better), "rate" (higher is better), "count" (a target of 0), "info"
    notes: str = ""


# -- the parts, each run in a child process with DATABASE_URL at one backend ----------------------
def part_onboarding(options) -> list[Row]:
    import onboarding

    results = {r.measure: r for r in onboarding.run(options.rounds)}
    wanted = {
        "whole onboarding with a spare schema ready (rename), median": "whole onboarding, spare ready",
        "whole onboarding when no spare is ready (snapshot), median": "whole onboarding, no spare (snapshot)",
        "tenant schema from the template's DDL snapshot, median": "tenant schema from the DDL snapshot",
    }
    rows = [Row(label, results[measure].value, "s", "time") for measure, label in wanted.items()]
    baseline = next(iter(results.values())).baseline_value
    return [*rows, Row("tenant schema by all migrations", baseline, "s", "time")]


def part_migrations(options) -> list[Row]:
    import migrations

    (result,) = migrations.run(options.schemas, options.processes)
    notes = result.notes
    from tenants.management.commands.migrate_platform import lagging_schemas

    started = time.perf_counter()
    lagging = lagging_schemas()
    check = time.perf_counter() - started
    assert not lagging, lagging
    return [
        Row(
            f"migrate_platform's final check over {options.schemas} schemas (UNION ALL, 200 per query)",
            check,
            "s",
            "time",
        ),
        Row(
            f"{options.schemas} schemas in parallel ({options.processes} processes, migrate_platform)",
            result.value,
            "s",
            "time",
            notes,
        ),
        Row(f"{options.schemas} schemas one after another", result.baseline_value, "s", "time", notes),
    ]


def part_http(options) -> list[Row]:
    import http_load

    results = http_load.run(options.organisations, options.seconds, options.connections, options.port)
    rows, failures = [], 0
    for result in results:
        if result.measure.endswith("requests/s"):
            rows.append(Row(result.measure, result.value, "req/s", "rate"))
            failures += http_load._failures(result.extra)
        elif result.measure.endswith("p95 latency"):
            rows.append(Row(result.measure, result.value, "ms", "time"))
    setting = (
        f"{options.organisations} organisations, {options.connections} connections, {options.seconds} s each"
    )
    rows.append(Row("failed or wrong responses (all endpoints)", failures, "", "count", setting))
    return rows


def part_ingestion(options) -> list[Row]:
    from datetime import UTC, date, datetime, timedelta

    from harness import setup_django

    setup_django()
    bench = _load_module("consumption")  # benchmarks/consumption.py, not the Django app
    from django.db import connection

    bench.drop_previous_run()
    organisation, _contract_start = bench.prepare(years=options.ingest_days // 365 + 1)
    connection.set_schema_to_public()
    start = date.today() - timedelta(days=options.ingest_days)
    rows, seconds = bench.ingest_all(organisation, start, datetime.now(UTC) - timedelta(hours=1), 300_000)
    bench.drop_previous_run()
    return [
        Row(
            f"ingestion ({options.ingest_days} days, 30 meters)",
            rows / seconds,
            "rows/s",
            "rate",
            f"{rows:,} rows",
        )
    ]


def part_move(options) -> list[Row]:
    import citus_move

    figures = citus_move.measure(options.organisations, options.port + 2, threads=options.move_threads)
    print(json.dumps({k: v for k, v in figures.items() if k != "samples"}), flush=True)
    for sample in figures["samples"]:
        print(f"    failure: {sample}", flush=True)
    if figures["now_on"] != figures["target"]:
        raise RuntimeError(
            f"{figures['schema']} is on {figures['now_on']} after the move, not {figures['target']}"
        )
    setting = (
        f"{figures['schema']} {figures['source']} -> {figures['target']}; {figures['threads']} threads "
        f"on it and on an organisation on {figures['other_organisation_node']}"
    )
    return [
        Row("schema move under load: time (citus_schema_move)", figures["seconds"], "s", "time", setting),
        Row(
            "schema move under load: requests (whole loop)",
            figures["requests"],
            "",
            "info",
            f"{figures['requests_during_move']} during the move",
        ),
        Row(
            "schema move under load: longest request during the move",
            figures["longest_during_move_ms"],
            "ms",
            "time",
            f"longest before and after it: {figures['longest_outside_move_ms']:.0f} ms",
        ),
        Row("schema move under load: errors", figures["errors"], "", "count"),
        Row("schema move under load: wrong bodies", figures["wrong"], "", "count"),
        Row("schema move under load: foreign bodies", figures["foreign"], "", "count"),
    ]


def _load_module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def child(options) -> int:
    rows = globals()[f"part_{options.part}"](options)
    Path(options.output).write_text(json.dumps([asdict(row) for row in rows]))
    return 0


# -- the parent: the cluster, the children, the table ----------------------------------------------
def ensure_cluster(url: str) -> str | None:
    """None when ``url`` is a Citus coordinator with workers (started when needed), else the reason."""
    if on_citus(url):
        return None
    print("==> citus: the cluster does not answer; python3 scripts/citus.py start", flush=True)
    started = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "citus.py"), "start"], cwd=ROOT, check=False
    )
    if started.returncode != 0:
        return f"scripts/citus.py start failed (exit status {started.returncode}; output above)"
    if not on_citus(url):
        return f"{url} is not a Citus coordinator with worker nodes after scripts/citus.py start"
    return None


def run_part(part: str, backend: str, url: str, options) -> list[Row] | str:
    """The part in a child process against ``url``; its rows, or why it failed."""
    env = dict(os.environ, DATABASE_URL=url, CACHE_KEY_PREFIX=f"bench-{backend}")
    env.pop("BENCH_MAIN_DATABASE_URL", None)
    with tempfile.NamedTemporaryFile(prefix=f"bench-citus-{part}-", suffix=".json") as output:
        command = [sys.executable, str(Path(__file__)), "--part", part, "--output", output.name]
        for name, value in vars(options).items():
            if (
                name not in ("part", "output", "quick", "only", "postgres_url", "citus_url")
                and value is not None
            ):
                command += [f"--{name.replace('_', '-')}", str(value)]
        print(f"\n=== {part} on {backend} ({url})", flush=True)
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=ROOT, env=env, check=False)
        print(f"=== {part} on {backend}: {time.perf_counter() - started:.0f} s", flush=True)
        if completed.returncode != 0:
            return f"exit status {completed.returncode}"
        return [Row(**row) for row in json.loads(Path(output.name).read_text())]


def compare(plain: float, citus: float, kind: str) -> str:
    if kind not in ("time", "rate") or not plain or not citus:
        return ""
    factor = citus / plain if kind == "time" else plain / citus  # > 1: Citus worse
    if abs(factor - 1) < 0.05:
        return "same"
    return f"{factor:.1f}x slower" if factor > 1 else f"{1 / factor:.1f}x faster"


def tabulate(outcome: dict[str, dict[str, list[Row] | str]]) -> tuple[str, list[Result]]:
    lines = ["| Part | Measure | PostgreSQL | Citus | Citus vs PostgreSQL |", "|---|---|---|---|---|"]
    results = []
    for part, by_backend in outcome.items():
        plain, citus = by_backend.get("postgres", []), by_backend.get("citus", [])
        failed = [f"{b}: {v}" for b, v in by_backend.items() if isinstance(v, str)]
        if failed:
            lines.append(f"| {part} | failed ({'; '.join(failed)}) | | | |")
        plain_rows = {row.measure: row for row in plain} if isinstance(plain, list) else {}
        citus_rows = citus if isinstance(citus, list) else []
        for row in citus_rows:
            other = plain_rows.get(row.measure)
            shown = "n/a" if part in CITUS_ONLY else (f"{number(other.value)} {row.unit}" if other else "")
            ratio = compare(other.value, row.value, row.kind) if other else ""
            notes = "; ".join(dict.fromkeys(n for n in (row.notes, other.notes if other else "") if n))
            lines.append(f"| {part} | {row.measure} | {shown} | {number(row.value)} {row.unit} | {ratio} |")
            results.append(
                Result(
                    benchmark=f"citus: {part}",
                    measure=row.measure,
                    value=row.value,
                    unit=row.unit,
                    baseline="PostgreSQL" if other else "",
                    baseline_value=other.value if other else None,
                    ratio=_ratio(other.value, row.value, row.kind) if other else None,
                    target="0" if row.kind == "count" else "",
                    met=(row.value == 0 and (other is None or other.value == 0))
                    if row.kind == "count"
                    else None,
                    notes=notes,
                )
            )
    return "\n".join(lines), results


def _ratio(plain: float, citus: float, kind: str) -> float | None:
    """The harness's convention: baseline / value for times, value / baseline for rates."""
    if kind == "time" and citus:
        return plain / citus
    if kind == "rate" and plain:
        return citus / plain
    return None


def parent(options) -> int:
    urls = {"postgres": options.postgres_url, "citus": options.citus_url}
    reason = ensure_cluster(urls["citus"])
    if reason:
        print(f"citus: skipped: {reason}", flush=True)
        return SKIPPED
    parts = [part for part in PARTS if not options.only or part in options.only.split(",")]
    outcome: dict[str, dict[str, list[Row] | str]] = {}
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    load = os.getloadavg()
    for part in parts:
        outcome[part] = {}
        for backend in BACKENDS:
            if backend == "postgres" and part in CITUS_ONLY:
                continue
            outcome[part][backend] = run_part(part, backend, urls[backend], options)
    table, results = tabulate(outcome)
    load_end = os.getloadavg()
    sizes = ", ".join(f"{name} {getattr(options, name)}" for name in FULL)
    header = (
        f"Started {started}, {time.strftime('%H:%M:%S')} at the end; load average (1, 5, 15 min) "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the start, {load_end[0]:.2f} {load_end[1]:.2f} "
        f"{load_end[2]:.2f} at the end; "
        f"{os.cpu_count()} cores; sizes: {sizes}; processes {options.processes}, connections {options.connections}.\n"
        f"PostgreSQL: {urls['postgres']}; Citus: {urls['citus']}."
    )
    notes = sorted({f"- {r.benchmark[len('citus: ') :]}, {r.measure}: {r.notes}" for r in results if r.notes})
    print("\n" + header + "\n\n" + table + "\n\n" + "\n".join(notes))
    for result in results:
        result.extra = {
            "sizes": {name: getattr(options, name) for name in FULL},
            "started": started,
            "load": [load, load_end],
        }
    print(f"\nwritten to {write_results('citus', results)}")
    failed = any(isinstance(v, str) for by_backend in outcome.values() for v in by_backend.values())
    return 1 if failed or any(result.met is False for result in results) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"small sizes: {QUICK}")
    parser.add_argument("--only", default="", help=f"comma-separated parts of {','.join(PARTS)}")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--citus-url", default=CITUS_URL)
    parser.add_argument("--rounds", type=int, help=f"onboarding rounds (full {FULL['rounds']})")
    parser.add_argument("--schemas", type=int, help=f"schemas migrated (full {FULL['schemas']})")
    parser.add_argument("--processes", type=int, default=4, help="parallel migration processes")
    parser.add_argument("--organisations", type=int, help=f"fleet size (full {FULL['organisations']})")
    parser.add_argument("--seconds", type=int, help=f"HTTP load per endpoint (full {FULL['seconds']})")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--port", type=int, default=8395, help="gunicorn port (the move uses port + 2)")
    parser.add_argument(
        "--ingest-days", type=int, help=f"days of readings ingested (full {FULL['ingest_days']})"
    )
    parser.add_argument("--move-threads", type=int, default=4, help="load threads during the move")
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    options = parser.parse_args()
    for name, value in (QUICK if options.quick else FULL).items():
        if getattr(options, name) is None:
            setattr(options, name, value)
    if options.organisations < 2:
        parser.error("--organisations: at least 2 (the move needs one that moves and one that stays)")
    return child(options) if options.part else parent(options)


if __name__ == "__main__":
    sys.exit(main())
