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

    base = main_database_url()
    name = database_name(base)
    return base.rsplit("/", 1)[0] + f"/{name}{suffix}" if not base.endswith(suffix) else base


def main_database_url() -> str:
    """The database DATABASE_URL names, without a benchmark suffix (before ``setup_django``
    repoints DATABASE_URL, or as remembered by it)."""
    return os.environ.get(
        "BENCH_MAIN_DATABASE_URL",
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/energy_portal"),
    )


def on_citus(url: str | None = None) -> bool:
    """Whether the main database is a Citus coordinator (the extension, worker nodes registered),
    as ``scripts/devstack.py`` decides it. A main database that does not exist is plain PostgreSQL."""
    import psycopg
    from devstack import is_citus_coordinator

    try:
        return is_citus_coordinator(url or main_database_url())
    except psycopg.OperationalError:
        return False


def citus_nodes(url: str) -> list[tuple[str, int]]:
    """(host, port) of every primary node of the coordinator ``url``, the coordinator (group 0) first."""
    import psycopg
    from django_dsn import to_conninfo

    with psycopg.connect(to_conninfo(url), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT nodename, nodeport FROM pg_dist_node WHERE noderole = 'primary' ORDER BY groupid"
        ).fetchall()
    return [(host, int(port)) for host, port in rows]


def _node_connection(host: str, port: int, dbname: str = "postgres"):
    import psycopg

    return psycopg.connect(host=host, port=port, user="postgres", dbname=dbname, autocommit=True)


def prepare_citus_database(name: str) -> None:
    """Give database ``name`` what Citus needs before Django migrates it, as ``scripts/citus.py``
    ``prepare_database`` does for the main one: the database and the extension on every node of
    the main database's cluster, the coordinator and the workers registered. Idempotent."""
    nodes = citus_nodes(main_database_url())
    for host, port in nodes:
        with _node_connection(host, port) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
        with _node_connection(host, port, name) as connection:
            connection.execute("CREATE EXTENSION IF NOT EXISTS citus")
    (coordinator_host, coordinator_port), workers = nodes[0], nodes[1:]
    with _node_connection(coordinator_host, coordinator_port, name) as connection:
        connection.execute("SELECT citus_set_coordinator_host(%s, %s)", [coordinator_host, coordinator_port])
        for host, port in workers:
            known = connection.execute(
                "SELECT 1 FROM pg_dist_node WHERE nodename = %s AND nodeport = %s", [host, port]
            ).fetchone()
            if not known:
                connection.execute("SELECT citus_add_node(%s, %s)", [host, port])


def drop_database(url: str) -> None:
    """Drop the database of ``url`` (on every node when the main database is a Citus coordinator)."""
    import psycopg
    from django_dsn import database_name, to_conninfo

    name = database_name(url)
    if on_citus():
        for host, port in citus_nodes(main_database_url()):
            with _node_connection(host, port) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    with psycopg.connect(to_conninfo(url, dbname="postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ensure_bench_database(url: str) -> None:
    """Create the benchmark database of ``url`` if missing; on Citus, on every node with the extension."""
    from devstack import ensure_database
    from django_dsn import database_name

    if on_citus():
        prepare_citus_database(database_name(url))
    else:
        ensure_database(url)


def setup_django(migrate: bool = True, suffix: str = "_bench") -> None:
    """Point Django at a benchmark database (``<db><suffix>``), create and migrate it.

    When the main database is a Citus coordinator the benchmark database is prepared on every node
    first (``prepare_citus_database``) and its organisation schemas are distributed schemas.
    """
    os.environ.setdefault("BENCH_MAIN_DATABASE_URL", main_database_url())
    os.environ["DATABASE_URL"] = bench_database_url(suffix)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CACHE_KEY_PREFIX", "bench")
    os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", "bench")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("REQUEST_LOG_LEVEL", "WARNING")
    ensure_bench_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        from tenants import cluster, provisioning

        cluster.ensure_reference_tables()  # on Citus, as migrate_platform does; nothing on PostgreSQL
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
