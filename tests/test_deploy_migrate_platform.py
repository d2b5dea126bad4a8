"""`manage.py migrate_platform`, what the chart's migration Job runs before every upgrade.

It must bring every organisation's schema up to date in parallel, refresh the template new schemas
are cloned from, replace spare schemas made from the old template, and also migrate an organisation
that the still-running old pods onboarded while it ran. "Behind by one release" is made for real:
the latest migration of one tenant app is unapplied (its DDL reversed) in the schemas concerned.
All data here is committed (the command runs in other processes); each test removes what it made.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_exists

from tenants import provisioning, snapshot
from tenants.management.commands.migrate_platform import lagging_schemas
from tenants.models import Organisation, SpareSchema
from tests.support.live import ROOT, child_environment

pytestmark = pytest.mark.slow

APP = "contracts"  # a tenant app with more than one migration


def latest_step(app: str = APP) -> tuple[tuple[str, str], str]:
    """The app's newest migration on disk and the one before it (what "one release behind" means)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    [leaf] = loader.graph.leaf_nodes(app)
    [parent] = [p for p in loader.graph.node_map[leaf].parents if p.key[0] == app]
    return leaf, parent.key[1]


def put_behind(schema_name: str) -> tuple[str, str]:
    """Unapply the app's latest migration in one schema (as if it had been made by the previous release)."""
    leaf, previous = latest_step()
    call_command(
        "migrate_schemas",
        APP,
        previous,
        tenant=True,
        schema_name=schema_name,
        interactive=False,
        verbosity=0,
    )
    connection.set_schema_to_public()
    assert leaf not in provisioning.applied_migrations(schema_name)
    return leaf


def up_to_date(schema_name: str) -> bool:
    expected = set(provisioning.expected_tenant_migrations())
    return expected <= provisioning.applied_migrations(schema_name)


def onboard(prefix: str) -> Organisation:
    from operators.onboarding import onboard_organisation

    slug = f"{prefix}{uuid.uuid4().hex[:8]}"
    result = onboard_organisation(
        name=f"Warmte {slug}", slug=slug, domain=f"portal.{slug}.test", admin_email=f"a@{slug}.test"
    )
    connection.set_schema_to_public()
    return result.organisation


def remove(organisation: Organisation) -> None:
    provisioning.drop_schema(organisation.schema_name)
    organisation.domains.all().delete()
    organisation.delete()


def drop_all_spares() -> None:
    for spare in SpareSchema.objects.all():
        provisioning.drop_schema(spare.name)
        spare.delete()


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Autocommit on the test database (``django_db_setup``: never the development one)."""
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_")
        connection.set_schema_to_public()
        made: list[Organisation] = []
        yield made
        connection.set_schema_to_public()
        for organisation in made:
            remove(Organisation.objects.get(pk=organisation.pk))
        drop_all_spares()
        provisioning.refresh_template()
        assert lagging_schemas() == []


def _assert_like_the_template(spares: list, template: str) -> None:
    """Each spare exists with the template's columns, constraints, indexes and migrations."""
    expected = snapshot.schema_signature(template)
    for spare in spares:
        assert schema_exists(spare.name)
        found = snapshot.schema_signature(spare.name)
        assert found["columns"] == expected["columns"]
        assert found["constraints"] == expected["constraints"]
        # Index names only: PostgreSQL may print a re-parsed partial-index predicate differently
        # (same meaning), e.g. "= ANY ((ARRAY['a'::varchar])::text[])" as "ARRAY[('a'::varchar)::text]".
        assert [name for name, _definition in found["indexes"]] == [
            name for name, _definition in expected["indexes"]
        ]
        assert set(provisioning.expected_tenant_migrations()) <= provisioning.applied_migrations(spare.name)


