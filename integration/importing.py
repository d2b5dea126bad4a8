"""Idempotent bulk upsert of billing-system data, keyed by external id.

Every row is validated on its own; bad rows are reported with their index and errors, good rows are
written. Writing happens in bulk (a handful of queries per entity, not per row) inside one
transaction, after every check: an invoice is written with all of its lines or not at all.
Entities are processed in dependency order so one call may reference rows it creates.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ValidationError

from contracts.models import AdvancePaymentPlan, Contract, ContractLocation, Location
from customers.models import Customer, CustomerAddress
from documents.models import Document
from documents.services import store_content
from invoicing.models import Invoice, InvoiceLine, Transaction

from . import schemas
from .bulk import bulk_update_values
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
BATCH = 2000


@dataclass
class EntityResult:
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)

    def refuse(self, index: int, external_id, errors: dict[str, list[str]]) -> None:
        self.errors.append({"index": index, "external_id": external_id, "errors": errors})


def _pydantic_errors(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        location = ".".join(str(part) for part in error["loc"]) or "non_field_errors"
        message = error["msg"].removeprefix("Value error, ")
        errors.setdefault(location, []).append(message)
    return errors


def _validated(rows: list, model: type[BaseModel], result: EntityResult) -> list[tuple[int, BaseModel]]:
    """(index, row) for every row that passed validation, first occurrence per external id."""
    good, seen = [], set()
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            result.refuse(index, None, {"non_field_errors": ["each row must be an object"]})
            continue
        try:
            row = model.model_validate(raw)
        except ValidationError as exc:
            result.refuse(index, raw.get("external_id"), _pydantic_errors(exc))
            continue
        if row.external_id in seen:
            result.refuse(index, row.external_id, {"external_id": ["appears more than once in this call"]})
            continue
        seen.add(row.external_id)
        good.append((index, row))
    return good


def _digest(row: BaseModel) -> str:
    return hashlib.sha256(json.dumps(row.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def _unique_field_conflicts(
    model, field_name: str, pairs: list[tuple[int, BaseModel, str]], result: EntityResult
) -> set[int]:
    """Indexes of rows whose unique ``field_name`` belongs to another external id (here or in this call).

    A record with that value but no external id yet (created in the portal before the first sync)
    is adopted: it gets the row's external id and is updated like any other.
    """
    owners = dict(
        model.objects.filter(**{f"{field_name}__in": [value for _i, _r, value in pairs]}).values_list(
            field_name, "external_id"
        )
    )
    for _index, row, value in pairs:
        if value in owners and owners[value] is None:
            model.objects.filter(**{field_name: value, "external_id__isnull": True}).update(
                external_id=row.external_id
            )
            owners[value] = row.external_id
    refused, claimed = set(), {}
    for index, row, value in pairs:
        owner = owners.get(value)
        if (owner is not None and owner != row.external_id) or claimed.get(
            value, row.external_id
        ) != row.external_id:
            result.refuse(
                index, row.external_id, {field_name: [f"“{value}” already belongs to another record"]}
            )
            refused.add(index)
        claimed.setdefault(value, row.external_id)
    return refused


def _upsert(
    model,
    rows: list[tuple[int, BaseModel, dict]],
    result: EntityResult,
    compare: Iterable[str],
) -> dict[str, int]:
    """Create or update ``model`` rows from (index, row, field values); returns external id -> pk."""
    compare = list(compare)
    existing = model.objects.in_bulk([row.external_id for _i, row, _v in rows], field_name="external_id")
    to_create, to_update = [], []
    for _index, row, values in rows:
        current = existing.get(row.external_id)
        if current is None:
            to_create.append(model(external_id=row.external_id, **values))
        elif any(getattr(current, name) != values[name] for name in compare):
            for name in compare:
                setattr(current, name, values[name])
            to_update.append(current)
        else:
            result.unchanged += 1
    model.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update and any(field.name == "updated_at" for field in model._meta.fields):
        now = timezone.now()
        for obj in to_update:
            obj.updated_at = now
        compare = [*compare, "updated_at"]
    bulk_update_values(model, to_update, compare)
    result.created += len(to_create)
    result.updated += len(to_update)
    ids = {obj.external_id: obj.pk for obj in existing.values()}
    ids.update({obj.external_id: obj.pk for obj in to_create})
    return ids


def _ids(model, external_ids: Iterable[str], extra: tuple[str, ...] = ()) -> dict:
    wanted = {value for value in external_ids if value}
    if not wanted:
        return {}
    if extra:
        return {
            row[0]: row[1:]
            for row in model.objects.filter(external_id__in=wanted).values_list("external_id", "pk", *extra)
        }
    return dict(model.objects.filter(external_id__in=wanted).values_list("external_id", "pk"))


# -- entities --------------------------------------------------------------------------------------
CUSTOMER_FIELDS = (
    "customer_number",
    "kind",
    "first_name",
    "last_name",
    "company_name",
    "vat_number",
    "email",
    "phone",
    "language",
    "billing_preference",
)


def import_customers(raw: list) -> EntityResult:
    result = EntityResult(received=len(raw))
    good = _validated(raw, schemas.CustomerRow, result)
    refused = _unique_field_conflicts(
        Customer, "customer_number", [(i, r, r.customer_number) for i, r in good], result
    )
    rows = [(i, r, {name: getattr(r, name) for name in CUSTOMER_FIELDS}) for i, r in good if i not in refused]
    ids = _upsert(Customer, rows, result, CUSTOMER_FIELDS)
    with_addresses = [(ids[r.external_id], r.addresses) for _i, r, _v in rows if r.addresses is not None]
    if with_addresses:
        CustomerAddress.objects.filter(customer_id__in=[pk for pk, _a in with_addresses]).delete()
        CustomerAddress.objects.bulk_create(
            [
                CustomerAddress(customer_id=pk, **address.model_dump())
                for pk, addresses in with_addresses
                for address in addresses
            ],
            batch_size=BATCH,
        )
    return result


LOCATION_FIELDS = (
    "street",
    "house_number",
    "box",
    "postal_code",
    "city",
    "country",
    "building_type",
    "floor_area_m2",
    "connection_status",
)


def import_locations(raw: list) -> EntityResult:
    result = EntityResult(received=len(raw))
    good = _validated(raw, schemas.LocationRow, result)
    _upsert(
        Location,
        [(i, r, {name: getattr(r, name) for name in LOCATION_FIELDS}) for i, r in good],
        result,
        LOCATION_FIELDS,
    )
    return result


CONTRACT_FIELDS = ("number", "customer_id", "status", "start_date", "end_date", "currency")


def import_contracts(raw: list) -> EntityResult:
    result = EntityResult(received=len(raw))
    good = _validated(raw, schemas.ContractRow, result)
    customers = _ids(Customer, (r.customer_external_id for _i, r in good))
    locations = _ids(Location, (loc.location_external_id for _i, r in good for loc in r.locations))
    checked = []
    for index, row in good:
        errors = {}
        if row.customer_external_id not in customers:
            errors["customer_external_id"] = ["unknown customer"]
        missing = [
            loc.location_external_id for loc in row.locations if loc.location_external_id not in locations
        ]
        if missing:
            errors["locations"] = [f"unknown location(s): {', '.join(missing)}"]
        if errors:
            result.refuse(index, row.external_id, errors)
        else:
            checked.append((index, row))
    refused = _unique_field_conflicts(Contract, "number", [(i, r, r.number) for i, r in checked], result)
    rows = [
        (
            i,
            r,
            {
                "number": r.number,
                "customer_id": customers[r.customer_external_id],
                "status": r.status,
                "start_date": r.start_date,
                "end_date": r.end_date,
                "currency": r.currency,
            },
        )
        for i, r in checked
        if i not in refused
    ]
    ids = _upsert(Contract, rows, result, CONTRACT_FIELDS)
    contract_ids = [ids[r.external_id] for _i, r, _v in rows]
    current: dict[int, set] = {}
    for row in ContractLocation.objects.filter(contract_id__in=contract_ids).values_list(
        "contract_id", "location_id", "services", "move_in_date", "move_out_date"
    ):
        current.setdefault(row[0], set()).add((row[1], tuple(row[2]), row[3], row[4]))
    replace = {}
    for _i, row, _v in rows:
        wanted = {
            (locations[loc.location_external_id], tuple(loc.services), loc.move_in_date, loc.move_out_date)
            for loc in row.locations
        }
        if wanted != current.get(ids[row.external_id], set()):
            replace[ids[row.external_id]] = wanted
    if replace:
        ContractLocation.objects.filter(contract_id__in=list(replace)).delete()
        ContractLocation.objects.bulk_create(
            [
                ContractLocation(
                    contract_id=contract_id,
                    location_id=location_id,
                    services=list(services),
                    move_in_date=move_in,
                    move_out_date=move_out,
                )
                for contract_id, wanted in replace.items()
                for location_id, services, move_in, move_out in wanted
            ],
            batch_size=BATCH,
        )
    plans = {
        plan.contract_id: plan for plan in AdvancePaymentPlan.objects.filter(contract_id__in=contract_ids)
    }
    new_plans, changed_plans = [], []
    for _i, row, _v in rows:
        if row.advance is None:
            continue
        values = row.advance.model_dump()
        plan = plans.get(ids[row.external_id])
        if plan is None:
            new_plans.append(
                AdvancePaymentPlan(contract_id=ids[row.external_id], currency=row.currency, **values)
            )
        elif any(getattr(plan, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(plan, name, value)
            changed_plans.append(plan)
    AdvancePaymentPlan.objects.bulk_create(new_plans, batch_size=BATCH)
    bulk_update_values(
        AdvancePaymentPlan, changed_plans, ["original_amount", "current_amount", "settlement_amount"]
    )
    return result


METER_FIELDS = ("number", "location_id", "service_id", "interval_minutes", "active")


def import_meters(raw: list) -> EntityResult:
    from consumption.models import Meter, Service

    result = EntityResult(received=len(raw))
    good = _validated(raw, schemas.MeterRow, result)
    locations = _ids(Location, (r.location_external_id for _i, r in good))
    services = dict(Service.objects.values_list("code", "pk"))
    rows = []
    for index, row in good:
        if row.location_external_id not in locations:
            result.refuse(index, row.external_id, {"location_external_id": ["unknown location"]})
        elif row.service not in services:
            result.refuse(
                index, row.external_id, {"service": ["this organisation does not measure this service"]}
            )
        else:
            rows.append(
                (
                    index,
                    row,
                    {
                        "number": row.number,
                        "location_id": locations[row.location_external_id],
                        "service_id": services[row.service],
                        "interval_minutes": row.interval_minutes,
                        "active": row.active,
                    },
                )
            )
    _upsert(Meter, rows, result, METER_FIELDS)
    return result


TARIFF_FIELDS = (
    "contract_id",
    "service",
    "unit_price",
    "fixed_monthly",
    "vat_rate",
    "currency",
    "valid_from",
    "valid_until",
)


def import_tariffs(raw: list) -> EntityResult:
    from consumption.models import Tariff

    result = EntityResult(received=len(raw))
    good = _validated(raw, schemas.TariffRow, result)
    contracts = _ids(Contract, (r.contract_external_id for _i, r in good))
    rows = []
    for index, row in good:
        if row.contract_external_id and row.contract_external_id not in contracts:
            result.refuse(index, row.external_id, {"contract_external_id": ["unknown contract"]})
            continue
        values = row.model_dump(exclude={"external_id", "contract_external_id"})
        values["contract_id"] = contracts.get(row.contract_external_id) if row.contract_external_id else None
        rows.append((index, row, values))
    _upsert(Tariff, rows, result, TARIFF_FIELDS)
    return result


INVOICE_FIELDS = (
    "number",
    "customer_id",
    "contract_id",
    "kind",
    "issue_date",
    "due_date",
    "period_start",
    "period_end",
    "currency",
    "amount_excl_tax",
    "tax_amount",
    "amount_incl_tax",
    "amount_open",
    "payment_status",
    "source_hash",
)


def import_invoices(raw: list) -> EntityResult:
    result = EntityResult(received=len(raw))
    good = _validated(raw, schemas.InvoiceRow, result)
    customers = _ids(Customer, (r.customer_external_id for _i, r in good))
    contracts = _ids(Contract, (r.contract_external_id for _i, r in good), extra=("customer_id",))
    checked = []
    for index, row in good:
        errors = {}
        customer_id = customers.get(row.customer_external_id)
        if customer_id is None:
            errors["customer_external_id"] = ["unknown customer"]
        if row.contract_external_id:
            contract = contracts.get(row.contract_external_id)
            if contract is None:
                errors["contract_external_id"] = ["unknown contract"]
            elif customer_id is not None and contract[1] != customer_id:
                errors["contract_external_id"] = ["this contract belongs to another customer"]
        if errors:
            result.refuse(index, row.external_id, errors)
        else:
            checked.append((index, row))
    refused = _unique_field_conflicts(Invoice, "number", [(i, r, r.number) for i, r in checked], result)
    checked = [(i, r) for i, r in checked if i not in refused]

    existing = {
        external_id: (pk, source_hash)
        for external_id, pk, source_hash in Invoice.objects.filter(
            external_id__in=[r.external_id for _i, r in checked]
        ).values_list("external_id", "pk", "source_hash")
    }
    to_create, to_update, lines_for = [], [], {}
    now = timezone.now()
    for _index, row in checked:
        digest = _digest(row)
        values = {
            "number": row.number,
            "customer_id": customers[row.customer_external_id],
            "contract_id": contracts[row.contract_external_id][0] if row.contract_external_id else None,
            "kind": row.kind,
            "issue_date": row.issue_date,
            "due_date": row.due_date,
            "period_start": row.period_start,
            "period_end": row.period_end,
            "currency": row.currency,
            "amount_excl_tax": row.amount_excl_tax,
            "tax_amount": row.tax_amount,
            "amount_incl_tax": row.amount_incl_tax,
            "amount_open": row.amount_open,
            "payment_status": row.payment_status,
            "source_hash": digest,
        }
        current = existing.get(row.external_id)
        if current is None:
            invoice = Invoice(external_id=row.external_id, **values)
            to_create.append(invoice)
        elif current[1] == digest:
            result.unchanged += 1
            continue
        else:
            invoice = Invoice(pk=current[0], external_id=row.external_id, pdf="", updated_at=now, **values)
            to_update.append(invoice)
        lines_for[row.external_id] = (invoice, row.lines)
    Invoice.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        stale_pdfs = [
            name
            for name in Invoice.objects.filter(pk__in=[i.pk for i in to_update])
            .exclude(pdf="")
            .values_list("pdf", flat=True)
        ]
        bulk_update_values(Invoice, to_update, [*INVOICE_FIELDS, "pdf", "updated_at"])
        transaction.on_commit(lambda: [default_storage.delete(name) for name in stale_pdfs])
        InvoiceLine.objects.filter(invoice_id__in=[invoice.pk for invoice in to_update]).delete()
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(invoice_id=invoice.pk, position=position, **line.model_dump())
            for invoice, lines in lines_for.values()
            for position, line in enumerate(lines)
        ],
        batch_size=BATCH * 2,
    )
    result.created += len(to_create)
    result.updated += len(to_update)
    return result


TRANSACTION_FIELDS = (
    "customer_id",
    "contract_id",
    "invoice_id",
    "kind",
    "date",
    "description",
    "amount",
    "currency",
    "method",
    "comments",
)


def import_transactions(raw: list) -> EntityResult:
    result = EntityResult(received=len(raw))
    good = _validated(raw, schemas.TransactionRow, result)
    customers = _ids(Customer, (r.customer_external_id for _i, r in good))
    contracts = _ids(Contract, (r.contract_external_id for _i, r in good), extra=("customer_id",))
    invoices = _ids(Invoice, (r.invoice_external_id for _i, r in good), extra=("customer_id",))
    rows = []
    for index, row in good:
        errors = {}
        customer_id = customers.get(row.customer_external_id)
        if customer_id is None:
            errors["customer_external_id"] = ["unknown customer"]
        for name, lookup, ref in (
            ("contract_external_id", contracts, row.contract_external_id),
            ("invoice_external_id", invoices, row.invoice_external_id),
        ):
            if ref and ref not in lookup:
                errors[name] = ["unknown reference"]
            elif ref and customer_id is not None and lookup[ref][1] != customer_id:
                errors[name] = ["belongs to another customer"]
        if errors:
            result.refuse(index, row.external_id, errors)
            continue
        rows.append(
            (
                index,
                row,
                {
                    "customer_id": customer_id,
                    "contract_id": contracts[row.contract_external_id][0]
                    if row.contract_external_id
                    else None,
                    "invoice_id": invoices[row.invoice_external_id][0] if row.invoice_external_id else None,
                    "kind": row.kind,
                    "date": row.date,
                    "description": row.description,
                    "amount": row.amount,
                    "currency": row.currency,
                    "method": row.method,
                    "comments": row.comments,
                },
            )
        )
    _upsert(Transaction, rows, result, TRANSACTION_FIELDS)
    return result


def import_documents(raw: list) -> EntityResult:
    from config.errors import RuleViolation

    result = EntityResult(received=len(raw))
    good = _validated(raw, schemas.DocumentRow, result)
    customers = _ids(Customer, (r.customer_external_id for _i, r in good))
    contracts = _ids(Contract, (r.contract_external_id for _i, r in good), extra=("customer_id",))
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
        document = existing.get(row.external_id) or Document(external_id=row.external_id)
        created = document.pk is None
        document.customer_id = customer_id
        document.contract_id = contract[0] if contract else None
        document.title, document.category, document.document_date = row.title, row.category, row.document_date
        try:
            with transaction.atomic():
                store_content(document, row.content, row.filename)
                document.save()
        except RuleViolation as exc:
            result.refuse(index, row.external_id, {"content_base64": [exc.message]})
            continue
        if created:
            result.created += 1
        else:
            result.updated += 1
    return result


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


@transaction.atomic
def run_import(*, payload: dict, actor_email: str = "") -> dict:
    started = time.perf_counter()
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
    run.finished_at = timezone.now()
    run.save(update_fields=["summary", "error_count", "finished_at"])
    return {
        "run": run.pk,
        "seconds": round(time.perf_counter() - started, 3),
        "error_count": run.error_count,
        **summary,
    }
