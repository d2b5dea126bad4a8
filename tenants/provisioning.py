"""Creating an organisation's schema: clone the migrated template, or run the migrations.

Running every tenant migration for a new organisation takes seconds and grows with the project;
copying a schema that is already migrated takes a fraction of that. The template is only used when
its recorded migrations are exactly the tenant apps' migrations on disk; otherwise the new schema is
migrated from scratch (and ``refresh_tenant_template`` brings the template up to date).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_context, schema_exists

from . import cluster, snapshot
from .models import SpareSchema
from .snapshot import Snapshot

logger = logging.getLogger(__name__)

SPARE = "spare"
CLONE = "clone"
MIGRATE = "migrate"
SPARE_PREFIX = "spare_"


def template_schema_name() -> str:
    return settings.TENANT_TEMPLATE_SCHEMA


@lru_cache(maxsize=1)
def _tenant_app_labels() -> frozenset[str]:
    names = set(settings.TENANT_APPS)
    return frozenset(config.label for config in apps.get_app_configs() if config.name in names)


@lru_cache(maxsize=1)
def expected_tenant_migrations() -> frozenset[tuple[str, str]]:
    """Every migration of the tenant apps, as found on disk (computed once per process)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    labels = _tenant_app_labels()
    return frozenset(key for key in loader.disk_migrations if key[0] in labels)


def applied_migrations(schema_name: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables "
            "WHERE table_schema = %s AND table_name = 'django_migrations')",
            [schema_name],
        )
        if not cursor.fetchone()[0]:
            return set()
        cursor.execute(f'SELECT app, name FROM "{schema_name}".django_migrations')  # noqa: S608
        return {(app, name) for app, name in cursor.fetchall()}


def _tenant_migrations_applied(schema_name: str) -> set[tuple[str, str]]:
    # Django records every app's migrations in each schema; only the tenant apps' ones matter here.
    labels = _tenant_app_labels()
    return {key for key in applied_migrations(schema_name) if key[0] in labels}


def template_is_current() -> bool:
    name = template_schema_name()
    if not schema_exists(name):
        return False
    return _tenant_migrations_applied(name) == set(expected_tenant_migrations())


def schema_is_current(schema_name: str) -> bool:
    """The schema exists and carries every tenant migration on disk (an onboarding's schema is usable)."""
    if not schema_exists(schema_name):
        return False
    return _tenant_migrations_applied(schema_name) >= set(expected_tenant_migrations())


_clone_function_checked = False


def _ensure_clone_function() -> None:
    """Install django-tenants' clone_schema() SQL function once, not on every onboarding."""
    global _clone_function_checked
    if _clone_function_checked:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND p.proname = 'clone_schema'"
        )
        if cursor.fetchone() is None:
            CloneSchema()._create_clone_schema_function()
    _clone_function_checked = True


def refresh_template(verbosity: int = 0) -> None:
    """Create the template schema if needed and apply any missing tenant migrations to it.

    Also (re)installs the clone function, so an upgraded django-tenants brings its new version.
    """
    global _clone_function_checked
    CloneSchema()._create_clone_schema_function()
    _clone_function_checked = True
    name = template_schema_name()
    if not schema_exists(name):
        with cluster.regular_schemas(), connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{name}"')
    elif cluster.is_distributed(name):
        # Made by an older release while schema-based sharding was on: bring it back to the coordinator.
        with connection.cursor() as cursor:
            cursor.execute("SELECT citus_schema_undistribute(%s::regnamespace)", [name])
    if _tenant_migrations_applied(name) != set(expected_tenant_migrations()):
        call_command("migrate_schemas", tenant=True, schema_name=name, interactive=False, verbosity=verbosity)
    forget_snapshot()
    connection.set_schema_to_public()


def template_version() -> str:
    """Names the template's state: the tenant migrations it carries (the same on every process)."""
    digest = hashlib.sha256()
    for app, name in sorted(expected_tenant_migrations()):
        digest.update(f"{app}.{name};".encode())
    return digest.hexdigest()


_snapshot: Snapshot | None = None


def _clone(schema_name: str) -> None:
    """Replay the template's DDL snapshot; django-tenants' clone_schema() if the template holds more."""
    global _snapshot
    try:
        if _snapshot is None:
            _snapshot = snapshot.take(template_schema_name())
        snapshot.replay(_snapshot, schema_name)
    except ValueError:
        _ensure_clone_function()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT public.clone_schema(%s, %s, 'DATA')", [template_schema_name(), schema_name]
            )
    connection.set_schema_to_public()


def forget_snapshot() -> None:
    global _snapshot
    _snapshot = None


def create_schema(schema_name: str, verbosity: int = 0, method: str | None = None) -> str:
    """Create ``schema_name`` with every tenant table; returns how (``spare``, ``clone`` or ``migrate``).

    ``method`` forces one way (benchmarks compare them). By default a spare schema made ahead of
    time is renamed; else the template is cloned when it is current; else migrations run.
    """
    connection.set_schema_to_public()
    current = method is None and template_is_current()
    if current and claim_spare_schema(schema_name):
        return SPARE
    if method == CLONE or current:
        _clone(schema_name)
        return CLONE
    if method is None:
        logger.warning(
            "Tenant template schema %s is missing or stale; migrating %s from scratch. "
            "Run `manage.py refresh_tenant_template` to speed up onboarding again.",
            template_schema_name(),
            schema_name,
        )
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name}"')
    call_command(
        "migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=verbosity
    )
    connection.set_schema_to_public()
    return MIGRATE


def drop_schema(schema_name: str) -> None:
    if schema_name in (settings.PUBLIC_SCHEMA_NAME, template_schema_name()):
        raise ValueError("Refusing to drop a shared schema.")
    with schema_context(settings.PUBLIC_SCHEMA_NAME), connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


# --- spare schemas ------------------------------------------------------------------------------
# Cloning costs a tenth of a second of DDL; a few schemas cloned ahead of time (by a Celery task
# after each onboarding, and by migrate_platform) make onboarding a rename.


def claim_spare_schema(schema_name: str) -> bool:
    """Rename a current spare schema to ``schema_name`` inside the caller's transaction."""

    spare = (
        SpareSchema.objects.select_for_update(skip_locked=True)
        .filter(template_version=template_version())
        .first()
    )
    if spare is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER SCHEMA "{spare.name}" RENAME TO "{schema_name}"')
    spare.delete()
    connection.set_schema_to_public()
    return True


def drop_stale_spare_schemas() -> int:
    """Spares cloned from an older template (before a migration) are dropped, never handed out."""

    stale = list(SpareSchema.objects.exclude(template_version=template_version()))
    for spare in stale:
        drop_schema(spare.name)
        spare.delete()
    return len(stale)


def replenish_spare_schemas(target: int | None = None) -> int:
    """Clone spares until ``target`` (``TENANT_SPARE_SCHEMAS``) current ones exist; returns how many were made."""
    from django.db import transaction

    target = settings.TENANT_SPARE_SCHEMAS if target is None else target
    drop_stale_spare_schemas()
    if not template_is_current():
        return 0
    made = 0
    version = template_version()
    while SpareSchema.objects.filter(template_version=version).count() < target:
        name = f"{SPARE_PREFIX}{secrets.token_hex(6)}"
        with transaction.atomic():
            _clone(name)
            SpareSchema.objects.create(name=name, template_version=version)
        made += 1
        if not connection.in_atomic_block:
            # On Citus the organisation that claims this spare stays on the spare's node: place
            # it now, while it is empty (a move outside any transaction, Citus commits in steps).
            cluster.place_on_least_loaded_node(name)
    return made
