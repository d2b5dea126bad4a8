"""On a Citus cluster, make ``accounts_user`` a reference table before any organisation schema exists.

Tenant tables (credentials, memberships, activity, moves, support, documents) reference it, and a
distributed schema may only reference its own tables or reference tables: without this the first
tenant migration fails with "referenced table "accounts_user" must be a distributed table or a
reference table". Nothing happens on plain PostgreSQL. ``tenants.cluster.ensure_reference_tables``
does the same for a database that gained Citus after this migration ran.
"""

from django.db import migrations

# Nested and dynamic: pg_dist_partition exists only where Citus is installed.
MAKE_REFERENCE_TABLE = """
DO $$
DECLARE distributed boolean;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_dist_partition '
                'WHERE logicalrelid = ''public.accounts_user''::regclass)' INTO distributed;
        IF NOT distributed THEN
            PERFORM create_reference_table('public.accounts_user');
        END IF;
    END IF;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_platform_password_reset_request")]

    operations = [migrations.RunSQL(MAKE_REFERENCE_TABLE, reverse_sql=migrations.RunSQL.noop)]
