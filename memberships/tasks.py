"""Workers for account email requests (password reset, resend confirmation)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import Organisation
from tenants.selectors import rows_over_tenant_schemas

SWEEP_GRACE = timedelta(seconds=20)


@shared_task(acks_late=True, ignore_result=True)
def process_account_request(schema_name: str, request_id: int) -> str:
    from .services.passwords import process_account_request as process

    organisation = Organisation.objects.get(schema_name=schema_name)
    with schema_context(schema_name):
        return process(request_id=request_id, organisation=organisation)


@shared_task(ignore_result=True)
def sweep_account_requests(limit: int = 1000) -> int:
    """Process requests whose task never ran (broker outage), in every organisation."""
    cutoff = timezone.now() - SWEEP_GRACE
    rows = rows_over_tenant_schemas(
        "SELECT id FROM {schema}.memberships_accountemailrequest "
        "WHERE processed_at IS NULL AND created_at <= %s ORDER BY created_at LIMIT %s",
        [cutoff, limit],
        limit=limit,
    )
    for schema_name, (request_id,) in rows:
        process_account_request(schema_name, request_id)
    return len(rows)
