"""Periodic work for moves, in every organisation: complete what became due, purge abandoned drafts."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import Organisation
from tenants.selectors import rows_over_tenant_schemas

from .approval import record_due_readings
from .move_in import purge_drafts
from .move_out import complete_scheduled

logger = logging.getLogger(__name__)

# Candidates are picked with a margin (one query over all schemas); whether a day has passed is
# then decided in each organisation's own time zone.
DUE_SQL = (
    "SELECT 'out' AS kind, id FROM {schema}.moves_moveoutrequest "
    "WHERE status = 'scheduled' AND move_out_date <= %s "
    "UNION ALL SELECT 'in' AS kind, id FROM {schema}.moves_moveinrequest "
    "WHERE status = 'approved' AND readings_recorded_at IS NULL AND move_in_date <= %s"
)
ABANDONED_SQL = "SELECT id FROM {schema}.moves_moveinrequest WHERE status = 'draft' AND updated_at < %s"


def _by_schema(rows) -> dict[str, list[tuple]]:
    grouped: dict[str, list[tuple]] = defaultdict(list)
    for schema_name, values in rows:
        grouped[schema_name].append(values)
    return grouped


@shared_task(ignore_result=True)
def complete_due_moves() -> int:
    """Scheduled move-outs whose day has passed and approved move-ins whose day has begun: record
    the readings (and close contracts). Each request in its own transaction; one failure is logged
    and does not hold up the others. Sent by beat, it visits many schemas, each by hand."""
    margin = (timezone.now() + timedelta(days=1)).date()
    done = 0
    for schema_name, rows in _by_schema(rows_over_tenant_schemas(DUE_SQL, [margin, margin])).items():
        organisation = Organisation.objects.get(schema_name=schema_name)
        with schema_context(schema_name):
            for kind, request_id in rows:
                try:
                    if kind == "out":
                        done += complete_scheduled(request_id=request_id, organisation=organisation)
                    else:
                        done += record_due_readings(request_id=request_id, organisation=organisation)
                except Exception:
                    logger.exception("could not complete move-%s %s in %s", kind, request_id, schema_name)
    return done


@shared_task(ignore_result=True)
def purge_abandoned_drafts() -> int:
    """Move-in drafts nobody touched for MOVE_IN_DRAFT_RETENTION_DAYS hold personal and bank details
    for no purpose: delete them, their photos and their resume links (by hand in each schema: a
    fan-out from beat over many schemas)."""
    cutoff = timezone.now() - timedelta(days=settings.MOVE_IN_DRAFT_RETENTION_DAYS)
    purged = 0
    for schema_name, rows in _by_schema(rows_over_tenant_schemas(ABANDONED_SQL, [cutoff])).items():
        with schema_context(schema_name):
            purged += purge_drafts(request_ids=[request_id for (request_id,) in rows], cutoff=cutoff)
    return purged
