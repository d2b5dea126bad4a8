"""Upgrades across many organisations (issue 20, target 4): ``migrate_platform`` over 1,000 schemas.

Run: .venv/bin/python benchmarks/upgrades.py [--schemas 1000] [--processes N] [--profile-schemas 30]
     [--no-upgrade] [--port 8791]

On a database of its own (``<db>_bench_upgrades``, or ``<db>_bench_upgrades<N>`` for another
count), kept and reused by later runs:

1. **No-op**: ``manage.py migrate_platform`` when every schema is current, as the chart's migration
   Job runs it before each deploy (a child process, DEBUG off, no options: verbosity 1), and with
   ``--verbosity 0``. Target ≤ 10 s. Also timed apart: Django's start-up and the steps that do
   not depend on the number of schemas, so that the rest (the tenant pass) is known.
2. **Where an upgrade's time goes**: the per-schema step of the tenant pass (django-tenants'
   ``run_migrations`` inside ``tenants.migration_pass.tenant_pass_shortcuts()``, what each worker
   does per lagging schema) on a few schemas made to lag ``bench_upgrade.0002``, timed after one
   warm-up schema, then under cProfile (own time by area, top 15 by cumulative and by own time),
   written to ``results/upgrades-profile.txt``.
3. **Upgrade**: one new migration in every schema, timed (target ≤ 3 minutes), while the portal
   under gunicorn (production settings, 2 workers x 4 threads) answers residents' overview and
   invoice list and ``/healthz``; every answer is compared with the one given before the upgrade
   (errors and wrong bodies counted; target 0).

The release belongs to a throwaway tenant app (``benchmarks/upgrade_app``: a tiny table whose
migration 0002 adds a nullable column), installed by ``benchmarks/upgrade_settings.py`` only: the
application is unchanged, and gunicorn serves with the platform's own settings, as the old pods do
during a deploy. Before each timed upgrade, 0002 is undone with SQL in every schema (column dropped,
record deleted; not timed) and spares are marked as the previous release's.

The first three organisations are onboarded the normal way, each with a resident (6 invoices);
the others are clones of the template's DDL snapshot (``tenants.snapshot``, about 0.1 s each).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import subprocess
import sys
import threading
import time

import fleet
from harness import ROOT, Result, percentile, print_table, setup_django, write_results

PREFIX = "upg"
RESIDENTS = 3
SETTINGS = "benchmarks.upgrade_settings"
APP, RELEASE, TABLE, COLUMN = "bench_upgrade", "0002_probe_revision", "bench_upgrade_probe", "revision"
NOOP_TARGET_S = 10.0
UPGRADE_TARGET_S = 180.0
RESULTS = ROOT / "benchmarks" / "results"
PAGES = ("/api/portal/overview/", "/api/portal/invoices/")


def _suffix(schemas: int) -> str:
    return "_bench_upgrades" if schemas == 1000 else f"_bench_upgrades{schemas}"


def _setup(schemas: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["SECRET_KEY"] = fleet.SECRET_KEY  # tokens are bound to the key gunicorn runs with
    os.environ["TENANT_SPARE_SCHEMAS"] = "0"  # while building; migrate_platform keeps its default
    setup_django(suffix=_suffix(schemas))


# --- organisations ------------------------------------------------------------------------------


def _slug(index: int) -> str:
    return f"{PREFIX}{index:04d}"


def ensure_organisations(count: int) -> list[dict]:
    """``count`` organisations (those of earlier runs kept); returns the residents' host and token."""
    from tenants.models import Organisation

    existing = set(Organisation.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True))
    residents = [_resident(index, _slug(index) in existing) for index in range(min(RESIDENTS, count))]
    _clone_missing(count, existing)
    return residents


def _resident(index: int, exists: bool) -> dict:
    """Organisation ``index`` onboarded with a resident (or found again), and a new token of theirs."""
    from django_tenants.utils import schema_context

    from credentials.services import issue_access_token
    from memberships.models import PortalAccount
    from operators.onboarding import onboard_organisation
    from tenants.models import Organisation
    from tests.support.billing_data import billing_customer

    slug = _slug(index)
    host = f"{slug}.bench.test"
    if not exists:
        organisation = onboard_organisation(
            name=f"Upgrade benchmark {index}", slug=slug, domain=host, admin_email=f"admin@{host}"
        ).organisation
        data = billing_customer(organisation.schema_name, invoices=6, email=f"resident@{host}")
        return {"host": host, "token": fleet._resident_token(organisation, data)}
    organisation = Organisation.objects.get(slug=slug)
    with schema_context(organisation.schema_name):
        account = PortalAccount.objects.select_related("user").get()
        return {"host": host, "token": issue_access_token(user=account.user).raw}


