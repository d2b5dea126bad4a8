"""Queueing and delivering outbox emails."""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import timedelta
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone

from core.publishing import publish

from .branding import email_branding
from .catalogue import UPDATE_TEMPLATES
from .models import EmailTemplate, OutboundEmail
from .rendering import render_email

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 30


def queue_email(
    *,
    template: str,
    to: str,
    language: str,
    context: dict | None = None,
    organisation=None,
    reply_to: str = "",
) -> OutboundEmail:
    """Render and store an email in the current schema's outbox; it is sent after commit."""
    branding = email_branding(organisation)
    full_context = {**branding, **(context or {})}
    override = EmailTemplate.objects.filter(template=template, language=language).first()
    rendered = render_email(
        template=template,
        language=language,
        context=full_context,
        time_zone=organisation.time_zone if organisation is not None else "UTC",
        override=override,
    )
    sender_name = branding.get("organisation_name") or "Customer portal"
    email = OutboundEmail.objects.create(
        template=template,
        language=language,
        to=to,
        from_email=formataddr((str(sender_name), settings.DEFAULT_FROM_EMAIL)),
        reply_to=reply_to or branding.get("support_email") or "",
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
    )
    schema_name = connection.schema_name
    transaction.on_commit(lambda: dispatch(schema_name=schema_name, email_id=str(email.pk)))
    return email


def dispatch(*, schema_name: str, email_id: str) -> bool:
    """Hand an email to a worker; with the broker down the periodic sweep sends it later."""
    from .tasks import deliver_email  # the tasks import this module

    return publish(deliver_email, email_id, schema_name=schema_name)


# A notification's one-click unsubscribe link (its own line of the text) is named in the headers too
# (RFC 2369 and RFC 8058), so mail clients offer their own button. Only notifications and the move
# and ticket updates: another email's text can quote what a resident wrote. An update quotes what
# staff wrote (an answer, a reason), so there only the text's own ending counts: the link, a blank
# line and the organisation's name.
_UNSUBSCRIBE_LINE = re.compile(r"^(https?://\S+/notifications/unsubscribe/\S+/)$", re.MULTILINE)
_UNSUBSCRIBE_ENDING = re.compile(
    r"^(https?://\S+/notifications/unsubscribe/\S+/)\n\n[^\n]*\n?\Z", re.MULTILINE
)


def _list_headers(email: OutboundEmail) -> dict:
    found = None
    if email.template.startswith("notification_"):
        found = _UNSUBSCRIBE_LINE.search(email.body_text)
    elif email.template in UPDATE_TEMPLATES:
        found = _UNSUBSCRIBE_ENDING.search(email.body_text)
    if found is None:
        return {}
    return {"List-Unsubscribe": f"<{found.group(1)}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _smtp_code(exc: Exception) -> int | None:
    """The SMTP reply code of a failure, if it has one (a refusal lists one per recipient)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return next((code for code, _message in exc.recipients.values()), None)
    return getattr(exc, "smtp_code", None)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def deliver(*, email_id) -> str:
    """Send one outbox email at most once; returns what happened.

    The row stays locked while the SMTP conversation runs, so a second task for the same email
    skips it, and a task that finds it sent does nothing. A worker that dies mid-send leaves the
    row unsent and unlocked for the next attempt.
    """
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update(skip_locked=True).filter(pk=email_id).first()
        if email is None:
            return "busy_or_missing"
        if email.sent_at is not None:
            return "already_sent"
        if email.gave_up_at is not None:
            return "gave_up"
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body_text,
            from_email=email.from_email,
            to=[email.to],
            reply_to=[email.reply_to] if email.reply_to else None,
            headers={
                "Message-ID": f"<{email.pk}@{settings.PLATFORM_DOMAIN}>",
                "X-Portal-Template": email.template,
                **_list_headers(email),
            },
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        email.attempts += 1
        try:
            message.send(fail_silently=False)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            email.gave_up_at = timezone.now()
            email.save(update_fields=["attempts", "last_error", "gave_up_at"])
            # Only the id and the code: the server's text names the recipient (no personal data in logs).
            logger.error("Email %s refused permanently (SMTP %s)", email.pk, _smtp_code(exc))
            return "refused"
        except Exception as exc:
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            email.next_attempt_at = timezone.now() + _backoff(email.attempts)
            fields = ["attempts", "last_error", "next_attempt_at"]
            if email.attempts >= MAX_ATTEMPTS:
                email.gave_up_at = timezone.now()
                fields.append("gave_up_at")
            email.save(update_fields=fields)
            logger.warning(
                "Email %s not sent (attempt %s): %s, SMTP %s",
                email.pk,
                email.attempts,
                type(exc).__name__,
                _smtp_code(exc),
            )
            return "failed"
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "sent_at", "last_error"])
        return "sent"


@transaction.atomic
def retry_given_up(*, email_ids: list[str] | None = None) -> int:
    """Put given-up emails of the current schema back in the queue (after fixing the cause, e.g. SMTP)."""
    queryset = OutboundEmail.objects.filter(sent_at__isnull=True, gave_up_at__isnull=False)
    if email_ids is not None:
        queryset = queryset.filter(pk__in=email_ids)
    return queryset.update(gave_up_at=None, attempts=0, next_attempt_at=timezone.now(), last_error="")
