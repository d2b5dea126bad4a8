"""Reads of residents' data archives."""

from __future__ import annotations

from .models import DataExport, DeletionRequest


def latest_export(*, customer) -> DataExport | None:
    return DataExport.objects.for_customer(customer).first()


def latest_deletion(*, customer) -> DeletionRequest | None:
    return DeletionRequest.objects.for_customer(customer).first()


def deletion_requests():
    """Every request of the organisation, for staff (with the customer's number and name)."""
    return DeletionRequest.objects.select_related("customer")
