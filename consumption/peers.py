"""Comparison with similar customers: anonymous averages per m² of comparable locations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db import connection

from contracts.models import Location

from .selectors import MeterWindow

MIN_PEER_GROUP = 5
PEER_CACHE_SECONDS = 3600
AREA_BANDS = [(0, 50), (50, 75), (75, 100), (100, 150), (150, 250), (250, 500), (500, 1000), (1000, 10**9)]


def _band(area: int) -> tuple[int, int]:
    return next(band for band in AREA_BANDS if band[0] <= area < band[1])


def _peer_stats(
    *, service: str, year: int, building_type: str, band: tuple[int, int], customer_id: int
) -> dict[int, tuple[int, float]]:
    """month -> (locations in the group, average consumption per m²), over complete months only.

    The requester's own locations (all of them, not only those shown) are not part of their group
    nor of its size, so the cache key names the customer.
    """
    key = f"peers:{connection.schema_name}:{service}:{year}:{building_type}:{band[0]}:{customer_id}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT extract(month FROM mc.month)::int, count(DISTINCT l.id), avg(mc.value / l.floor_area_m2)
            FROM consumption_monthlyconsumption mc
            JOIN consumption_meter mt ON mt.id = mc.meter_id
            JOIN consumption_service s ON s.id = mt.service_id
            JOIN contracts_location l ON l.id = mt.location_id
            WHERE s.code = %s AND mc.month >= %s AND mc.month < %s
              AND l.building_type = %s AND l.floor_area_m2 >= %s AND l.floor_area_m2 < %s
              AND l.id NOT IN (
                  SELECT cl.location_id FROM contracts_contractlocation cl
                  JOIN contracts_contract c ON c.id = cl.contract_id WHERE c.customer_id = %s)
              AND mc.value IS NOT NULL AND mc.actual_intervals >= mc.expected_intervals
            GROUP BY 1
            """,
            [
                service,
                date(year, 1, 1),
                date(year + 1, 1, 1),
                building_type,
                band[0],
                band[1],
                customer_id,
            ],
        )
        stats = {month: (count, float(per_m2)) for month, count, per_m2 in cursor.fetchall()}
    cache.set(key, stats, PEER_CACHE_SECONDS)
    return stats


@dataclass(frozen=True)
class PeerProfile:
    """What makes homes similar: the most common building type and the average floor area's band;
    ``area`` is the total floor area the group's average per m² is multiplied by."""

    building_type: str
    band: tuple[int, int]
    area: int


def peer_profile(locations: list[Location]) -> PeerProfile | None:
    """None unless every location has a floor area."""
    areas = [location.floor_area_m2 for location in locations if location.floor_area_m2]
    if not locations or len(areas) != len(locations):
        return None
    building_type = max(
        sorted({loc.building_type for loc in locations}),
        key=lambda t: sum(loc.building_type == t for loc in locations),
    )
    return PeerProfile(building_type, _band(sum(areas) // len(areas)), sum(areas))


@dataclass
class _Group:
    total: float = 0.0  # the sum of every complete meter-month's consumption per m²
    rows: int = 0
    by_location: dict[int, tuple[float, int]] = field(default_factory=dict)


@dataclass
class MonthPeers:
    """Every location's complete consumption per m² in one month, grouped as ``peer_comparison``
    groups them (service, building type, floor-area band): read in one query for all customers."""

    groups: dict[tuple[str, str, int], _Group]

    def similar(self, *, service: str, profile: PeerProfile, own_locations: set[int]) -> Decimal | None:
        """The similar homes' average for ``profile``'s area, without the customer's own locations;
        None for a group smaller than ``MIN_PEER_GROUP``."""
        group = self.groups.get((service, profile.building_type, profile.band[0]))
        if group is None:
            return None
        own = [group.by_location[pk] for pk in own_locations if pk in group.by_location]
        rows = group.rows - sum(count for _total, count in own)
        if len(group.by_location) - len(own) < MIN_PEER_GROUP or rows <= 0:
            return None
        per_m2 = (group.total - sum(total for total, _count in own)) / rows
        return Decimal(str(per_m2 * profile.area)).quantize(Decimal("0.001"))


def month_peers(*, month: date) -> MonthPeers:
    """One query, whatever the number of customers compared afterwards (the daily usage alert)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.code, l.building_type, l.floor_area_m2, l.id, mc.value / l.floor_area_m2
            FROM consumption_monthlyconsumption mc
            JOIN consumption_meter mt ON mt.id = mc.meter_id
            JOIN consumption_service s ON s.id = mt.service_id
            JOIN contracts_location l ON l.id = mt.location_id
            WHERE mc.month = %s AND l.floor_area_m2 > 0
              AND mc.value IS NOT NULL AND mc.actual_intervals >= mc.expected_intervals
            """,
            [month],
        )
        groups: dict[tuple[str, str, int], _Group] = defaultdict(_Group)
        for service, building_type, area, location_id, per_m2 in cursor.fetchall():
            group = groups[(service, building_type, _band(area)[0])]
            total, count = group.by_location.get(location_id, (0.0, 0))
            group.by_location[location_id] = (total + float(per_m2), count + 1)
            group.total += float(per_m2)
            group.rows += 1
    return MonthPeers(dict(groups))


def peer_comparison(
    *, windows: list[MeterWindow], service: str, year: int, points: list[dict], customer_id: int
) -> dict:
    """How similar customers (same service, building type and size band) used energy, per month.

    Anonymous averages only, of other customers' locations, and only for groups of at least
    ``MIN_PEER_GROUP`` of them.
    """
    profile = peer_profile(list(Location.objects.filter(pk__in={w.location_id for w in windows})))
    if profile is None:
        return {"available": False, "reason": "no_floor_area", "months": []}
    building_type, band, area = profile.building_type, profile.band, profile.area
    stats = _peer_stats(
        service=service,
        year=year,
        building_type=building_type,
        band=band,
        customer_id=customer_id,
    )
    months = []
    for index, point in enumerate(points, start=1):
        count, per_m2 = stats.get(index, (0, 0.0))
        enough = count >= MIN_PEER_GROUP
        months.append(
            {
                "period": point["period"],
                "group_size": count if enough else None,
                "similar_value": str(Decimal(str(per_m2 * area)).quantize(Decimal("0.001")))
                if enough
                else None,
                "reason": None if enough else "group_too_small",
            }
        )
    available = any(month["similar_value"] for month in months)
    return {
        "available": available,
        "reason": None if available else "group_too_small",
        "building_type": building_type,
        "floor_area_band": {"from": band[0], "to": band[1]},
        "minimum_group_size": MIN_PEER_GROUP,
        "months": months,
    }
