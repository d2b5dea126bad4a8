"""Reads for moving in and out."""

from __future__ import annotations

from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat

from contracts.models import Location


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
    from collections import defaultdict

    from consumption.models import Meter
    from contracts.models import Contract, ContractLocation

    from .models import MoveOutRequest, RequestStatus
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
    meters = defaultdict(list)
    for meter in (
        Meter.objects.filter(location_id__in={row.location_id for row in rows}, active=True)
        .select_related("service")
        .order_by("pk")
    ):
        meters[meter.location_id].append(meter)
    waiting = set(
        MoveOutRequest.objects.filter(
            contract_location__in=rows,
            status__in=[RequestStatus.SUBMITTED, RequestStatus.SCHEDULED, RequestStatus.CORRECTION],
        ).values_list("contract_location_id", flat=True)
    )
    contracts: dict[int, dict] = {}
    for row in rows:
        first, last = date_bounds(row, organisation)
        contract = contracts.setdefault(
            row.contract_id,
            {"id": row.contract_id, "number": row.contract.number, "locations": []},
        )
        contract["locations"].append(
            {
                "id": row.location_id,
                "address": row.location.one_line,
                "services": list(row.services or []),
                "move_in_date": row.move_in_date,
                "move_out_waiting": row.pk in waiting,
                "earliest_move_out_date": first,
                "latest_move_out_date": last,
                "meters": [
                    {
                        "id": meter.pk,
                        "number": meter.number,
                        "service": meter.service.code,
                        "unit": meter.service.unit,
                    }
                    for meter in meters[row.location_id]
                    if meter.service.code in (row.services or [])
                ],
            }
        )
    return list(contracts.values())