def _clone_missing(count: int, existing: set[str]) -> None:
    """Organisations ``RESIDENTS``..``count - 1`` that are missing, each a clone of the template."""
    from django.db import transaction

    from tenants import provisioning
    from tenants.models import Domain, Organisation

    missing = [index for index in range(RESIDENTS, count) if _slug(index) not in existing]
    started = time.perf_counter()
    for done, index in enumerate(missing, 1):
        slug = _slug(index)
        with transaction.atomic():
            provisioning.drop_schema(f"org_{slug}")  # left by an interrupted run
            provisioning.create_schema(f"org_{slug}", method=provisioning.CLONE)
            organisation = Organisation.objects.create(schema_name=f"org_{slug}", name=slug, slug=slug)
            Domain.objects.create(domain=f"{slug}.bench.test", tenant=organisation, is_primary=True)
        if done % 100 == 0 or done == len(missing):
            print(
                f"    {done}/{len(missing)} schemas cloned ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )


def organisation_schemas() -> list[str]:
    from tenants.models import Organisation

    return list(Organisation.objects.order_by("slug").values_list("schema_name", flat=True))


# --- migrate_platform in a child process ----------------------------------------------------------


def _platform_environment() -> dict[str, str]:
    """What the migration Job runs with: production settings (DEBUG off), the benchmark's app added."""
    env = dict(os.environ)
    env.pop("TENANT_SPARE_SCHEMAS", None)
    env.update(
        DEBUG="0",
        EMAIL_HOST="smtp.invalid",
        TESTING="0",
        LOG_FORMAT="json",
        DJANGO_SETTINGS_MODULE=SETTINGS,
    )
    return env


def manage(arguments: list[str], log_name: str) -> float:
    """Run ``manage.py <arguments>`` as a child process; its wall-clock seconds."""
    log = RESULTS / f"upgrades-{log_name}.log"
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("w") as handle:
        completed = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=_platform_environment(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            check=False,
        )
    elapsed = time.perf_counter() - started
    if completed.returncode:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{log.read_text()[-4000:]}")
    return elapsed


def migrate_platform(processes: int | None, log_name: str, verbosity: int = 1) -> float:
    """The Job's command (docker/entrypoint.sh ``migrate``: no options, so verbosity 1)."""
    arguments = ["migrate_platform", "--verbosity", str(verbosity)]
    return manage(arguments + (["--processes", str(processes)] if processes else []), log_name)


def lagging() -> list[str]:
    from tenants.management.commands.migrate_platform import lagging_schemas

    return lagging_schemas()


# --- 1. the no-op ---------------------------------------------------------------------------------


def _fixed_steps() -> dict[str, float]:
    """Seconds of migrate_platform's steps that do not depend on the number of schemas (in process)."""
    from django.core.management import call_command

    from tenants import provisioning

    steps = {
        "public schema (migrate_schemas --shared)": lambda: call_command(
            "migrate_schemas", shared=True, interactive=False, verbosity=0
        ),
        "template (refresh_template)": provisioning.refresh_template,
        "spares (drop stale, replenish)": lambda: (
            provisioning.drop_stale_spare_schemas(),
            provisioning.replenish_spare_schemas(target=2),  # TENANT_SPARE_SCHEMAS' default
        ),
        "final check (lagging_schemas, 1 query per 200 schemas)": lagging,
    }
    timings = {}
    for name, step in steps.items():
        started = time.perf_counter()
        step()
        timings[name] = time.perf_counter() - started
    return timings


def measure_noop(schemas: int, processes: int | None) -> dict:
    """The no-op as the Job runs it (verbosity 1) and with ``--verbosity 0``, and its fixed parts."""
    from tenants import provisioning

    late = lagging()
    if late:
        print(f"==> {len(late)} schemas lag (an interrupted run): migrate_platform, not timed", flush=True)
        migrate_platform(processes, "catch-up", verbosity=0)
    provisioning.replenish_spare_schemas(target=2)  # as migrate_platform leaves them: a no-op makes none
    totals = {}
    for verbosity in (1, 0):
        print(f"==> no-op migrate_platform over {schemas} schemas, verbosity {verbosity}", flush=True)
        totals[verbosity] = migrate_platform(processes, f"noop-v{verbosity}", verbosity)
    startup = manage(["migrate_platform", "--help"], "startup")
    fixed = _fixed_steps()
    passes = {v: max(total - startup - sum(fixed.values()), 0.0) for v, total in totals.items()}
    return {
        "seconds": totals[1],
        "seconds_verbosity_0": totals[0],
        "startup_s": startup,
        "fixed_steps_s": fixed,
        "tenant_pass_s": passes[1],
        "tenant_pass_verbosity_0_s": passes[0],
        "per_schema_ms": passes[1] / schemas * 1000,
        "per_schema_verbosity_0_ms": passes[0] / schemas * 1000,
    }


# --- 2. the profile -------------------------------------------------------------------------------


def _migrate_schemas_options(verbosity: int) -> dict:
    """The options migrate_platform's ``migrate_schemas --tenant`` hands to each schema's migrate."""
    from django.core.management import load_command_class

    command = load_command_class("django_tenants", "migrate_schemas")
    options = vars(command.create_parser("manage.py", "migrate_schemas").parse_args([]))
    options.update(
        tenant=True, interactive=False, verbosity=verbosity, skip_checks=True, executor="multiprocessing"
    )
    return options


def _per_schema_step(verbosity: int):
    """django-tenants' work for one schema, as a worker of its multiprocessing executor does it."""
    from django_tenants.migration_executors.base import run_migrations

    options = _migrate_schemas_options(verbosity)

    def one(schema: str) -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            run_migrations((), options, "multiprocessing", schema, allow_atomic=False)

    return one


def _timed_per_schema(schemas: list[str], verbosity: int) -> float:
    """Milliseconds per lagging schema of the per-schema step, one process, no profiler."""
    from tenants.migration_pass import tenant_pass_shortcuts

    downgrade(schemas)
    one = _per_schema_step(verbosity)
    with tenant_pass_shortcuts():
        one(schemas[0])  # imports and the worker's shared project states
        started = time.perf_counter()
        for schema in schemas[1:]:
            one(schema)
    return (time.perf_counter() - started) / len(schemas[1:]) * 1000


def _profile_section(schemas: list[str], verbosity: int) -> str:
    """The per-schema step at ``verbosity`` under cProfile: own time by area, the top functions."""
    import profiling

    from tenants.migration_pass import tenant_pass_shortcuts

    downgrade(schemas)
    one, queue = _per_schema_step(verbosity), iter(schemas[1:])
    with tenant_pass_shortcuts():
        one(schemas[0])
        stats = profiling.profiled(lambda: one(next(queue)), len(schemas[1:]))
    schemas = schemas[1:]
    areas = profiling.by_area(stats)
    total = sum(seconds for _name, seconds in areas) or 1.0
    return "\n".join(
        [
            f"\n=== verbosity {verbosity} under cProfile: own time by area (ms per schema, share)",
            *(
                f"{name:<48} {sec * 1000 / len(schemas):8.2f} ms  {sec / total:6.1%}"
                for name, sec in areas[:10]
            ),
            "\n--- top 25 by cumulative time (the first are the wrappers)",
            profiling._listing(stats, "cumulative", 25),
            "\n--- top 15 by own time",
            profiling._listing(stats, "tottime", 15),
        ]
    )


def profile_upgrade_step(count: int) -> dict:
    """Time, then profile, the per-schema step of an upgrade at verbosity 1 (the Job's) and 0."""
    from django.conf import settings

    schemas = organisation_schemas()[: max(count, 2)]
    settings.DEBUG = False  # as in the Job: no query log
    timed = {verbosity: _timed_per_schema(schemas, verbosity) for verbosity in (1, 0)}
    text = "\n".join(
        [
            f"django-tenants run_migrations() in the tenant pass on {len(schemas) - 1} schemas lagging "
            f"{APP}.{RELEASE}, one process after one warm-up schema, no profiler: "
            f"{timed[1]:.1f} ms per schema at verbosity 1 (the Job's), {timed[0]:.1f} ms at verbosity 0",
            _profile_section(schemas, 1),
            _profile_section(schemas, 0),
        ]
    )
    (RESULTS / "upgrades-profile.txt").write_text(text + "\n")
    print(text, flush=True)
    return {"schemas": len(schemas), "per_schema_ms": timed[1], "per_schema_verbosity_0_ms": timed[0]}


# --- 3. the upgrade under load --------------------------------------------------------------------


def downgrade(schemas: list[str]) -> None:
    """Undo the release everywhere (not timed): column dropped, record deleted, spares made stale."""
    from django.db import connection, transaction

    from tenants.models import SpareSchema

    for start in range(0, len(schemas), 100):
        with transaction.atomic(), connection.cursor() as cursor:
            for schema in schemas[start : start + 100]:
                cursor.execute(f'ALTER TABLE "{schema}".{TABLE} DROP COLUMN IF EXISTS {COLUMN}')
                cursor.execute(
                    f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s', [APP, RELEASE]
                )
    SpareSchema.objects.update(template_version="the previous release")


def schemas_with_release(schemas: list[str]) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = %s AND a.attname = %s AND NOT a.attisdropped AND n.nspname = ANY(%s)",
            [TABLE, COLUMN, schemas],
        )
        return cursor.fetchone()[0]


