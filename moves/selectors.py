"""Reads for moving in and out."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat

from consumption.models import Meter
from contracts.models import Contract, ContractLocation, Location

from .models import MoveOutRequest, RequestStatus


def search_locations(query: str, *, limit: int = 10) -> list[dict]:
    """Addresses this organisation supplies that match every word of the query (at least 3 characters)."""
    words = (query or "").split()
    if len("".join(words)) < 3:
        return []
    address = Concat(
        "street",
        Value(" "),
        "house_number",
        Value(" "),
        "box",
        Value(" "),
        "postal_code",
        Value(" "),
        "city",
        output_field=CharField(),
    )
    condition = Q()
    for word in words[:6]:
        condition &= Q(address__icontains=word)
    hits = (
        Location.objects.annotate(address=address)
        .filter(condition)
        .order_by("postal_code", "street", "house_number", "box")[:limit]
    )
    return [{"id": location.pk, "address": location.one_line} for location in hits]


def move_out_options(*, customer, organisation) -> list[dict]:
    """The resident's open contracts, their locations, and per location the meters whose service
    the contract delivers there: exactly the final readings a move-out needs (three queries)."""
    # At call time: move_out brings in invoicing and the integration outbox, which the address
    # search (imported with the pages) does not need.
    from .move_out import date_bounds

    rows = list(
        ContractLocation.objects.filter(
            contract__customer=customer,
            move_out_date__isnull=True,
            contract__status__in=[Contract.Status.ACTIVE, Contract.Status.PENDING],
        )
        .select_related("contract", "location")
        .order_by("contract__number", "location__street", "location__house_number", "pk")
    )
    if not rows:
        return []
    meters = _active_meters(rows)
    waiting = _move_outs_waiting(rows)
    contracts: dict[int, dict] = {}
    for row in rows:
        contract = contracts.setdefault(
            row.contract_id,
            {"id": row.contract_id, "number": row.contract.number, "locations": []},
        )
        option = _location_option(
            row, meters[row.location_id], waiting=row.pk in waiting, bounds=date_bounds(row, organisation)
        )
        contract["locations"].append(option)
    return list(contracts.values())


def _active_meters(rows: list[ContractLocation]) -> dict[int, list[Meter]]:
    """The active meters at the rows' locations, by location (one query)."""
    meters = defaultdict(list)
    for meter in (
        Meter.objects.filter(location_id__in={row.location_id for row in rows}, active=True)
        .select_related("service")
        .order_by("pk")
    ):
        meters[meter.location_id].append(meter)
    return meters


def _move_outs_waiting(rows: list[ContractLocation]) -> set[int]:
    """The rows with a move-out already reported and not done yet (one query)."""
    return set(
        MoveOutRequest.objects.filter(
            contract_location__in=rows,
            status__in=[RequestStatus.SUBMITTED, RequestStatus.SCHEDULED, RequestStatus.CORRECTION],
        ).values_list("contract_location_id", flat=True)
    )


def _location_option(row: ContractLocation, meters: list[Meter], *, waiting: bool, bounds: tuple) -> dict:
    """A location of a contract, the days a move-out may be for, and the meters of the services
    the contract delivers there."""
    services = list(row.services or [])
    return {
        "id": row.location_id,
        "address": row.location.one_line,
        "services": services,
        "move_in_date": row.move_in_date,
        "move_out_waiting": waiting,
        "earliest_move_out_date": bounds[0],
        "latest_move_out_date": bounds[1],
        "meters": [
            {
                "id": meter.pk,
                "number": meter.number,
                "service": meter.service.code,
                "unit": meter.service.unit,
            }
            for meter in meters
            if meter.service.code in services
        ],
    }
