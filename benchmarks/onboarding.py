"""Onboarding one organisation: a schema from the migrated template vs. running all migrations.

Run: .venv/bin/python benchmarks/onboarding.py [--rounds 5]
Measures the template's DDL snapshot, django-tenants' clone_schema() and all migrations, and the
whole onboarding with a spare schema ready (the normal case) and without one; target: at least 10x
faster than migrations and under 1 s.
"""

from __future__ import annotations

import argparse
import time
import uuid

from harness import Result, median, print_table, setup_django, write_results


def run(rounds: int = 5) -> list[Result]:
    setup_django()
    from tenants import provisioning

    snapshot_s, function_s, migrate_s = _schema_creation(rounds)
    with_spare = median([_onboard(1) for _ in range(rounds)])
    cloning = median([_onboard(0) for _ in range(rounds)])
    provisioning.replenish_spare_schemas(0)
    provisioning.drop_stale_spare_schemas()
    return _results(snapshot_s, function_s, migrate_s, with_spare, cloning)


def _schema_creation(rounds: int) -> tuple[float, float, float]:
    """Medians of a tenant schema made from the snapshot, by clone_schema() and by all migrations."""
    from django.db import connection

    from tenants import provisioning

    def timed(create) -> float:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        create(name)
        elapsed = time.perf_counter() - started
        provisioning.drop_schema(name)
        return elapsed

    def clone_schema_function(name: str) -> None:
        provisioning._ensure_clone_function()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT public.clone_schema(%s, %s, 'DATA')", [provisioning.template_schema_name(), name]
            )

    def snapshot(name: str) -> None:
        provisioning.create_schema(name, method=provisioning.CLONE)

    def migrate(name: str) -> None:
        provisioning.create_schema(name, method=provisioning.MIGRATE)

    for warm_up in (snapshot, clone_schema_function, migrate):  # loads the migration graph, the snapshot
        timed(warm_up)
    snapshot_s = median([timed(snapshot) for _ in range(rounds)])
    function_s = median([timed(clone_schema_function) for _ in range(rounds)])
    migrate_s = median([timed(migrate) for _ in range(rounds)])
    return snapshot_s, function_s, migrate_s


def _onboard(spares: int) -> float:
    """One whole onboarding, with a spare schema ready or without; the organisation is removed after."""
    from django.conf import settings
    from django.db import connection

    from operators.onboarding import onboard_organisation
    from tenants import provisioning
    from tenants.models import Organisation

    settings.TENANT_SPARE_SCHEMAS = spares
    provisioning.replenish_spare_schemas(spares)  # done ahead of time by a Celery task in production
    slug = f"b{uuid.uuid4().hex[:10]}"
    started = time.perf_counter()
    result = onboard_organisation(
        name=f"Bench {slug}", slug=slug, domain=f"{slug}.bench.test", admin_email=f"admin@{slug}.test"
    )
    elapsed = time.perf_counter() - started
    assert result.schema_method == (provisioning.SPARE if spares else provisioning.CLONE)
    provisioning.drop_schema(result.organisation.schema_name)
    Organisation.objects.filter(pk=result.organisation.pk).delete()
    connection.set_schema_to_public()
    return elapsed


def _results(snapshot_s: float, function_s: float, migrate_s: float, with_spare: float, cloning: float):
    common = {
        "benchmark": "onboarding",
        "unit": "s",
        "baseline": "all migrations",
        "baseline_value": migrate_s,
    }
    return [
        Result(
            measure="tenant schema from the template's DDL snapshot, median",
            value=snapshot_s,
            ratio=migrate_s / snapshot_s,
            target=">= 10x faster",
            met=migrate_s / snapshot_s >= 10,
            **common,
        ),
        Result(
            measure="tenant schema by django-tenants clone_schema(), median",
            value=function_s,
            ratio=migrate_s / function_s,
            notes="the previous method, for comparison",
            **common,
        ),
        Result(
            measure="whole onboarding with a spare schema ready (rename), median",
            value=with_spare,
            ratio=migrate_s / with_spare,
            target=">= 10x faster, < 1 s",
            met=migrate_s / with_spare >= 10 and with_spare < 1,
            **common,
        ),
        Result(
            measure="whole onboarding when no spare is ready (snapshot), median",
            value=cloning,
            ratio=migrate_s / cloning,
            target="< 1 s",
            met=cloning < 1,
            **common,
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    results = run(parser.parse_args().rounds)
    print_table(results)
    print(f"\nwritten to {write_results('onboarding', results)}")
