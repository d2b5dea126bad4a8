"""Workers for residents' data archives."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from tenants.selectors import tenant_schema_names

from . import deletion, services


@shared_task(acks_late=True, ignore_result=True)
def build_data_export(export_id: int) -> str:
    """Run in the schema of the organisation that asked (a tenant task)."""
    return services.build_export(export_id=export_id, organisation=connection.tenant)


@shared_task(ignore_result=True)
def expire_data_exports() -> int:
    """Sent by beat (in public): visits every organisation, each in its own schema by hand."""
    expired = 0
    for schema_name in tenant_schema_names():
        if schema_name == settings.PUBLIC_SCHEMA_NAME:
            continue
        with schema_context(schema_name):
            expired += services.expire_exports()
    return expired


@shared_task(ignore_result=True)
def expire_account_deletions() -> int:
    """Sent by beat (in public): deletion requests whose link ran out, in every organisation."""
    expired = 0
    for schema_name in tenant_schema_names():
        if schema_name == settings.PUBLIC_SCHEMA_NAME:
            continue
        with schema_context(schema_name):
            expired += deletion.expire_deletions()
    return expired
