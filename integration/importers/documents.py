"""Documents: stored by content, idempotent by content hash and metadata.

Re-sending the same document writes nothing; new content is checked, written under its hash, and
the file it replaces is deleted after commit. Files written by an import that rolls back are
removed by ``documents.storage.atomic_with_files`` around the whole import.
"""

from __future__ import annotations

from contracts.models import Contract
from core.errors import RuleViolation
from customers.models import Customer
from documents.models import Document
from documents.services import content_hash, display_filename, store_content

from .. import schemas
from .base import EntityResult, ids_of, validated

_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
METADATA_FIELDS = ("customer_id", "contract_id", "title", "category", "document_date", "filename")


def import_documents(raw: list) -> EntityResult:
    result = EntityResult(received=len(raw))
    good = validated(raw, schemas.DocumentRow, result)
    customers = ids_of(Customer, (r.customer_external_id for _i, r in good))
    contracts = ids_of(Contract, (r.contract_external_id for _i, r in good), extra=("customer_id",))
    existing = Document.objects.in_bulk([r.external_id for _i, r in good], field_name="external_id")
    for index, row in good:
        customer_id = customers.get(row.customer_external_id)
        contract = contracts.get(row.contract_external_id) if row.contract_external_id else None
        if customer_id is None or (
            row.contract_external_id and (contract is None or contract[1] != customer_id)
        ):
            field_name = "customer_external_id" if customer_id is None else "contract_external_id"
            result.refuse(index, row.external_id, {field_name: ["unknown reference or another customer's"]})
            continue
        content = row.content
        document = existing.get(row.external_id)
        created = document is None
        if created:
            document = Document(external_id=row.external_id)
        same_content = not created and document.content_hash == content_hash(content)
        before = None if created else {name: getattr(document, name) for name in METADATA_FIELDS}
        document.customer_id = customer_id
        document.contract_id = contract[0] if contract else None
        document.title, document.category, document.document_date = row.title, row.category, row.document_date
        if same_content:
            extension = _EXTENSIONS.get(document.content_type, document.filename.rsplit(".", 1)[-1])
            document.filename = display_filename(row.filename, row.title, extension)
            if before == {name: getattr(document, name) for name in METADATA_FIELDS}:
                result.unchanged += 1
                continue
        else:
            try:
                store_content(document, content, row.filename)
            except RuleViolation as exc:
                result.refuse(index, row.external_id, {"content_base64": [exc.message]})
                continue
        document.save()
        if created:
            result.created += 1
        else:
            result.updated += 1
    return result
