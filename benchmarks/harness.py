"""Shared set-up for benchmark scripts: a database of their own, results as rows with ratios.

Every benchmark runs against ``<database>_bench`` (created and migrated here), never against the
development database, and reports each figure next to a baseline measured in the same run.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


@dataclass
class Result:
    benchmark: str
    measure: str
    value: float
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    ratio: float | None = None  # baseline / value for times, value / baseline for rates
    target: str = ""
    met: bool | None = None
    notes: str = ""
    extra: dict = field(default_factory=dict)


def bench_database_url(suffix: str = "_bench") -> str:
    from django_dsn import database_name

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/energy_portal")
    name = database_name(base)
    return base.rsplit("/", 1)[0] + f"/{name}{suffix}" if not base.endswith(suffix) else base


def setup_django(migrate: bool = True, suffix: str = "_bench") -> None:
    """Point Django at a benchmark database (``<db><suffix>``), create and migrate it."""
    os.environ["DATABASE_URL"] = bench_database_url(suffix)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CACHE_KEY_PREFIX", "bench")
    os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", "bench")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("REQUEST_LOG_LEVEL", "WARNING")
    from devstack import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        from tenants import provisioning

        provisioning.refresh_template()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        postgres = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        postgres = ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgres_client": postgres,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def print_table(results: list[Result]) -> None:
    print(to_markdown(results))


def number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def to_markdown(results: list[Result]) -> str:
    lines = [
        "| Benchmark | Measure | Value | Baseline | Ratio | Target | Met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        baseline = (
            f"{r.baseline}: {number(r.baseline_value)} {r.unit}"
            if r.baseline_value is not None
            else r.baseline
        )
        ratio = (f"{r.ratio:.1f}x" if r.ratio >= 1 else f"{r.ratio:.2g}x") if r.ratio is not None else ""
        met = "" if r.met is None else ("yes" if r.met else "no")
        lines.append(
            f"| {r.benchmark} | {r.measure} | {number(r.value)} {r.unit} | {baseline} | {ratio} | {r.target} | {met} |"
        )
    return "\n".join(lines)


def write_results(name: str, results: list[Result]) -> Path:
    directory = ROOT / "benchmarks" / "results"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(
        json.dumps({"machine": machine(), "results": [asdict(r) for r in results]}, indent=2, default=str)
    )
    return path