def test_migrate_platform_migrates_tenants_in_parallel_refreshes_the_template_and_renews_spares(committed):
    first, second = onboard("mpa"), onboard("mpb")
    committed += [first, second]
    template = provisioning.template_schema_name()
    leaf = put_behind(first.schema_name)
    put_behind(second.schema_name)
    put_behind(template)
    assert not provisioning.template_is_current()
    assert set(lagging_schemas()) >= {first.schema_name, second.schema_name}
    # A spare cloned from the previous template: it must be dropped, never handed out.
    stale = f"spare_stale{uuid.uuid4().hex[:6]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{stale}"')
    SpareSchema.objects.create(name=stale, template_version="the-previous-release")

    result = subprocess.run(
        [sys.executable, "manage.py", "migrate_platform", "--processes", "2"],
        cwd=ROOT,
        env=child_environment(TENANT_SPARE_SCHEMAS="2"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout
    # Tenant schemas went through django-tenants' multiprocessing executor, each applying the step.
    for organisation in (first, second):
        # (Lines of the parallel processes interleave, so "... OK" may land on another line.)
        assert f"multiprocessing:{organisation.schema_name}]   Applying {leaf[0]}.{leaf[1]}..." in output
        assert up_to_date(organisation.schema_name)
    assert "All schemas migrated; tenant template is current." in output
    assert "onboarded during the migration" not in output  # nobody onboarded meanwhile
    assert provisioning.template_is_current()
    assert lagging_schemas() == []
    # Spares: the stale one is gone; two new ones, of this release's template, identical to it.
    assert not schema_exists(stale)
    spares = list(SpareSchema.objects.all())
    assert len(spares) == 2
    assert {spare.template_version for spare in spares} == {provisioning.template_version()}
    _assert_like_the_template(spares, template)
    # The next onboarding takes a spare (a rename), with every migration of this release.
    provisioning.forget_snapshot()
    from django.test.utils import override_settings

    with override_settings(TENANT_SPARE_SCHEMAS=2):
        third = onboard("mpc")
    committed.append(third)
    assert third.schema_name not in {spare.name for spare in SpareSchema.objects.all()}
    assert SpareSchema.objects.count() == 1
    assert up_to_date(third.schema_name)


def test_an_organisation_onboarded_by_old_pods_during_the_migration_is_migrated_too(committed, monkeypatch):
    late: list[Organisation] = []
    refresh = provisioning.refresh_template

    def onboarding_meanwhile(*args, **kwargs):
        # While the Job refreshes the template, an old pod onboards from the old template:
        # the tenant pass has already listed the schemas, so this one is not in it.
        organisation = onboard("mpl")
        late.append(organisation)
        committed.append(organisation)
        put_behind(organisation.schema_name)
        return refresh(*args, **kwargs)

    monkeypatch.setattr(provisioning, "refresh_template", onboarding_meanwhile)
    from io import StringIO

    out = StringIO()
    call_command("migrate_platform", "--sequential", verbosity=0, stdout=out)
    monkeypatch.undo()
    connection.set_schema_to_public()
    [organisation] = late
    assert f"Migrating {organisation.schema_name}, onboarded during the migration." in out.getvalue()
    assert up_to_date(organisation.schema_name)
    assert lagging_schemas() == []


@pytest.fixture
def migrated_schemas():
    """Organisation schemas django-tenants ran ``migrate`` in (its signal; in process with
    ``--sequential``). The public schema is always migrated first, and left out."""
    from django_tenants.signals import schema_pre_migration

    seen: list[str] = []

    def record(sender, schema_name, **kwargs):
        if schema_name != "public":
            seen.append(schema_name)

    schema_pre_migration.connect(record)
    yield seen
    schema_pre_migration.disconnect(record)


def test_a_no_op_runs_migrate_in_no_organisation_schema(committed, migrated_schemas):
    committed.append(onboard("mpn"))
    from io import StringIO

    out = StringIO()
    call_command("migrate_platform", "--sequential", verbosity=1, stdout=out)
    connection.set_schema_to_public()
    assert "0 organisation schemas lack migrations." in out.getvalue()
    assert migrated_schemas == []


def test_only_the_schemas_lagging_one_migration_are_migrated(committed, migrated_schemas):
    first, second, current = onboard("mpx"), onboard("mpy"), onboard("mpz")
    committed += [first, second, current]
    for organisation in (first, second):
        put_behind(organisation.schema_name)
    behind = sorted([first.schema_name, second.schema_name])
    assert lagging_schemas() == behind
    migrated_schemas.clear()  # put_behind migrated them backwards

    # One process: the second schema reuses the project states the first one rendered.
    call_command("migrate_platform", "--sequential", verbosity=0)
    connection.set_schema_to_public()
    assert migrated_schemas == behind
    assert lagging_schemas() == []
    expected = snapshot.schema_signature(current.schema_name)
    for schema_name in behind:
        assert up_to_date(schema_name)
        found = snapshot.schema_signature(schema_name)
        assert (found["columns"], found["constraints"]) == (expected["columns"], expected["constraints"])


def test_has_table_in_the_tenant_pass_answers_as_django_does(committed):
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.recorder import MigrationRecorder

    from tenants.migration_pass import tenant_pass_shortcuts

    organisation = onboard("mpt")
    committed.append(organisation)
    empty = f"mp_empty_{uuid.uuid4().hex[:6]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{empty}"')
    try:
        answers = {}
        for lookup in (contextlib.nullcontext, tenant_pass_shortcuts):
            with lookup():
                for schema in ("public", organisation.schema_name, empty):
                    # As django-tenants' run_migrations does: public on the search path too, so
                    # public.django_migrations must not count for a schema without its own.
                    connection.set_schema(schema)
                    answers[lookup.__name__, schema] = MigrationRecorder(connection).has_table()
                    connection.set_schema_to_public()
        assert answers == {
            (lookup.__name__, schema): schema != empty
            for lookup in (contextlib.nullcontext, tenant_pass_shortcuts)
            for schema in ("public", organisation.schema_name, empty)
        }
        # Put back after the block.
        assert MigrationRecorder.has_table.__name__ == "has_table"
        assert MigrationExecutor.migrate.__name__ == "migrate"
        assert MigrationExecutor._create_project_state.__name__ == "_create_project_state"
    finally:
        provisioning.drop_schema(empty)
