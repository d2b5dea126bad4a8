"""Customers with their addresses, locations, and contracts with their locations and advance plan.

Dependent rows (addresses, contract locations) are updated in place, keyed by what identifies them
(address kind; contract and location): unchanged means untouched, and a contract location that a
move-out refers to is never deleted and re-created behind its back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts.models import AdvancePaymentPlan, Contract, ContractLocation, Location
from customers.models import Customer, CustomerAddress

from .. import schemas
from ..bulk import bulk_update_values
from .base import (
    BATCH,
    EntityResult,
    ids_of,
    protected_dependants,
    sync_children,
    unique_field_conflicts,
    upsert,
    validated,
)

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
ADDRESS_FIELDS = ("street", "house_number", "box", "postal_code", "city", "country")


def import_customers(raw: list) -> EntityResult:
    result = EntityResult(received=len(raw))
    good = validated(raw, schemas.CustomerRow, result)
    refused = unique_field_conflicts(
        Customer, "customer_number", [(i, r, r.customer_number) for i, r in good], result
    )
    rows = [(i, r, {name: getattr(r, name) for name in CUSTOMER_FIELDS}) for i, r in good if i not in refused]
    ids, unchanged = upsert(Customer, rows, result, CUSTOMER_FIELDS)
    changed = _sync_addresses(
        {ids[r.external_id]: r.addresses for _i, r, _v in rows if r.addresses is not None}
    )
    result.promote(sum(1 for external_id in unchanged if ids[external_id] in changed))
    return result


def _sync_addresses(wanted_by_customer: dict[int, list]) -> set[int]:
    """Make each customer's addresses the given ones, per kind; returns the customers that changed."""
    if not wanted_by_customer:
        return set()
    current: dict[int, dict[str, CustomerAddress]] = {}
    for address in CustomerAddress.objects.filter(customer_id__in=list(wanted_by_customer)):
        current.setdefault(address.customer_id, {})[address.kind] = address
    return sync_children(
        CustomerAddress,
        parent_field="customer_id",
        key_field="kind",
        fields=ADDRESS_FIELDS,
        current=current,
        wanted={
            customer_id: {
                address.kind: {name: getattr(address, name) for name in ADDRESS_FIELDS}
                for address in addresses
            }
            for customer_id, addresses in wanted_by_customer.items()
        },
    )


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
    good = validated(raw, schemas.LocationRow, result)
    upsert(
        Location,
        [(i, r, {name: getattr(r, name) for name in LOCATION_FIELDS}) for i, r in good],
        result,
        LOCATION_FIELDS,
    )
    return result


CONTRACT_FIELDS = ("number", "customer_id", "status", "start_date", "end_date", "currency")
CONTRACT_LOCATION_FIELDS = ("services", "move_in_date", "move_out_date")


def import_contracts(raw: list) -> EntityResult:
    result = EntityResult(received=len(raw))
    good = validated(raw, schemas.ContractRow, result)
    customers = ids_of(Customer, (r.customer_external_id for _i, r in good))
    locations = ids_of(Location, (loc.location_external_id for _i, r in good for loc in r.locations))
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
    refused = unique_field_conflicts(Contract, "number", [(i, r, r.number) for i, r in checked], result)
    checked = [(i, r) for i, r in checked if i not in refused]
    plan = _plan_contract_locations(checked, locations, result)
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
        if i not in plan.refused
    ]
    ids, unchanged = upsert(Contract, rows, result, CONTRACT_FIELDS)
    changed = plan.apply(ids, rows)
    changed |= _sync_advance_plans(ids, rows)
    result.promote(sum(1 for external_id in unchanged if ids[external_id] in changed))
    return result


@dataclass
class _ContractLocationPlan:
    """The stored contract locations of the contracts in a call, and the rows refused over them."""

    current: dict[int, dict[int, ContractLocation]]  # contract pk -> location pk -> row
    location_ids: dict[str, int]  # location external id -> pk
    refused: set[int] = field(default_factory=set)

    def apply(self, ids: dict[str, int], rows: list) -> set[int]:
        """Write the rows' locations; returns the contracts whose locations changed."""
        return sync_children(
            ContractLocation,
            parent_field="contract_id",
            key_field="location_id",
            fields=CONTRACT_LOCATION_FIELDS,
            current=self.current,
            wanted={
                ids[row.external_id]: {
                    self.location_ids[loc.location_external_id]: {
                        "services": list(loc.services),
                        "move_in_date": loc.move_in_date,
                        "move_out_date": loc.move_out_date,
                    }
                    for loc in row.locations
                }
                for _index, row, _values in rows
            },
        )


def _plan_contract_locations(
    checked: list, locations: dict[str, int], result: EntityResult
) -> _ContractLocationPlan:
    """Reads the stored contract locations; refuses rows that would remove one a move-out refers to."""
    existing = ids_of(Contract, (r.external_id for _i, r in checked))
    current: dict[int, dict[int, ContractLocation]] = {}
    if existing:
        for row in ContractLocation.objects.filter(contract_id__in=list(existing.values())).select_related(
            "location"
        ):
            current.setdefault(row.contract_id, {})[row.location_id] = row
    plan = _ContractLocationPlan(current=current, location_ids=locations)
    removals: dict[int, tuple[int, str, str]] = {}  # contract location pk -> (index, contract, location)
    for index, row in checked:
        have = current.get(existing.get(row.external_id), {})
        wanted = {locations[loc.location_external_id] for loc in row.locations}
        for location_id, contract_location in have.items():
            if location_id not in wanted:
                label = contract_location.location.external_id or contract_location.location.one_line
                removals[contract_location.pk] = (index, row.external_id, label)
    blocked: dict[int, tuple[str, list[str]]] = {}
    for pk, names in protected_dependants(ContractLocation, removals).items():
        index, external_id, label = removals[pk]
        blocked.setdefault(index, (external_id, []))[1].append(
            f"“{label}” cannot be removed from this contract: {', '.join(names)} refer to it"
        )
    for index, (external_id, messages) in sorted(blocked.items()):
        result.refuse(index, external_id, {"locations": messages})
        plan.refused.add(index)
    return plan


def _sync_advance_plans(ids: dict[str, int], rows: list) -> set[int]:
    """Create or update each row's advance plan; returns the contracts whose plan changed."""
    contract_ids = [ids[r.external_id] for _i, r, _v in rows if r.advance is not None]
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
    return {plan.contract_id for plan in new_plans} | {plan.contract_id for plan in changed_plans}
