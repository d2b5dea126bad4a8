"""Checking meter readings row by row, as ingestion receives them (``consumption.ingestion``).

A batch repeats its timestamps (one per meter) and many values, so each distinct text is parsed
and checked once per batch; a row whose texts were seen before costs a few dictionary look-ups.
Problems are reported in a fixed order, the first one per row (``Refused``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .batch_duplicates import EPOCH
from .models import Source
from .reading_writes import moment_field, value_field

KINDS = ("interval", "register")
SOURCES = {"actual": Source.ACTUAL, "estimated": Source.ESTIMATED, "a": Source.ACTUAL, "e": Source.ESTIMATED}
# Distinct value texts remembered per batch (metered values repeat; a batch of all-different ones
# must not double its memory): beyond this, a value is parsed on every row.
VALUE_TEXTS_KEPT = 50_000
# No meter data before this year: older timestamps are typing errors (and 0001-01-01 with a
# positive offset cannot even be converted to UTC).
MIN_YEAR = 2000
# What one interval may hold: a million kWh (or m³, GJ) in one interval is far beyond any
# building, and keeps a month of 5-minute intervals well inside the aggregates' 14 integer digits.
MAX_INTERVAL_VALUE = Decimal("1000000")
# Register (meter index) values: the column holds 13 integer digits.
MAX_REGISTER_VALUE = Decimal("1e12")
# Decimals stored (every reading and aggregate column): in MWh the seventh decimal is 0.1 Wh, the
# resolution four decimals give in kWh; in GJ it is 0.03 Wh. A value with more is refused, never rounded.
MAX_DECIMALS = 7
_STEP = Decimal(1).scaleb(-MAX_DECIMALS)


class TimestampError(ValueError):
    pass


def parse_timestamp(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except (TypeError, ValueError) as exc:
        raise TimestampError(_("not an ISO 8601 timestamp")) from exc
    if moment.tzinfo is None:
        raise TimestampError(_("the timestamp needs a UTC offset, e.g. 2026-03-01T00:15:00+01:00"))
    if moment.year < MIN_YEAR:
        raise TimestampError(_("the timestamp is before %(year)s") % {"year": MIN_YEAR})
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:  # e.g. 9999-12-31T23:00:00-05:00
        raise TimestampError(_("not an ISO 8601 timestamp")) from exc


@dataclass(frozen=True)
class MeterBounds:
    """A meter as validation needs it: its id, interval and the moments it was in place."""

    pk: int
    interval_minutes: int
    not_before: datetime | None = None
    not_after: datetime | None = None  # exclusive


class Refused(Exception):
    """Why one row is refused, and the field to blame."""

    def __init__(self, message: str, field_name: str = "non_field_errors"):
        super().__init__(message)
        self.message, self.field_name = message, field_name


class RowChecker:
    """Checks rows in the order their problems are reported. A batch repeats its timestamps (one
    per meter) and many values, so each distinct text is parsed and checked once per batch; a row
    whose texts were seen before costs a few dictionary look-ups."""

    def __init__(self, meters: dict[str, MeterBounds], now: datetime, zone):
        self.meters, self.now, self.zone = meters, now, zone
        # text -> (UTC moment, its binary COPY field, local day, minute or -1 off the minute, time
        # since 1970) or the refusal
        self.stamps: dict[str, tuple | Refused] = {}
        # text -> (value, its binary COPY field, why it cannot be an interval's or None) or the refusal
        self.values: dict[str, tuple | Refused] = {}

    def usual(self, raw: object, index: int) -> tuple | None:
        """The row (``_Parsed``) of a good interval reading whose texts were all seen before, as
        most are, checked with the fewest steps; None for any other row, which ``reading`` checks."""
        if type(raw) is not dict:
            return None
        try:
            meter = self.meters[raw["meter"]]
            stamp = self.stamps[raw["timestamp"]]
            value = self.values[raw["value"]]
            source = SOURCES[raw.get("source") or "actual"]
        except (KeyError, TypeError):  # unknown or unhashable: the full check says which
            return None
        if type(stamp) is not tuple or type(value) is not tuple or value[2] is not None:
            return None
        moment, minute = stamp[0], stamp[3]
        if (
            (raw.get("kind") or "interval") != "interval"
            or (meter.not_before and moment < meter.not_before)
            or (meter.not_after and moment >= meter.not_after)
            or minute < 0
            or minute % meter.interval_minutes
        ):
            return None
        return (meter.pk, moment, value[0], source, index, stamp[1], stamp[2], value[1], stamp[4])

    def reading(self, raw: object) -> tuple:
        """(is an interval, meter, stamp, value, source) of a good row; ``Refused`` for the first problem."""
        if type(raw) is not dict and not isinstance(raw, dict):
            raise Refused(_("each reading must be an object"))
        key = raw.get("meter", "")
        meter = self.meters.get(key) if type(key) is str else None
        if meter is None and (meter := self.meters.get(str(key).strip())) is None:
            raise Refused(_("unknown meter"), "meter")
        text = raw.get("timestamp", "")
        stamp = self.stamps.get(text) if type(text) is str else None
        if type(stamp) is not tuple:
            stamp = self._stamp(text)
        if (meter.not_before and stamp[0] < meter.not_before) or (
            meter.not_after and stamp[0] >= meter.not_after
        ):
            raise Refused(_("the meter was not in place at this time"), "timestamp")
        kind = raw.get("kind") or "interval"
        if kind not in KINDS and (kind := str(kind).strip()) not in KINDS:
            raise Refused(_("kind must be interval or register"), "kind")
        text = raw.get("value", "")
        value = self.values.get(text) if type(text) is str else None
        if type(value) is not tuple:
            value = self._value(text)
        source = raw.get("source") or "actual"
        if (source := SOURCES.get(source) if type(source) is str else None) is None and (
            source := SOURCES.get(str(raw.get("source") or "actual").strip().lower())
        ) is None:
            raise Refused(_("source must be actual or estimated"), "source")
        if kind == "interval":
            if value[2] is not None:
                raise Refused(*value[2])
            if stamp[3] < 0 or stamp[3] % meter.interval_minutes:  # -1: seconds given
                raise Refused(
                    _("not the start of one of the meter's %(minutes)s-minute intervals")
                    % {"minutes": meter.interval_minutes},
                    "timestamp",
                )
            return True, meter, stamp, value, source
        return False, meter, stamp, value, source

    def _stamp(self, text: object) -> tuple:
        known = self.stamps.get(text) if type(text) is str else None
        if known is None:
            known = self._parse_stamp(text)
            if type(text) is str:
                self.stamps[text] = known
        if type(known) is Refused:
            raise Refused(known.message, known.field_name)  # a new one: a raised one keeps its traceback
        return known

    def _parse_stamp(self, text: object) -> tuple | Refused:
        """The row's timestamp in UTC, not in the future (the meter's dates are checked per row)."""
        try:
            moment = parse_timestamp(text)
        except TimestampError as exc:
            return Refused(str(exc), "timestamp")
        if moment > self.now:
            return Refused(_("the timestamp is in the future"), "timestamp")
        minute = -1 if moment.second or moment.microsecond else moment.minute
        since = moment - EPOCH
        return moment, moment_field(since), moment.astimezone(self.zone).date(), minute, since

    def _value(self, text: object) -> tuple:
        known = self.values.get(text) if type(text) is str else None
        if known is None:
            try:
                value = _parse_value(str(text).strip())
                known = (value, value_field(value), _interval_problem(value))
            except Refused as refusal:
                known = refusal
            if type(text) is str and len(self.values) < VALUE_TEXTS_KEPT:
                self.values[text] = known
        if type(known) is Refused:
            raise Refused(known.message, known.field_name)
        return known


def _parse_value(text: str) -> Decimal:
    """A finite number within range, with no more decimals than are stored."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Refused(_("not a number"), "value") from None
    if not value.is_finite() or abs(value) >= MAX_REGISTER_VALUE:
        raise Refused(_("not a usable number"), "value")
    # Nine characters without an exponent hold seven decimals at most ("0.1234567"): only
    # longer texts are compared with their value at seven decimals (below 1e12, so it fits).
    if (len(text) > 9 or "e" in text or "E" in text) and value != value.quantize(_STEP):
        raise Refused(
            _(
                "more than %(decimals)s decimals: values are stored with at most %(decimals)s; round the value at the source"
            )
            % {"decimals": MAX_DECIMALS},
            "value",
        )
    return value


def _interval_problem(value: Decimal) -> tuple[str, str] | None:
    """Why this value cannot be an interval's consumption (negative, implausible): (message, field)."""
    if value < 0:
        return _("interval consumption cannot be negative"), "value"
    if value > MAX_INTERVAL_VALUE:
        return (
            _("more than %(maximum)s in one interval is not a plausible reading")
            % {"maximum": f"{MAX_INTERVAL_VALUE:,}"},
            "value",
        )
    return None
