"""Idempotent bulk upsert of billing-system data, keyed by external id.

Every row is validated on its own; bad rows are reported with their index and errors, good rows are
written. Writing happens in bulk (a handful of queries per entity, not per row) inside one
transaction, after every check: an invoice is written with all of its lines or not at all.
Entities are processed in dependency order so one call may reference rows it creates; the importers
themselves live in ``integration.importers``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.utils import timezone

from documents.storage import atomic_with_files

from .importers.base import EntityResult
from .importers.billing import import_invoices, import_transactions
from .importers.documents import import_documents
from .importers.metering import import_meters, import_tariffs
from .importers.parties import import_contracts, import_customers, import_locations
from .models import ImportRun

ENTITIES = (
    "customers",
    "locations",
    "contracts",
    "meters",
    "tariffs",
    "invoices",
    "transactions",
    "documents",
)

IMPORTERS: dict[str, Callable[[list], EntityResult]] = {
    "customers": import_customers,
    "locations": import_locations,
    "contracts": import_contracts,
    "meters": import_meters,
    "tariffs": import_tariffs,
    "invoices": import_invoices,
    "transactions": import_transactions,
    "documents": import_documents,
}


# Refused rows kept on the run for staff (the call's answer lists them all): enough to act on,
# bounded so that a broken export of 100,000 rows does not store 100,000 messages.
STORED_ERRORS = 1000


def stored_errors(results: dict[str, EntityResult]) -> list[dict]:
    """The first refused rows of every list, each naming its list, in the order of ENTITIES."""
    rows = [
        {"entity": entity, **error}
        for entity in ENTITIES
        if entity in results
        for error in results[entity].errors
    ]
    return rows[:STORED_ERRORS]


def run_import(*, payload: dict, actor_email: str = "") -> dict:
    """One transaction for the whole call; files it wrote are removed again if it rolls back."""
    started = time.perf_counter()
    with atomic_with_files():
        run = ImportRun.objects.create(actor_email=actor_email)
        results = {}
        for entity in ENTITIES:
            rows = payload.get(entity) or []
            if not isinstance(rows, list):
                result = EntityResult()
                result.refuse(-1, None, {entity: ["must be a list of rows"]})
                results[entity] = result
                continue
            results[entity] = IMPORTERS[entity](rows)
        summary = {
            entity: {
                "received": r.received,
                "created": r.created,
                "updated": r.updated,
                "unchanged": r.unchanged,
                "errors": r.errors,
            }
            for entity, r in results.items()
        }
        run.summary = {
            entity: {k: v for k, v in values.items() if k != "errors"} for entity, values in summary.items()
        }
        run.error_count = sum(len(r.errors) for r in results.values())
        run.errors = stored_errors(results)
        run.finished_at = timezone.now()
        run.save(update_fields=["summary", "error_count", "errors", "finished_at"])
    return {
        "run": run.pk,
        "seconds": round(time.perf_counter() - started, 3),
        "error_count": run.error_count,
        **summary,
    }
