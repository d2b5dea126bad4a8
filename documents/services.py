"""Storing documents and recording who opened them."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from activity.models import ActivityEvent
from activity.services import Origin, record_event
from config.errors import RuleViolation

from .models import Document, DocumentView

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


def sniff(content: bytes) -> tuple[str, str]:
    """(content type, extension) judged by the bytes; refuses anything but PDF, PNG and JPEG."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise RuleViolation(_("The file is too large: at most 10 MB."), code="file_too_large", field="file")
    for signature, content_type, extension in _SIGNATURES:
        if content.startswith(signature):
            return content_type, extension
    raise RuleViolation(
        _("Documents must be PDF, PNG or JPEG files."), code="invalid_file_type", field="file"
    )


def store_content(document: Document, content: bytes, filename: str) -> None:
    content_type, extension = sniff(content)
    digest = hashlib.sha256(content).hexdigest()[:16]
    document.file.save(f"{digest}.{extension}", ContentFile(content), save=False)
    document.content_type = content_type
    document.size = len(content)
    base = (filename or document.title or "document").rsplit(".", 1)[0][:180]
    document.filename = f"{base}.{extension}"


@transaction.atomic
def record_document_view(
    *, document: Document, user, impersonated_by=None, origin: Origin | None = None
) -> None:
    DocumentView.objects.create(
        document=document, user=user, impersonated_by=impersonated_by, ip=(origin or Origin()).ip
    )
    record_event(
        customer=document.customer,
        kind=ActivityEvent.Kind.DOCUMENT_VIEWED,
        actor=ActivityEvent.Actor.IMPERSONATING_STAFF if impersonated_by else ActivityEvent.Actor.RESIDENT,
        actor_user=impersonated_by or user,
        origin=origin,
        data={"document": document.pk, "title": document.title},
    )


@transaction.atomic
def record_invoice_view(*, invoice, user, impersonated_by=None, origin: Origin | None = None) -> None:
    record_event(
        customer=invoice.customer,
        kind=ActivityEvent.Kind.DOCUMENT_VIEWED,
        actor=ActivityEvent.Actor.IMPERSONATING_STAFF if impersonated_by else ActivityEvent.Actor.RESIDENT,
        actor_user=impersonated_by or user,
        origin=origin,
        data={"invoice": invoice.number},
    )


@transaction.atomic
def add_document(
    *, customer, contract, title: str, category: str, document_date, content: bytes, filename: str
) -> Document:
    """A document uploaded by staff: type judged by content, stored by content hash."""
    document = Document(
        customer=customer, contract=contract, title=title, category=category, document_date=document_date
    )
    store_content(document, content, filename)
    document.save()
    return document