class _Server(fleet.Server):
    """gunicorn with the platform's own settings on this benchmark's database."""

    def environment(self) -> dict[str, str]:
        return {**super().environment(), "DATABASE_URL": os.environ["DATABASE_URL"]}


class ResidentLoad:
    """Threads asking the portal for residents' pages and /healthz until stopped; every answer is
    compared with the one given before the upgrade."""

    def __init__(self, server: fleet.Server, residents: list[dict], threads: int = 2) -> None:
        self.server = server
        self.targets = [(r["host"], page, r["token"]) for r in residents for page in PAGES]
        self.targets += [(residents[0]["host"], "/healthz", None)]
        self.expected = {}
        for target in self.targets:
            status, body = server.get(*target)
            if status != 200:
                raise RuntimeError(f"{target[:2]} answered {status} before the upgrade: {body[:300]!r}")
            self.expected[target] = body
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.wrong = 0
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._work, daemon=True) for _ in range(threads)]

    def _work(self) -> None:
        while not self.stopping.is_set():
            target = random.choice(self.targets)
            started = time.perf_counter()
            try:
                status, body = self.server.get(*target)
            except OSError as error:
                self.errors.append(f"{target[1]}: {error}")
                continue
            self.latencies.append(time.perf_counter() - started)
            if status != 200:
                self.errors.append(f"{target[1]}: HTTP {status}")
            elif body != self.expected[target] and target[1] != "/healthz":
                self.wrong += 1

    def __enter__(self) -> ResidentLoad:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=40)

    def figures(self) -> dict:
        latencies = self.latencies or [0.0]
        return {
            "requests": len(self.latencies) + len(self.errors),
            "errors": len(self.errors),
            "error_samples": self.errors[:5],
            "wrong_bodies": self.wrong,
            "p50_ms": percentile(latencies, 50) * 1000,
            "p99_ms": percentile(latencies, 99) * 1000,
        }


