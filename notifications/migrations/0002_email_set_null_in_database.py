"""The sent-log's reference to its outbox email is nulled by PostgreSQL, not by Django's collector.

Outbox emails are also deleted in the public schema (the platform's outbox), where this table does
not exist; a collector-side SET_NULL would make every such delete query it.
"""

from django.db import migrations, models

# Separate statements: Citus forwards a statement as it came and refuses a multi-statement string.
SET_NULL = [
    """
DO $$
DECLARE name text;
BEGIN
    FOR name IN
        SELECT c.conname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.conrelid = 'notifications_sentnotification'::regclass
          AND c.contype = 'f' AND a.attname = 'email_id'
    LOOP
        EXECUTE format('ALTER TABLE notifications_sentnotification DROP CONSTRAINT %I', name);
    END LOOP;
END $$
""",
    """
ALTER TABLE notifications_sentnotification
    ADD CONSTRAINT notifications_sentnotification_email_set_null
    FOREIGN KEY (email_id) REFERENCES communications_outboundemail (id)
    ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED
""",
]

NO_ACTION = [
    "ALTER TABLE notifications_sentnotification DROP CONSTRAINT notifications_sentnotification_email_set_null",
    "ALTER TABLE notifications_sentnotification ADD CONSTRAINT notifications_sentnotification_email_set_null "
    "FOREIGN KEY (email_id) REFERENCES communications_outboundemail (id) DEFERRABLE INITIALLY DEFERRED",
]


class Migration(migrations.Migration):
    dependencies = [
        ("communications", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="sentnotification",
            name="email",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.DO_NOTHING,
                related_name="+",
                to="communications.outboundemail",
            ),
        ),
        migrations.RunSQL(SET_NULL, NO_ACTION),
    ]
