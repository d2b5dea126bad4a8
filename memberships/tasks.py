"""Workers for account email requests (password reset, resend confirmation) and impersonations."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from celery import shared_task
from django.db import connection
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Organisation
from tenants.selectors import rows_over_tenant_schemas

from .models import AccountEmailRequest
from .services.impersonation import close_if_expired

SWEEP_GRACE = timedelta(seconds=20)
# Handled requests hold an email address and an IP: kept long enough to look into abuse, no longer.
ACCOUNT_REQUEST_RETENTION = timedelta(days=30)


@shared_task(acks_late=True, ignore_result=True)
def process_account_request(*args) -> str:
    """``(request_id)``, run in the organisation's schema it was sent from (a tenant task, which set
    ``connection.tenant`` too). A message queued by an older release carries ``(schema_name,
    request_id)`` and no schema header: it is processed in the schema it names."""
    from .services.passwords import process_account_request as process  # services dispatch these tasks

    *schema_name, request_id = args
    if schema_name:
        return _process_in(schema_name[0], request_id)
    return process(request_id=request_id, organisation=connection.tenant)


def _process_in(schema_name: str, request_id: int) -> str:
    from .services.passwords import process_account_request as process  # services dispatch these tasks

    organisation = Organisation.objects.get(schema_name=schema_name)
    with schema_context(schema_name):
        return process(request_id=request_id, organisation=organisation)


@shared_task(ignore_result=True)
def sweep_account_requests(limit: int = 1000) -> int:
    """Process requests whose task never ran (broker outage), in every organisation and on the platform.

    Sent by beat, it visits many schemas: each request is processed in its own by hand.
    """
    from .services.platform_reset import sweep_reset_requests  # services dispatch these tasks

    with schema_context(get_public_schema_name()):
        platform = sweep_reset_requests(limit=limit)
    cutoff = timezone.now() - SWEEP_GRACE
    rows = rows_over_tenant_schemas(
        "SELECT id FROM {schema}.memberships_accountemailrequest "
        "WHERE processed_at IS NULL AND created_at <= %s ORDER BY created_at LIMIT %s",
        [cutoff, limit],
        limit=limit,
    )
    for schema_name, (request_id,) in rows:
        _process_in(schema_name, request_id)
    return platform + len(rows)


def _by_schema(rows) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for schema_name, (row_id,) in rows:
        grouped[schema_name].append(row_id)
    return grouped


@shared_task(ignore_result=True)
def purge_account_requests(limit: int = 10000) -> int:
    """Delete handled requests older than the retention period; only schemas that have some are visited
    (by hand: a fan-out from beat over many schemas)."""
    from .services.platform_reset import purge_reset_requests  # services dispatch these tasks

    with schema_context(get_public_schema_name()):
        deleted = purge_reset_requests(limit=limit)

    cutoff = timezone.now() - ACCOUNT_REQUEST_RETENTION
    rows = rows_over_tenant_schemas(
        "SELECT id FROM {schema}.memberships_accountemailrequest "
        "WHERE processed_at IS NOT NULL AND processed_at < %s LIMIT %s",
        [cutoff, limit],
        limit=limit,
    )
    for schema_name, ids in _by_schema(rows).items():
        with schema_context(schema_name):
            deleted += AccountEmailRequest.objects.filter(pk__in=ids).delete()[0]
    return deleted


@shared_task(ignore_result=True)
def close_expired_impersonations(limit: int = 1000) -> int:
    """Close impersonations that ran out without being stopped, and log it, in every organisation
    (by hand: a fan-out from beat over many schemas)."""
    rows = rows_over_tenant_schemas(
        "SELECT id FROM {schema}.memberships_impersonationsession "
        "WHERE ended_at IS NULL AND expires_at <= %s ORDER BY expires_at LIMIT %s",
        [timezone.now(), limit],
        limit=limit,
    )
    closed = 0
    for schema_name, ids in _by_schema(rows).items():
        with schema_context(schema_name):
            closed += sum(close_if_expired(session_id=session_id) for session_id in ids)
    return closed


@shared_task(name="accounts.tasks.process_platform_reset_request", acks_late=True, ignore_result=True)
def process_platform_reset_request(request_id: int) -> str:
    """A reset asked for on the platform domain: one email per organisation the address belongs to.

    Registered under its old name, so requests queued by an older release are still served. Runs in
    public: it is published with that schema (or, queued by an older release, with none)."""
    from .services.platform_reset import process_reset_request  # the service dispatches this task

    return process_reset_request(request_id=request_id)
