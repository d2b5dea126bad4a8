"""Reads of residents' data archives."""

from __future__ import annotations

from .models import DataExport


def latest_export(*, customer) -> DataExport | None:
    return DataExport.objects.for_customer(customer).first()
