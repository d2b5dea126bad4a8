"""The daily notifications, in every organisation."""

from __future__ import annotations

import logging

from celery import shared_task
from django_tenants.utils import schema_context

from tenants.models import Organisation

from .daily import run

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def send_daily_notifications() -> int:
    """Sent by beat; visits each active organisation's schema by hand, one failure not stopping the rest."""
    sent = 0
    organisations = Organisation.objects.filter(status=Organisation.Status.ACTIVE).exclude(
        schema_name="public"
    )
    for organisation in organisations:
        try:
            with schema_context(organisation.schema_name):
                sent += run(organisation=organisation)
        except Exception:
            logger.exception("notifications not sent in %s", organisation.schema_name)
    return sent
