"""Run every benchmark and write one results table (Markdown and JSON).

Run: .venv/bin/python benchmarks/run_all.py [--quick] [--only onboarding,migrations]
     (or `make bench`)

Each benchmark runs in its own process (its own Django set-up and database) and writes
benchmarks/results/<name>.json; this script then collects them into
benchmarks/results/summary.md and summary.json, every figure next to the baseline measured in the
same run. ``--quick`` shortens the long ones (fewer schemas, shorter load) to check that they work;
the published table (docs/performance.md) comes from a full run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from harness import Result, machine, to_markdown

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

# name -> (arguments for a full run, arguments for --quick)
BENCHMARKS: dict[str, tuple[list[str], list[str]]] = {
    "tenant_resolution": ([], ["--requests", "5000"]),
    "onboarding": ([], ["--rounds", "3"]),
    "migrations": ([], ["--schemas", "20"]),
    # 1,000 organisation schemas: a no-op migrate_platform, its profile, an upgrade under load.
    "upgrades": ([], ["--schemas", "100", "--profile-schemas", "10"]),
    "query_counts": ([], []),
    "resident_reads": ([], ["--requests", "30", "--warmup", "5"]),
    "billing_import": ([], ["--invoices", "2000"]),
    "consumption": ([], ["--years", "1", "--rounds", "20"]),
    "http_load": ([], ["--organisations", "10", "--seconds", "5"]),
    "load_test": ([], ["--organisations", "10", "--seconds", "20"]),
    # A web worker (10,000 requests, 100 organisations) and a Celery worker (6 million readings).
    "memory": (
        [],
        [
            *("--organisations", "10", "--requests", "2000", "--warmup", "500"),
            *("--readings", "300000", "--batch", "10000", "--concurrency", "2"),
        ],
    ),
    # PostgreSQL and a Citus cluster side by side; skipped when no cluster can be started.
    "citus": ([], ["--quick"]),
}
SKIPPED = 75  # a benchmark's exit status when it cannot run here (it prints why)


def run_one(name: str, arguments: list[str]) -> tuple[str, float]:
    """Run one benchmark; ("ok" | "failed" | "skipped", seconds)."""
    started = time.perf_counter()
    print(f"\n=== {name} {' '.join(arguments)}", flush=True)
    completed = subprocess.run(
        [sys.executable, str(HERE / f"{name}.py"), *arguments], cwd=HERE.parent, check=False
    )
    status = {0: "ok", SKIPPED: "skipped"}.get(completed.returncode, "failed")
    if status == "skipped":
        print(f"=== {name} skipped (the reason is printed above)", flush=True)
    return status, time.perf_counter() - started


def collect(names: list[str]) -> list[Result]:
    results = []
    for name in names:
        path = RESULTS / f"{name}.json"
        if path.exists():
            results += [Result(**row) for row in json.loads(path.read_text())["results"]]
    return results


def _written_since(name: str, moment: float) -> bool:
    path = RESULTS / f"{name}.json"
    return path.exists() and path.stat().st_mtime >= moment


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter runs, to check that everything works")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    arguments = parser.parse_args()
    names = [name for name in BENCHMARKS if not arguments.only or name in arguments.only.split(",")]
    outcome = {}
    started = time.time()
    for name in names:
        full, quick = BENCHMARKS[name]
        outcome[name] = run_one(name, quick if arguments.quick else full)
    # Only what this run measured: a benchmark that crashed leaves no figures of an earlier run
    # (one that ran but missed a target did write its figures, and exits non-zero).
    results = collect([name for name in names if _written_since(name, started)])
    table = to_markdown(results)
    info = machine()
    header = (
        f"Machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, {info['platform']}; "
        f"{info['date']}.\nCommand: `{' '.join(['benchmarks/run_all.py', *sys.argv[1:]])}`"
        f"{' (quick)' if arguments.quick else ''}.\n"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "summary.md").write_text(header + "\n" + table + "\n")
    (RESULTS / "summary.json").write_text(
        json.dumps(
            {
                "machine": info,
                "quick": arguments.quick,
                "runs": {
                    name: {"ok": status == "ok", "status": status, "seconds": round(seconds, 1)}
                    for name, (status, seconds) in outcome.items()
                },
                "results": [result.__dict__ for result in results],
            },
            indent=2,
            default=str,
        )
    )
    print("\n" + header + "\n" + table)
    failed = [name for name, (status, _seconds) in outcome.items() if status == "failed"]
    skipped = [name for name, (status, _seconds) in outcome.items() if status == "skipped"]
    if skipped:
        print(f"\nskipped: {', '.join(skipped)} (the reason is printed with each)")
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    print(f"\nwritten to {RESULTS / 'summary.md'} and summary.json")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
