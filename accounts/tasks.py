"""Workers for the platform domain's password reset requests."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import get_public_schema_name, schema_context


@shared_task(acks_late=True, ignore_result=True)
def process_platform_reset_request(request_id: int) -> str:
    from .password_reset import process_reset_request

    with schema_context(get_public_schema_name()):
        return process_reset_request(request_id=request_id)
