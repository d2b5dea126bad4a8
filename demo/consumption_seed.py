"""Demo meter data: two years of 15-minute readings for the demo contracts, with a gap.

Heating follows the seasons and the time of day, hot tap water the mornings and evenings, cooling
the summer. The demo contracts' meters also send their index (a register reading) every evening
at 23:00, so the usage profile has points. Seven neighbouring apartments (hourly meters, 72 to
84 m²) make a comparison group for Warmtenet Noord: a resident's own flat is never part of its
group, and the 78 m² demo flat's band (75-100 m²) still holds five of them.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from consumption.ingestion import ingest
from consumption.models import IntervalReading
from contracts.models import ContractLocation
from integration.importing import run_import

BATCH = 200_000
PEERS = 7
REGISTER_START = 10_000.0  # the index of every demo meter when the demo data starts


def _profile(service: str, moment: datetime, rng: random.Random) -> float:
    day_of_year = moment.timetuple().tm_yday
    winter = (math.cos((day_of_year - 15) / 365 * 2 * math.pi) + 1) / 2  # 1 in mid-January, 0 in July
    hour = (moment.hour + 1) % 24
    if service == "heating":
        daily = 1.2 if 6 <= hour <= 9 or 17 <= hour <= 22 else 0.7
        return max(0.0, (0.05 + 0.55 * winter) * daily * rng.uniform(0.8, 1.2))
    if service == "hot_tap_water":
        return 0.004 * rng.uniform(0.5, 1.5) if 6 <= hour <= 8 or 18 <= hour <= 21 else 0.0005
    if service == "cooling":
        return max(0.0, (1 - winter) * 0.8 * (1.5 if 11 <= hour <= 17 else 0.4) * rng.uniform(0.8, 1.2))
    return 0.1


def _readings(meters: list[tuple[str, str, int, bool]], start: datetime, end: datetime, gap, zone):
    """Interval rows per meter and, for meters with ``registers``, the index every evening at 23:00."""
    rng = random.Random(42)
    rows = []
    for external_id, service, minutes, registers in meters:
        moment, step = start, timedelta(minutes=minutes)
        scale = minutes / 15
        index = REGISTER_START
        while moment < end:
            local = moment.astimezone(zone)
            if not (gap and gap[0] == external_id and gap[1] <= local.date() <= gap[2]):
                if registers and local.hour == 23 and local.minute == 0:
                    # The index at 23:00: everything consumed before this interval.
                    rows.append(
                        {
                            "meter": external_id,
                            "timestamp": moment.isoformat(),
                            "kind": "register",
                            "value": f"{index:.3f}",
                        }
                    )
                value = round(_profile(service, moment, rng) * scale, 4)
                rows.append(
                    {
                        "meter": external_id,
                        "timestamp": moment.isoformat(),
                        "kind": "interval",
                        "value": f"{value:.4f}",
                    }
                )
                index += value
            if len(rows) >= BATCH:
                yield rows
                rows = []
            moment += step
    if rows:
        yield rows


def seed_consumption(organisation, spec, report: list[str]) -> None:
    if IntervalReading.objects.exists():
        report.append("meters     demo readings already ingested")
        return
    today = timezone.localdate(timezone=organisation.zone)
    start_day = date(today.year - 2, today.month, 1)
    meters, payload = [], {"meters": [], "locations": [], "tariffs": []}
    for row in ContractLocation.objects.filter(contract__external_id__startswith="demo-").select_related(
        "location"
    ):
        for service in row.services:
            external_id = f"demo-meter-{row.location.external_id}-{service}"
            payload["meters"].append(
                {
                    "external_id": external_id,
                    "number": f"M-{row.location_id:03d}-{service[:4].upper()}",
                    "location_external_id": row.location.external_id,
                    "service": service,
                }
            )
            meters.append((external_id, service, 15, True))
    if organisation.slug == "noord":
        for n in range(1, PEERS + 1):
            location = f"demo-NL-P{n}"
            payload["locations"].append(
                {
                    "external_id": location,
                    "street": "Stationsstraat",
                    "house_number": "12",
                    "box": str(10 + n),
                    "postal_code": "9000",
                    "city": "Gent",
                    "building_type": "apartment",
                    "floor_area_m2": 70 + n * 2,
                }
            )
            payload["meters"].append(
                {
                    "external_id": f"{location}-heat",
                    "number": f"M-P{n}-HEAT",
                    "location_external_id": location,
                    "service": "heating",
                    "interval_minutes": 60,
                }
            )
            meters.append((f"{location}-heat", "heating", 60, False))
    for service, price in (("heating", "0.11250"), ("hot_tap_water", "9.80000"), ("cooling", "0.09500")):
        payload["tariffs"].append(
            {
                "external_id": f"demo-tariff-{service}",
                "service": service,
                "unit_price": price,
                "fixed_monthly": "12.50",
                "vat_rate": "6",
                "valid_from": start_day.isoformat(),
            }
        )
    result = run_import(payload=payload)
    assert result["error_count"] == 0, result
    start = datetime(start_day.year, start_day.month, 1, tzinfo=organisation.zone).astimezone(UTC)
    end = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    # A two-week outage of the first demo meter's communication, a month ago.
    gap_start = today - timedelta(days=40)
    gap = (meters[0][0], gap_start, gap_start + timedelta(days=13)) if meters else None
    total = 0
    for rows in _readings(meters, start, end, gap, organisation.zone):
        total += ingest(rows=rows, organisation=organisation).accepted
    report.append(
        f"meters     {len(meters)} meters, {total:,} readings since {start_day} (gap {gap[1]}..{gap[2]} on {gap[0]})"
    )
