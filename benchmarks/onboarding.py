"""Onboarding one organisation: schema cloned from the migrated template vs. running all migrations.

Run: .venv/bin/python benchmarks/onboarding.py [--rounds 5]
Prints seconds per tenant for both ways and the ratio; target: cloning at least 10x faster and
under 1 s for the whole onboarding.
"""

from __future__ import annotations

import argparse
import time
import uuid

from harness import Result, median, print_table, setup_django, write_results


def run(rounds: int = 5) -> list[Result]:
    setup_django()
    from django.db import connection

    from tenants import provisioning
    from tenants.models import Organisation
    from tenants.services import onboard_organisation

    def timed_schema(method: str) -> float:
        name = f"bench_{method}_{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        provisioning.create_schema(name, method=method)
        elapsed = time.perf_counter() - started
        provisioning.drop_schema(name)
        return elapsed

    timed_schema(provisioning.CLONE)  # warm-up: installs the clone function, loads the migration graph
    timed_schema(provisioning.MIGRATE)
    clone = [timed_schema(provisioning.CLONE) for _ in range(rounds)]
    migrate = [timed_schema(provisioning.MIGRATE) for _ in range(rounds)]

    full = []
    for _ in range(rounds):
        slug = f"b{uuid.uuid4().hex[:10]}"
        started = time.perf_counter()
        result = onboard_organisation(
            name=f"Bench {slug}", slug=slug, domain=f"{slug}.bench.test", admin_email=f"admin@{slug}.test"
        )
        full.append(time.perf_counter() - started)
        assert result.schema_method == provisioning.CLONE
        provisioning.drop_schema(result.organisation.schema_name)
        Organisation.objects.filter(pk=result.organisation.pk).delete()
    connection.set_schema_to_public()

    clone_s, migrate_s, full_s = median(clone), median(migrate), median(full)
    return [
        Result(
            benchmark="onboarding",
            measure="create tenant schema (clone from template), median",
            value=clone_s,
            unit="s",
            baseline="all migrations",
            baseline_value=migrate_s,
            ratio=migrate_s / clone_s,
            target=">= 10x faster",
            met=migrate_s / clone_s >= 10,
        ),
        Result(
            benchmark="onboarding",
            measure="whole onboarding (schema, domain, admin invitation), median",
            value=full_s,
            unit="s",
            baseline="all migrations (schema only)",
            baseline_value=migrate_s,
            ratio=migrate_s / full_s,
            target="< 1 s",
            met=full_s < 1,
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    results = run(parser.parse_args().rounds)
    print_table(results)
    print(f"\nwritten to {write_results('onboarding', results)}")
