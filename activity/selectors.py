from __future__ import annotations

from django.db.models import QuerySet

from .models import ActivityEvent


def customer_activity(*, customer) -> QuerySet[ActivityEvent]:
    """Newest first; one query per page whatever the log's length."""
    return ActivityEvent.objects.filter(customer=customer).order_by("-created_at", "-id")
