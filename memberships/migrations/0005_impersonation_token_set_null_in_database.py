"""The impersonation's token reference is nulled by PostgreSQL, not by Django's delete collector.

Access tokens are deleted in the public schema too (logging out on the platform domain), where
this table does not exist; a collector-side SET_NULL made every such delete query it (a 500).
"""

from django.db import migrations, models

# Separate statements: Citus forwards a statement on a table that references a reference table to
# the workers as it came, and refuses a multi-statement string ("cannot insert multiple commands
# into a prepared statement").
SET_NULL = [
    """
DO $$
DECLARE name text;
BEGIN
    FOR name IN
        SELECT c.conname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.conrelid = 'memberships_impersonationsession'::regclass
          AND c.contype = 'f' AND a.attname = 'access_token_id'
    LOOP
        EXECUTE format('ALTER TABLE memberships_impersonationsession DROP CONSTRAINT %I', name);
    END LOOP;
END $$
""",
    """
ALTER TABLE memberships_impersonationsession
    ADD CONSTRAINT memberships_impersonationsession_access_token_set_null
    FOREIGN KEY (access_token_id) REFERENCES credentials_accesstoken (id)
    ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED
""",
]

NO_ACTION = [
    "ALTER TABLE memberships_impersonationsession DROP CONSTRAINT memberships_impersonationsession_access_token_set_null",
    "ALTER TABLE memberships_impersonationsession ADD CONSTRAINT memberships_impersonationsession_access_token_set_null "
    "FOREIGN KEY (access_token_id) REFERENCES credentials_accesstoken (id) DEFERRABLE INITIALLY DEFERRED",
]


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0001_initial"),
        ("memberships", "0004_address_in_use_registration_and_request_purge_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="impersonationsession",
            name="access_token",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=models.DO_NOTHING,
                related_name="impersonation",
                to="credentials.accesstoken",
            ),
        ),
        migrations.RunSQL(SET_NULL, NO_ACTION),
    ]
