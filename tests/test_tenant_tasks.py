"""Tasks run in the schema they were sent from (tenant-schemas-celery), on a real worker and broker.

The schema travels in a message header. An email's task is published after commit, which may come
after the ``schema_context`` that queued it: the schema taken when the change was made is sent.
"""

from __future__ import annotations

import uuid

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from communications import services
from communications.models import OutboundEmail
from config.celery import app
from tenants.models import Organisation
from tests.support.common import wait_until

SCHEMA = "org_noord"


def _queue(recipient: str) -> OutboundEmail:
    organisation = Organisation.objects.get(schema_name=SCHEMA)
    with schema_context(SCHEMA):
        return services.queue_email(
            template="staff_invitation",
            to=recipient,
            language="en",
            organisation=organisation,
            context={"accept_url": "http://x/invitation/abc", "role": "Staff", "expires_at": timezone.now()},
        )


def _sent(email: OutboundEmail) -> bool:
    with schema_context(SCHEMA):
        return OutboundEmail.objects.filter(pk=email.pk, sent_at__isnull=False).exists()


def test_a_task_published_after_commit_runs_in_the_schema_of_the_change(committed, celery_worker, smtp):
    recipient = f"after-commit-{uuid.uuid4().hex[:8]}@example.test"
    with transaction.atomic():  # commits (and publishes) after the schema_context has ended
        email = _queue(recipient)
        assert connection.schema_name == "public"
    try:
        [caught] = smtp.wait_for(recipient)
        assert caught.subject
        wait_until(lambda: _sent(email), timeout=10)
    finally:
        with schema_context(SCHEMA):
            OutboundEmail.objects.filter(pk=email.pk).delete()


def test_a_message_queued_by_an_older_release_names_its_schema_and_is_delivered(
    committed, celery_worker, smtp
):
    recipient = f"legacy-{uuid.uuid4().hex[:8]}@example.test"
    with schema_context(SCHEMA):
        # The row as queue_email writes it, without publishing: the old-style message does that.
        email = OutboundEmail.objects.create(
            template="staff_invitation",
            language="en",
            to=recipient,
            from_email="Warmtenet Noord <portal@platform.localhost>",
            subject="Queued before the upgrade",
            body_text="Sent in the schema the message names.",
        )
    try:
        # Sent from public, with the schema as the first argument, as releases before did.
        app.send_task("communications.tasks.deliver_email", args=[SCHEMA, str(email.pk)])
        [caught] = smtp.wait_for(recipient)
        assert caught.subject == "Queued before the upgrade"
        wait_until(lambda: _sent(email), timeout=10)
    finally:
        with schema_context(SCHEMA):
            OutboundEmail.objects.filter(pk=email.pk).delete()
