"""Creating an organisation's schema: clone the migrated template, or run the migrations.

Running every tenant migration for a new organisation takes seconds and grows with the project;
copying a schema that is already migrated takes a fraction of that. The template is only used when
its recorded migrations are exactly the tenant apps' migrations on disk; otherwise the new schema is
migrated from scratch (and ``refresh_tenant_template`` brings the template up to date).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_context, schema_exists

logger = logging.getLogger(__name__)

CLONE = "clone"
MIGRATE = "migrate"


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
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{name}"')
    if _tenant_migrations_applied(name) != set(expected_tenant_migrations()):
        call_command("migrate_schemas", tenant=True, schema_name=name, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()


def create_schema(schema_name: str, verbosity: int = 0, method: str | None = None) -> str:
    """Create ``schema_name`` with every tenant table; returns how (``clone`` or ``migrate``).

    ``method`` forces one way (benchmarks compare them); by default the template is cloned when it
    is current.
    """
    connection.set_schema_to_public()
    if method == CLONE or (method is None and template_is_current()):
        _ensure_clone_function()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT public.clone_schema(%s, %s, 'DATA')", [template_schema_name(), schema_name]
            )
        connection.set_schema_to_public()
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
