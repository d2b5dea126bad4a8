"""The transactional outbox: every email is a row written in the same transaction as its event.

A Celery task sends it after the commit; a periodic sweep retries whatever is still unsent, so a
broker or SMTP outage delays an email but never loses it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class OutboundEmail(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    template = models.CharField(max_length=64)
    language = models.CharField(max_length=5)
    to = models.EmailField()
    from_email = models.CharField(max_length=300)
    reply_to = models.EmailField(blank=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Set when the relay refused the message permanently (5xx) or retries ran out.
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(sent_at__isnull=True, gave_up_at__isnull=True),
                name="outbox_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.to}"


class EmailTemplate(models.Model):
    """An organisation's own wording of one email in one language (defaults ship with the code).

    Subject and bodies use Django template syntax with the variables the catalogue lists; the HTML
    body is the content inside the branded frame and is sanitised when saved.
    """

    template = models.CharField(max_length=64)
    language = models.CharField(max_length=5)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "language"], name="one_email_template_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.template} ({self.language})"
