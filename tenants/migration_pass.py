"""The tenant pass of ``migrate_platform``: migrate only the organisation schemas that lag.

With 1,000 organisations a release used to run Django's ``migrate`` in every schema, even when
there was nothing to apply, and two costs grew with the number of schemas (docs/performance.md,
issue 20): about 0.2 s of Python per schema (migration loader, project state, the autodetector,
post_migrate), and Django's ``MigrationRecorder.has_table()``, which lists every table visible to
the connection to find ``django_migrations``: a scan of ``pg_class`` (350,000 rows at 1,000
schemas, about 150 ms), four times per schema. So a pass over N schemas cost O(N²).

Here one set-based query finds the schemas that lack a tenant migration on disk, only those are
handed to django-tenants' executor, and while it runs (``tenant_pass_shortcuts()``):

- ``has_table()`` asks PostgreSQL about the one table it wants (``to_regclass``), which costs the
  same at any number of schemas;
- the project state before the migrations and the one after them (every model, rendered: each
  about 40% of a schema's ``migrate``) are built once per worker process for each set of applied
  migrations (and plan), and each schema gets a clone, as Django's ``migrate`` clones the first
  for its executor.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.core.management import load_command_class
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState
from django_tenants.migration_executors import get_executor
from django_tenants.utils import quote_schema_name

from . import provisioning
from .selectors import rows_over_tenant_schemas


def lagging_schemas() -> list[str]:
    """Organisation schemas that lack any tenant migration on disk.

    The running (old) pods keep onboarding while the migration Job runs: a schema they create
    after the tenant pass started, from the old template or an old spare, misses this release's
    migrations. One ``UNION ALL`` query per 200 schemas.
    """
    expected = sorted(f"{app}.{name}" for app, name in provisioning.expected_tenant_migrations())
    rows = rows_over_tenant_schemas(
        "SELECT count(*) FROM {schema}.django_migrations WHERE app || '.' || name = ANY(%s)", [expected]
    )
    return sorted(schema for schema, (applied,) in rows if applied < len(expected))


def _schema_has_migration_table(recorder: MigrationRecorder) -> bool:
    """``MigrationRecorder.has_table()`` for a schema-bound connection, in one catalogue lookup.

    django-tenants' introspection lists the tables of ``connection.schema_name`` only (its search
    path set to that schema alone), so this asks for that schema's ``django_migrations``, never
    the public one. Connections without a schema keep Django's check.
    """
    if recorder._has_table:
        return True
    schema = getattr(recorder.connection, "schema_name", None)
    if not schema:
        return _django_has_table(recorder)
    table = f"{quote_schema_name(schema)}.{recorder.Migration._meta.db_table}"
    with recorder.connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        recorder._has_table = cursor.fetchone()[0]
    return recorder._has_table


_django_has_table = MigrationRecorder.has_table
_django_project_state = MigrationExecutor._create_project_state
_django_migrate = MigrationExecutor.migrate
_project_states: dict[tuple, ProjectState] = {}


def _applied_key(executor: MigrationExecutor) -> tuple:
    loader = executor.loader
    return (
        executor.connection.alias,
        frozenset(loader.applied_migrations),
        frozenset(loader.unmigrated_apps),
    )


def _shared_project_state(executor: MigrationExecutor, with_applied_migrations: bool = False) -> ProjectState:
    """``MigrationExecutor._create_project_state()``, rendered once per set of applied migrations.

    Schemas of one release have the same applied migrations, hence the same state: the first
    builds and renders it, every caller gets a clone (its model classes shared, which Django's
    ``StateApps.clone()`` already does: historical models never change once rendered).
    """
    if not with_applied_migrations:
        return _django_project_state(executor, with_applied_migrations)
    key = ("before", *_applied_key(executor))
    if key not in _project_states:
        state = _django_project_state(executor, with_applied_migrations=True)
        state.apps  # noqa: B018 - render now, once
        _project_states[key] = state
    return _project_states[key].clone()


def _migrate_sharing_the_result(executor: MigrationExecutor, targets, plan=None, state=None, **options):
    """``MigrationExecutor.migrate()``, its resulting state rendered once per applied set and plan.

    Django's ``migrate`` command renders the state it gets back again (every model, for the
    post_migrate signal); a schema that started from the same migrations and ran the same plan
    ends in the same state, so it gets a clone of the first one's, already rendered.
    """
    plan = executor.migration_plan(targets) if plan is None else plan
    key = ("after", *_applied_key(executor), tuple((m.app_label, m.name, back) for m, back in plan))
    key += tuple(sorted(options.items()))
    state = _django_migrate(executor, targets, plan=plan, state=state, **options)
    if key not in _project_states:
        state.clear_delayed_apps_cache()
        state.apps  # noqa: B018 - render now, once
        state.is_delayed = False  # rendered with every relation: Django's clear_delayed_apps_cache() keeps it
        _project_states[key] = state
    return _project_states[key].clone()


@contextlib.contextmanager
def tenant_pass_shortcuts() -> Iterator[None]:
    """Within this block (and the processes forked in it): ``has_table()`` is one lookup, and
    the project states before and after the migrations are built once per set of applied
    migrations.

    Django builds its ``MigrationRecorder`` and ``MigrationExecutor`` inside its ``migrate``
    command, with no setting to substitute either class, so three methods are replaced for the
    duration of ``migrate_platform``'s passes and put back afterwards (the cache is emptied);
    tests/test_deploy_migrate_platform.py checks ``has_table()`` against Django's own answers and
    migrates several schemas in one process.
    """
    MigrationRecorder.has_table = _schema_has_migration_table
    MigrationExecutor._create_project_state = _shared_project_state
    MigrationExecutor.migrate = _migrate_sharing_the_result
    try:
        yield
    finally:
        MigrationRecorder.has_table = _django_has_table
        MigrationExecutor._create_project_state = _django_project_state
        MigrationExecutor.migrate = _django_migrate
        _project_states.clear()


def _migrate_options(verbosity: int, codename: str) -> dict:
    """The options ``migrate_schemas --tenant`` hands to each schema's ``migrate``."""
    command = load_command_class("django_tenants", "migrate_schemas")
    options = vars(command.create_parser("manage.py", "migrate_schemas").parse_args([]))
    options.update(tenant=True, interactive=False, verbosity=verbosity, skip_checks=True, executor=codename)
    return options


def migrate_schemas(schema_names: list[str], *, verbosity: int, parallel: bool = True) -> None:
    """Run the tenant apps' migrations in ``schema_names`` with django-tenants' executor.

    Several schemas go to the multiprocessing executor (``TENANT_MULTIPROCESSING_MAX_PROCESSES``
    forked workers), a single one or ``parallel=False`` to the standard one.
    """
    if not schema_names:
        return
    codename = "multiprocessing" if parallel and len(schema_names) > 1 else "standard"
    executor = get_executor(codename)((), _migrate_options(verbosity, codename))
    with tenant_pass_shortcuts():
        executor.run_migrations(tenants=list(schema_names))
    connection.set_schema_to_public()
