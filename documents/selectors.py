"""Reads of the documents module."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import DocumentView


def customer_document_views(*, customer) -> QuerySet[DocumentView]:
    """Every opening of one customer's documents, newest first: the portal card's "documents viewed".

    Staff downloads are not openings by the resident (they are in the activity log as staff), so
    only the portal's own records count here.
    """
    return (
        DocumentView.objects.filter(document__customer=customer)
        .select_related("document", "user", "impersonated_by")
        .order_by("-viewed_at", "-id")
    )
