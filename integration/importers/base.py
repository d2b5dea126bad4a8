"""What every importer shares: per-row validation and errors, bulk upsert by external id, lookups."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from pydantic import BaseModel, ValidationError

from ..bulk import bulk_update_values, rows_by_key

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

    def promote(self, count: int) -> None:
        """Rows counted unchanged whose dependent rows (addresses, locations, plan) did change."""
        self.unchanged -= count
        self.updated += count


def sync_children(
    model: type[models.Model],
    *,
    parent_field: str,
    key_field: str,
    fields: Iterable[str],
    current: dict[int, dict],
    wanted: dict[int, dict[object, dict]],
) -> set[int]:
    """Make each parent's child rows exactly the wanted ones, matched by key: create the new ones,
    update those whose ``fields`` differ, delete the rest. Returns the parents that changed.

    ``current``: parent pk -> key -> stored row; ``wanted``: parent pk -> key -> field values.
    """
    fields = list(fields)
    to_create, to_update, to_delete, changed = [], [], [], set()
    for parent_id, children in wanted.items():
        have = current.get(parent_id, {})
        for key, values in children.items():
            existing = have.get(key)
            if existing is None:
                to_create.append(model(**{parent_field: parent_id, key_field: key}, **values))
            elif any(getattr(existing, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(existing, name, value)
                to_update.append(existing)
            else:
                continue
            changed.add(parent_id)
        for key, existing in have.items():
            if key not in children:
                to_delete.append(existing.pk)
                changed.add(parent_id)
    if to_delete:
        model.objects.filter(pk__in=to_delete).delete()
    bulk_update_values(model, to_update, fields)
    model.objects.bulk_create(to_create, batch_size=BATCH)
    return changed


def pydantic_errors(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        location = ".".join(str(part) for part in error["loc"]) or "non_field_errors"
        message = error["msg"].removeprefix("Value error, ")
        errors.setdefault(location, []).append(message)
    return errors


def validated(rows: list, model: type[BaseModel], result: EntityResult) -> list[tuple[int, BaseModel]]:
    """(index, row) for every row that passed validation, first occurrence per external id."""
    good, seen = [], set()
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            result.refuse(index, None, {"non_field_errors": ["each row must be an object"]})
            continue
        try:
            row = model.model_validate(raw)
        except ValidationError as exc:
            external_id = raw.get("external_id")
            result.refuse(index, external_id if isinstance(external_id, str) else None, pydantic_errors(exc))
            continue
        if row.external_id in seen:
            result.refuse(index, row.external_id, {"external_id": ["appears more than once in this call"]})
            continue
        seen.add(row.external_id)
        good.append((index, row))
    return good


def digest(row: BaseModel) -> str:
    return hashlib.sha256(json.dumps(row.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def unique_field_conflicts(
    model, field_name: str, pairs: list[tuple[int, BaseModel, str]], result: EntityResult
) -> set[int]:
    """Indexes of rows whose unique ``field_name`` belongs to another external id (here or in this call).

    A record with that value but no external id yet (created in the portal before the first sync)
    is adopted: it gets the row's external id and is updated like any other.
    """
    owners = dict(rows_by_key(model, field_name, ["external_id"], [value for _i, _r, value in pairs]))
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


def upsert(
    model,
    rows: list[tuple[int, BaseModel, dict]],
    result: EntityResult,
    compare: Iterable[str],
) -> tuple[dict[str, int], set[str]]:
    """Create or update ``model`` rows from (index, row, field values).

    Returns external id -> pk, and the external ids of the rows that were already up to date.
    """
    compare = list(compare)
    existing = model.objects.in_bulk([row.external_id for _i, row, _v in rows], field_name="external_id")
    to_create, to_update, unchanged = [], [], set()
    for _index, row, values in rows:
        current = existing.get(row.external_id)
        if current is None:
            to_create.append(model(external_id=row.external_id, **values))
        elif any(getattr(current, name) != values[name] for name in compare):
            for name in compare:
                setattr(current, name, values[name])
            to_update.append(current)
        else:
            unchanged.add(row.external_id)
    model.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update and any(field.name == "updated_at" for field in model._meta.fields):
        now = timezone.now()
        for obj in to_update:
            obj.updated_at = now
        compare = [*compare, "updated_at"]
    bulk_update_values(model, to_update, compare)
    result.created += len(to_create)
    result.updated += len(to_update)
    result.unchanged += len(unchanged)
    ids = {obj.external_id: obj.pk for obj in existing.values()}
    ids.update({obj.external_id: obj.pk for obj in to_create})
    return ids, unchanged


def ids_of(model, external_ids: Iterable[str], extra: tuple[str, ...] = ()) -> dict:
    wanted = {value for value in external_ids if value}
    if not wanted:
        return {}
    if extra:
        return {
            row[0]: row[1:]
            for row in model.objects.filter(external_id__in=wanted).values_list("external_id", "pk", *extra)
        }
    return dict(model.objects.filter(external_id__in=wanted).values_list("external_id", "pk"))


def protected_dependants(model, pks: Iterable[int]) -> dict[int, list[str]]:
    """pk -> names of the records that keep it from being deleted (PROTECT/RESTRICT foreign keys).

    One query per such relation, whatever the number of rows, so an import can refuse a row
    instead of failing the whole call with ``ProtectedError``.
    """
    pks = list(pks)
    found: dict[int, list[str]] = {}
    if not pks:
        return found
    for relation in model._meta.related_objects:
        if relation.on_delete not in (models.PROTECT, models.RESTRICT) or relation.many_to_many:
            continue
        column = relation.field.attname
        name = str(relation.related_model._meta.verbose_name_plural)
        referenced = (
            relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": pks})
            .values_list(column, flat=True)
            .distinct()
        )
        for pk in referenced:
            found.setdefault(pk, []).append(name)
    return found
