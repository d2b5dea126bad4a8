"""Meter readings a resident enters (moving in, moving out, correcting one): checked at entry.

One rule for every form and the API, so a reading staff would not be able to record is refused
while the resident still has the meter in front of them, with the last known reading and its date:

- not below the meter's last known reading (its latest actual register reading before the moment);
- not above a later one (a moving day in the past, with readings stored after it);
- not above a plausible maximum: the last known reading plus, per day since then, four times the
  meter's average daily consumption over the year before (its interval data, else its register
  readings), at least a tenth of the service's daily cap; with no history at all, the daily cap
  (``DAILY_CAP``: 1,000 kWh, 1 MWh, 3.6 GJ or 100 m³ a day, far above any home's coldest day).

A meter without any stored register reading cannot be checked: its first reading is taken as given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import DailyConsumption, Meter, RegisterReading, Source

# Four times the yearly average: the coldest weeks use two to three times as much as an average day.
FACTOR = 4
HISTORY_DAYS = 365
DAILY_CAP = {"kWh": Decimal(1000), "MWh": Decimal(1), "GJ": Decimal("3.6"), "m3": Decimal(100)}


@dataclass(frozen=True)
class KnownReading:
    taken_at: datetime
    value: Decimal


@dataclass(frozen=True)
class Bounds:
    """The meter's actual register readings around a moment."""

    previous: KnownReading | None  # the last one before it
    following: KnownReading | None  # the first one after it


def register_bounds(meter_ids: list[int], moment: datetime) -> dict[int, Bounds]:
    """Per meter, the last actual register reading before ``moment`` and the first after (two queries)."""
    actual = RegisterReading.objects.filter(meter_id__in=meter_ids, source=Source.ACTUAL)
    before = {
        meter_id: KnownReading(taken_at, value)
        for meter_id, taken_at, value in actual.filter(taken_at__lt=moment)
        .order_by("meter_id", "-taken_at")
        .distinct("meter_id")
        .values_list("meter_id", "taken_at", "value")
    }
    after = {
        meter_id: KnownReading(taken_at, value)
        for meter_id, taken_at, value in actual.filter(taken_at__gt=moment)
        .order_by("meter_id", "taken_at")
        .distinct("meter_id")
        .values_list("meter_id", "taken_at", "value")
    }
    return {pk: Bounds(before.get(pk), after.get(pk)) for pk in meter_ids}


