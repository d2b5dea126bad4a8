"""Stored file names lose their schema prefix ("<schema>/moves/x" becomes "moves/x").

The default storage (core.storage.OrganisationFileStorage) puts the schema in front of every name
itself now, so the files stay where they are on disk (MEDIA_ROOT/<schema>/moves/x) and only
the names change. Runs once per schema, in that schema; names without the prefix are left alone.
"""

from django.db import migrations

FIELDS = [("MeterPhoto", "file")]
STRIP = "UPDATE {table} SET {column} = substr({column}, %(start)s) WHERE starts_with({column}, %(prefix)s)"
ADD = "UPDATE {table} SET {column} = %(prefix)s || {column} WHERE {column} <> '' AND NOT starts_with({column}, %(prefix)s)"


def _update(apps, schema_editor, sql: str) -> None:
    prefix = schema_editor.connection.schema_name + "/"
    with schema_editor.connection.cursor() as cursor:
        for model_name, field_name in FIELDS:
            model = apps.get_model("moves", model_name)
            table = schema_editor.quote_name(model._meta.db_table)
            column = schema_editor.quote_name(model._meta.get_field(field_name).column)
            cursor.execute(
                sql.format(table=table, column=column), {"prefix": prefix, "start": len(prefix) + 1}
            )


def strip_schema(apps, schema_editor) -> None:
    _update(apps, schema_editor, STRIP)


def add_schema(apps, schema_editor) -> None:
    _update(apps, schema_editor, ADD)


class Migration(migrations.Migration):
    dependencies = [("moves", "0004_correction_status")]

    operations = [migrations.RunPython(strip_schema, add_schema)]
