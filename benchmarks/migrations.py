"""Migrating 200 organisation schemas: one after another against in parallel.

Run: .venv/bin/python benchmarks/migrations.py [--schemas 200] [--processes 4]

A release is simulated by the newest migration of a few tenant apps (leaves of the migration
graph): before each timed run they are unapplied in every schema (not timed), then
``migrate_schemas --tenant`` applies them with django-tenants' standard executor (sequential) and
with its multiprocessing executor, which ``migrate_platform`` uses. Uses its own database
(``<db>_bench_migrations``) so that exactly these schemas are migrated.
"""

from __future__ import annotations

import argparse
import time

from harness import Result, print_table, setup_django, write_results

PREFIX = "migbench"


def _ensure_schemas(count: int) -> None:
    """Exactly ``count`` benchmark organisations: missing ones made, those of a larger earlier run dropped."""
    from tenants import provisioning
    from tenants.models import Domain, Organisation

    wanted = {f"{PREFIX}{n:03d}" for n in range(count)}
    for organisation in Organisation.objects.filter(slug__startswith=PREFIX).exclude(slug__in=wanted):
        provisioning.drop_schema(organisation.schema_name)
        Domain.objects.filter(tenant=organisation).delete()
        organisation.delete()
    existing = set(Organisation.objects.values_list("slug", flat=True))
    for n in range(count):
        slug = f"{PREFIX}{n:03d}"
        if slug in existing:
            continue
        organisation = Organisation.objects.create(schema_name=f"org_{slug}", name=slug, slug=slug)
        provisioning.create_schema(organisation.schema_name, method=provisioning.CLONE)
        Domain.objects.create(domain=f"{slug}.bench.test", tenant=organisation, is_primary=True)


def _release() -> list[tuple[str, str, str]]:
    """(app, newest migration, its predecessor) for up to three tenant apps whose newest migration is a leaf."""
    from django.db.migrations.loader import MigrationLoader

    from tenants.provisioning import _tenant_app_labels

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    chosen = []
    for app, name in sorted(graph.leaf_nodes()):
        if app not in _tenant_app_labels():
            continue
        parents = [key for key in graph.node_map[(app, name)].parents if key[0] == app]
        dependants = graph.node_map[(app, name)].children
        if parents and not dependants:
            chosen.append((app, name, parents[0][1]))
    return chosen[:3]


def _migrate(*, executor: str, processes: int, targets: list[tuple[str, str]] | None = None) -> float:
    from django.conf import settings
    from django.core.management import call_command

    settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = processes
    started = time.perf_counter()
    if targets is None:
        call_command("migrate_schemas", tenant=True, executor=executor, interactive=False, verbosity=0)
    else:
        for app, name in targets:
            call_command(
                "migrate_schemas", app, name, tenant=True, executor=executor, interactive=False, verbosity=0
            )
    return time.perf_counter() - started


def run(schemas: int = 200, processes: int = 4) -> list[Result]:
    setup_django(suffix="_bench_migrations")
    from django.db import connection

    _ensure_schemas(schemas)
    release = _release()
    assert release, "no leaf migration to re-apply"
    backwards = [(app, previous) for app, _name, previous in release]
    timings = {}
    for executor in ("standard", "multiprocessing"):
        _migrate(executor="multiprocessing", processes=processes, targets=backwards)  # set-up, not timed
        connection.close()  # forked processes must not share this connection
        timings[executor] = _migrate(executor=executor, processes=processes)
        connection.close()
    sequential, parallel = timings["standard"], timings["multiprocessing"]
    names = ", ".join(f"{app}.{name}" for app, name, _previous in release)
    return [
        Result(
            benchmark="migrations",
            measure=f"migrate {schemas} tenant schemas in parallel ({processes} processes)",
            value=parallel,
            unit="s",
            baseline="one after another",
            baseline_value=sequential,
            ratio=sequential / parallel,
            target="faster than sequential",
            met=parallel < sequential,
            notes=f"release: {names}",
            extra={
                "schemas": schemas,
                "processes": processes,
                "per_schema_sequential_s": sequential / schemas,
            },
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--schemas", type=int, default=200)
    parser.add_argument("--processes", type=int, default=4)
    arguments = parser.parse_args()
    results = run(arguments.schemas, arguments.processes)
    print_table(results)
    print(f"\nwritten to {write_results('migrations', results)}")