def _interval_rates(meters: dict[int, Meter], moment: datetime, zone) -> dict[int, Decimal]:
    """Average actual consumption per day over the year before the moment's day, from the daily aggregates."""
    last_day = timezone.localtime(moment, zone).date()
    rows = (
        DailyConsumption.objects.filter(
            meter_id__in=list(meters),
            day__gte=last_day - timedelta(days=HISTORY_DAYS),
            day__lt=last_day,
            actual_intervals__gt=0,
        )
        .values("meter_id")
        .annotate(total=Sum("value"), intervals=Sum("actual_intervals"))
    )
    return {
        row["meter_id"]: row["total"] / row["intervals"] * (1440 // meters[row["meter_id"]].interval_minutes)
        for row in rows
        if row["total"] is not None
    }


def _register_rates(bounds: dict[int, Bounds], meter_ids: list[int]) -> dict[int, Decimal]:
    """Average consumption per day between the earliest register reading of the year before the
    last one and the last one (one query)."""
    condition = Q()
    for pk in meter_ids:
        last = bounds[pk].previous
        condition |= Q(
            meter_id=pk,
            taken_at__gte=last.taken_at - timedelta(days=HISTORY_DAYS),
            taken_at__lt=last.taken_at,
        )
    if not condition:
        return {}
    earliest = (
        RegisterReading.objects.filter(condition, source=Source.ACTUAL)
        .order_by("meter_id", "taken_at")
        .distinct("meter_id")
        .values_list("meter_id", "taken_at", "value")
    )
    rates = {}
    for pk, taken_at, value in earliest:
        last = bounds[pk].previous
        days = Decimal((last.taken_at - taken_at).total_seconds()) / 86400
        if days >= 1 and last.value >= value:
            rates[pk] = (last.value - value) / days
    return rates


def _number(value: Decimal) -> str:
    """In the active language, grouped, with the decimals the value has (30,926 or 1.234,5)."""
    value = value.normalize()
    decimals = max(0, -value.as_tuple().exponent)
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _day(moment: datetime, zone) -> str:
    return formats.date_format(timezone.localtime(moment, zone).date(), "SHORT_DATE_FORMAT")


def check_entered_readings(*, readings: list[dict], moment: datetime, organisation) -> dict[int, str]:
    """What is wrong with each reading (``{"meter_id", "value"}``) taken at ``moment``: meter id ->
    message in the active language; a plausible reading is not in the answer. Five queries at most."""
    ids = [row["meter_id"] for row in readings]
    meters = {meter.pk: meter for meter in Meter.objects.filter(pk__in=ids).select_related("service")}
    bounds = register_bounds(list(meters), moment)
    known = [pk for pk in meters if bounds[pk].previous is not None]
    rates = _interval_rates({pk: meters[pk] for pk in known}, moment, organisation.zone) if known else {}
    rates.update(_register_rates(bounds, [pk for pk in known if pk not in rates]))
    problems = {}
    for row in readings:
        meter = meters.get(row["meter_id"])
        if meter is None:
            continue
        value, unit = Decimal(str(row["value"])), meter.service.get_unit_display()
        previous, following = bounds[meter.pk].previous, bounds[meter.pk].following
        if previous is not None and value < previous.value:
            problems[meter.pk] = _(
                "This is below the last known reading of this meter: %(value)s %(unit)s on %(date)s. "
                "Check the meter and enter the reading it shows."
            ) % {
                "value": _number(previous.value),
                "unit": unit,
                "date": _day(previous.taken_at, organisation.zone),
            }
        elif following is not None and value > following.value:
            problems[meter.pk] = _(
                "This is above a later reading of this meter: %(value)s %(unit)s on %(date)s. "
                "Check the meter and enter the reading it shows."
            ) % {
                "value": _number(following.value),
                "unit": unit,
                "date": _day(following.taken_at, organisation.zone),
            }
        elif previous is not None:
            maximum = plausible_maximum(meter, previous, moment, rates.get(meter.pk))
            if value > maximum:
                problems[meter.pk] = _(
                    "This is much more than we expect: the last known reading of this meter is %(value)s "
                    "%(unit)s on %(date)s, so we expect at most %(maximum)s %(unit)s. Check the meter and "
                    "enter the reading it shows; contact us if it is right."
                ) % {
                    "value": _number(previous.value),
                    "unit": unit,
                    "date": _day(previous.taken_at, organisation.zone),
                    "maximum": _number(Decimal(math.ceil(maximum))),
                }
    return problems


def reading_errors(problems: dict[int, str], readings: list[dict]) -> list[dict]:
    """The ``readings`` field error of a form or API body: per reading, in its order,
    ``{"value": [why]}`` or ``{}`` for a good one (DRF's shape for a list of objects)."""
    return [{"value": [problems[row["meter_id"]]]} if row["meter_id"] in problems else {} for row in readings]


def plausible_maximum(
    meter: Meter, previous: KnownReading, moment: datetime, rate: Decimal | None
) -> Decimal:
    """The highest reading we believe at ``moment``: see the module's docstring."""
    cap = DAILY_CAP.get(meter.service.unit, DAILY_CAP["kWh"])
    per_day = cap if rate is None else max(rate * FACTOR, cap / 10)
    days = max(Decimal((moment - previous.taken_at).total_seconds()) / 86400, Decimal(1))
    return previous.value + per_day * days
