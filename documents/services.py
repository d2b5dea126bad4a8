"""Storing, replacing and deleting documents, and recording who opened them."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction

from activity.models import ActivityEvent
from activity.services import Origin, record_event
from core.durability import commit_without_waiting

from .content import checked_type
from .models import Document, DocumentView
from .storage import atomic_with_files, delete_after_commit, note_written


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def display_filename(filename: str, title: str, extension: str) -> str:
    """The name a download gets: the given one (or the title), with the extension of what it really is."""
    base = (filename or title or "document").rsplit(".", 1)[0][:180]
    return f"{base}.{extension}"


def store_content(document: Document, content: bytes, filename: str) -> None:
    """Check and store ``content`` as the document's file; the file it replaces goes after commit.

    Raises ``RuleViolation`` (field ``file``) before anything is written when the content is refused.
    """
    content_type, extension = checked_type(content)
    digest = content_hash(content)
    previous = document.file.name if document.file else ""
    document.file.save(f"{digest[:16]}.{extension}", ContentFile(content), save=False)
    note_written(document.file.name)
    delete_after_commit(previous)
    document.content_type = content_type
    document.content_hash = digest
    document.size = len(content)
    document.filename = display_filename(filename, document.title, extension)


@commit_without_waiting()
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


@commit_without_waiting()
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
def record_staff_download(*, customer, staff_user, data: dict, origin: Origin | None = None) -> None:
    """Staff opening a customer's document or invoice is in that customer's activity log too."""
    record_event(
        customer=customer,
        kind=ActivityEvent.Kind.DOCUMENT_VIEWED,
        actor=ActivityEvent.Actor.STAFF,
        actor_user=staff_user,
        origin=origin,
        data=data,
    )


def add_document(
    *, customer, contract, title: str, category: str, document_date, content: bytes, filename: str
) -> Document:
    """A document uploaded by staff: type judged by content, stored by content hash."""
    with atomic_with_files():
        document = Document(
            customer=customer, contract=contract, title=title, category=category, document_date=document_date
        )
        store_content(document, content, filename)
        document.save()
    return document


@transaction.atomic
def delete_document(*, document: Document) -> None:
    """The row (and who opened it) goes now; the file once that is committed."""
    name = document.file.name
    document.delete()
    delete_after_commit(name)
