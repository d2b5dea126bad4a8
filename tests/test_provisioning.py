"""New organisation schemas: the DDL snapshot of the template, and spare schemas made ahead of time."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from memberships.models import StaffMembership
from operators.onboarding import onboard_organisation
from tenants import provisioning, snapshot
from tenants.models import SpareSchema


@pytest.mark.slow
def test_a_schema_replayed_from_the_snapshot_is_identical_to_the_template_and_to_a_migrated_one(db):
    template = provisioning.template_schema_name()
    assert provisioning.create_schema("org_snapshot_check", method=provisioning.CLONE) == provisioning.CLONE
    assert (
        provisioning.create_schema("org_migrated_check", method=provisioning.MIGRATE) == provisioning.MIGRATE
    )
    expected = snapshot.schema_signature(template)
    assert len(expected["columns"]) > 300  # the comparison covers the real tables, not an empty schema
    assert len(expected["indexes"]) > 100
    for schema in ("org_snapshot_check", "org_migrated_check"):
        found = snapshot.schema_signature(schema)
        for part, rows in expected.items():
            missing, extra = set(rows) - set(found[part]), set(found[part]) - set(rows)
            assert (missing, extra) == (set(), set()), f"{schema} {part}: missing {missing}, extra {extra}"
        assert found == expected


def test_the_snapshot_copies_the_templates_rows_and_sets_the_identity_sequences(db):
    template = provisioning.template_schema_name()
    provisioning.create_schema("org_rows_check", method=provisioning.CLONE)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*), max(id) FROM "{template}".django_migrations')
        count, last = cursor.fetchone()
        cursor.execute('SELECT count(*) FROM "org_rows_check".django_migrations')
        assert cursor.fetchone()[0] == count
        cursor.execute(
            "INSERT INTO \"org_rows_check\".django_migrations (app, name, applied) VALUES ('x', 'y', now()) RETURNING id"
        )
        assert cursor.fetchone()[0] > last
    with schema_context("org_rows_check"):
        assert StaffMembership.objects.count() == 0


def test_onboarding_renames_a_spare_schema_and_stale_spares_are_never_used(db, settings):
    settings.TENANT_SPARE_SCHEMAS = 2
    assert provisioning.replenish_spare_schemas() == 2
    spares = list(SpareSchema.objects.values_list("name", flat=True))
    assert all(schema_exists(name) for name in spares)

    result = onboard_organisation(
        name="Warmte Spare", slug="spare1", domain="portal.spare1.test", admin_email="a@spare1.test"
    )
    assert result.schema_method == provisioning.SPARE
    assert SpareSchema.objects.count() == 1
    assert sum(schema_exists(name) for name in spares) == 1  # one was renamed to the organisation's
    with schema_context(result.organisation.schema_name):
        assert StaffMembership.objects.get().email == "a@spare1.test"

    SpareSchema.objects.update(template_version="before-a-migration")
    assert provisioning.drop_stale_spare_schemas() == 1
    assert not any(schema_exists(name) for name in spares if name != result.organisation.schema_name)
    # With no spare left, onboarding clones.
    second = onboard_organisation(
        name="Warmte Two", slug="spare2", domain="portal.spare2.test", admin_email="a@spare2.test"
    )
    assert second.schema_method == provisioning.CLONE
