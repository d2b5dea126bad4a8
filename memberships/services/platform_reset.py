"""Password resets asked for on the platform domain (the operators' domain).

Organisations' domains store their requests in their own schema (``memberships``); the platform
domain has no organisation tables, so its requests are ``accounts.PasswordResetRequest`` rows in
the public schema. The answer is the same for every address; a worker sends the link, pointing to
the platform domain, to an active platform operator and to nobody else (residents and staff reset
their password on their organisation's portal).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from accounts.models import PasswordResetRequest, User, normalise_email
from activity.services import Origin
from core.publishing import publish
from memberships.services.passwords import send_password_reset

SWEEP_GRACE = timedelta(seconds=20)
RETENTION = timedelta(days=30)  # as the organisations' account requests


def request_platform_reset(*, email: str, language: str, origin: Origin | None = None) -> None:
    """Store the request; a worker decides whether an email goes out."""
    request = PasswordResetRequest.objects.create(
        email=normalise_email(email)[:254], language=language, ip=(origin or Origin()).ip
    )
    transaction.on_commit(lambda: dispatch_reset_request(request_id=request.pk))


def dispatch_reset_request(*, request_id: int) -> bool:
    from memberships.tasks import process_platform_reset_request  # the task calls back into this module

    return publish(process_platform_reset_request, request_id, schema_name=get_public_schema_name())


@transaction.atomic
def process_reset_request(*, request_id: int) -> str:
    """Send the reset link if the address is an active platform operator's; once per request."""

    request = PasswordResetRequest.objects.select_for_update(skip_locked=True).filter(pk=request_id).first()
    if request is None or request.processed_at is not None:
        return "already_processed"
    user = User.objects.filter(email=request.email, is_active=True, is_platform_operator=True).first()
    outcome = "nothing_to_send"
    if user is not None:
        send_password_reset(
            user=user, organisation=None, language=request.language, actor="anonymous", origin=None
        )
        outcome = "sent"
    request.processed_at = timezone.now()
    request.outcome = outcome
    request.save(update_fields=["processed_at", "outcome"])
    return outcome


def sweep_reset_requests(*, limit: int = 1000) -> int:
    """Requests whose task never ran (broker outage)."""
    cutoff = timezone.now() - SWEEP_GRACE
    pending = PasswordResetRequest.objects.filter(processed_at__isnull=True, created_at__lte=cutoff)
    ids = list(pending.order_by("created_at").values_list("pk", flat=True)[:limit])
    for request_id in ids:
        process_reset_request(request_id=request_id)
    return len(ids)


def purge_reset_requests(*, limit: int = 10000) -> int:
    """Handled requests hold an address and an IP: deleted after the retention period."""
    old = PasswordResetRequest.objects.filter(processed_at__lt=timezone.now() - RETENTION)
    ids = list(old.values_list("pk", flat=True)[:limit])
    return PasswordResetRequest.objects.filter(pk__in=ids).delete()[0]