def measure_upgrade(residents: list[dict], processes: int | None, port: int) -> dict:
    from tenants.provisioning import template_schema_name

    schemas = organisation_schemas()
    print(f"==> undoing {APP}.{RELEASE} in {len(schemas)} schemas and the template (not timed)", flush=True)
    downgrade([*schemas, template_schema_name()])
    if schemas_with_release(schemas):
        raise RuntimeError("the downgrade left the column somewhere")
    server = _Server(port)
    server.start()
    try:
        load = ResidentLoad(server, residents)
        print(f"==> upgrade: migrate_platform applies {APP}.{RELEASE} under resident load", flush=True)
        with load:
            seconds = migrate_platform(processes, "upgrade")
    finally:
        server.stop()
    upgraded = schemas_with_release(schemas)
    late = lagging()
    if upgraded != len(schemas) or late:
        raise RuntimeError(f"{upgraded}/{len(schemas)} schemas upgraded; lagging: {late[:5]}")
    return {"seconds": seconds, "schemas": len(schemas), **load.figures()}


# --- results --------------------------------------------------------------------------------------


def noop_results(schemas: int, noop: dict, profile: dict | None) -> list[Result]:
    fixed = ", ".join(f"{name} {sec:.2f} s" for name, sec in noop["fixed_steps_s"].items())
    step = (
        f"; upgrade's per-schema step alone, one process: {profile['per_schema_ms']:.0f} ms "
        f"(verbosity 0: {profile['per_schema_verbosity_0_ms']:.0f} ms)"
        if profile
        else ""
    )
    common = {"benchmark": "upgrades", "unit": "s", "target": f"≤ {NOOP_TARGET_S:.0f} s"}
    return [
        Result(
            **common,
            measure=f"no-op migrate_platform as the Job runs it (verbosity 1), {schemas} schemas",
            value=noop["seconds"],
            baseline="django-tenants users' report, 900 schemas (not measured here)",
            baseline_value=720.0,
            met=noop["seconds"] <= NOOP_TARGET_S,
            notes=(
                f"Django start-up {noop['startup_s']:.2f} s; {fixed}; tenant pass ≈ "
                f"{noop['tenant_pass_s']:.1f} s = {noop['per_schema_ms']:.0f} ms per schema{step}"
            ),
            extra={"schemas": schemas, **noop, "profile": profile},
        ),
        Result(
            **common,
            measure=f"no-op migrate_platform --verbosity 0, {schemas} schemas",
            value=noop["seconds_verbosity_0"],
            met=noop["seconds_verbosity_0"] <= NOOP_TARGET_S,
            notes=(
                f"tenant pass ≈ {noop['tenant_pass_verbosity_0_s']:.1f} s = "
                f"{noop['per_schema_verbosity_0_ms']:.0f} ms per schema"
            ),
        ),
    ]


def upgrade_results(upgrade: dict, noop_seconds: float | None) -> list[Result]:
    clean = upgrade["errors"] == 0 and upgrade["wrong_bodies"] == 0
    during = f"{upgrade['requests']} requests during it, p50 {upgrade['p50_ms']:.0f} ms, p99 {upgrade['p99_ms']:.0f} ms"
    return [
        Result(
            benchmark="upgrades",
            measure=f"upgrade: one new migration in {upgrade['schemas']} schemas, portal serving",
            value=upgrade["seconds"],
            unit="s",
            baseline="no-op migrate_platform" if noop_seconds is not None else "",
            baseline_value=noop_seconds,
            target=f"≤ {UPGRADE_TARGET_S:.0f} s",
            met=upgrade["seconds"] <= UPGRADE_TARGET_S,
            notes=during,
            extra=upgrade,
        ),
        Result(
            benchmark="upgrades",
            measure="resident requests failed or wrong during the upgrade",
            value=upgrade["errors"] + upgrade["wrong_bodies"],
            unit="errors",
            target="0",
            met=clean,
            notes=f"{during}; errors {upgrade['errors']}, wrong bodies {upgrade['wrong_bodies']}",
        ),
    ]


PARTS = ("noop", "profile", "upgrade")


def profile_result(schemas: int, profile: dict) -> Result:
    return Result(
        benchmark="upgrades",
        measure=f"upgrade: the tenant pass's per-schema step, one process, {schemas} schemas in the database",
        value=profile["per_schema_ms"],
        unit="ms",
        notes=f"verbosity 0: {profile['per_schema_verbosity_0_ms']:.0f} ms; results/upgrades-profile.txt",
        extra=profile,
    )


def run(options: argparse.Namespace) -> list[Result]:
    parts = options.parts.split(",")
    _setup(options.schemas)
    started = time.perf_counter()
    residents = ensure_organisations(options.schemas)
    print(f"==> {options.schemas} organisations ready ({time.perf_counter() - started:.0f} s)", flush=True)
    noop = measure_noop(options.schemas, options.processes) if "noop" in parts else None
    profile = (
        profile_upgrade_step(options.profile_schemas)
        if "profile" in parts and options.profile_schemas
        else None
    )
    results = noop_results(options.schemas, noop, profile) if noop else []
    if profile and not noop:
        results.append(profile_result(options.schemas, profile))
    if "upgrade" in parts and options.upgrade:
        upgrade = measure_upgrade(residents, options.processes, options.port)
        results += upgrade_results(upgrade, noop["seconds"] if noop else None)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--schemas", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=None, help="migrate_platform --processes")
    parser.add_argument("--profile-schemas", type=int, default=30, help="0: no profile")
    parser.add_argument("--no-upgrade", dest="upgrade", action="store_false")
    parser.add_argument("--parts", default=",".join(PARTS), help="some of: " + ",".join(PARTS))
    parser.add_argument("--port", type=int, default=8791)
    options = parser.parse_args()
    results = run(options)
    print_table(results)
    # A run of some parts keeps its own file: run_all.py collects the whole run's (upgrades.json).
    name = "upgrades" if options.parts == ",".join(PARTS) else "upgrades-" + options.parts.replace(",", "-")
    print(f"\nwritten to {write_results(name, results)}")
    return 0 if all(result.met is not False for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
