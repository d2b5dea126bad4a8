"""Rows of one batch for the same meter, kind and moment: which one is stored, and why the others are not.

Identical copies (same value and source): the first is kept, the others are reported as
duplicates. An actual reading replaces estimates of the same moment (reported as duplicates).
Different values where one must win: every row of that moment is refused (which one is right
cannot be told), so nothing is stored for it.

Rows are ``(meter_id, moment, value, source, index, …)`` tuples. ``FirstSeen`` finds the clashes
row by row, so ingestion can send each meter and moment's first row to PostgreSQL while it is still
validating the rest; ``settle`` then says which of those first rows must be replaced or withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _

from .models import Source

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class FirstSeen:
    """Per meter, moment -> the position of the batch's first row for it; later rows are clashes."""

    def __init__(self) -> None:
        # The moment as its distance from 1970: a timedelta hashes at a third of the cost of an aware
        # datetime, and a dictionary per meter spares a key tuple per row.
        self.first: dict[int, dict[timedelta, int]] = {}
        self.clashes: dict[int, list[int]] = {}  # first position -> later positions

    def add(self, row: tuple, position: int, since: timedelta | None = None) -> bool:
        """Record the row at this position; True when it is the first of its meter and moment
        (``since``: its moment minus ``EPOCH``, when the caller knows it)."""
        seen = self.first.get(row[0])
        if seen is None:
            seen = self.first[row[0]] = {}
        kept = seen.setdefault(row[1] - EPOCH if since is None else since, position)
        if kept == position:
            return True
        self.clashes.setdefault(kept, []).append(position)
        return False


@dataclass
class Settled:
    rows: list[tuple]  # at most one per meter and moment
    replaced: list[tuple[tuple, tuple]] = field(default_factory=list)  # (first row, the row stored instead)
    withdrawn: list[tuple] = field(default_factory=list)  # first rows of moments of which nothing is stored


def settle(rows: list[tuple], clashes: dict[int, list[int]], result) -> Settled:
    """Resolve each clash, reporting every row not stored (``result.refuse`` or ``result.discard``)."""
    if not clashes:
        return Settled(rows)
    settled = Settled([])
    dropped: set[int] = set()
    for kept, others in clashes.items():
        group = [rows[kept]] + [rows[position] for position in others]
        dropped.update(others)
        actual = [row for row in group if row[3] == Source.ACTUAL]
        contenders = actual or group
        if len({row[2] for row in contenders}) > 1:
            dropped.add(kept)
            settled.withdrawn.append(rows[kept])
            for row in group:
                result.refuse(
                    row[4],
                    _(
                        "another row of this batch has a different value for this meter and time; none is stored"
                    ),
                    "value",
                )
            continue
        winner = contenders[0]
        if winner is not group[0]:  # an actual reading after an estimate of the same moment
            dropped.add(kept)
            dropped.discard(others[group.index(winner) - 1])
            settled.replaced.append((rows[kept], winner))
        for row in group:
            if row is winner:
                continue
            reason = (
                _("an actual reading for this time in this batch replaces this estimate")
                if row[3] != winner[3]
                else _("the same reading as another row of this batch; stored once")
            )
            result.discard(row[4], kept=winner[4], reason=reason)
    settled.rows = [row for position, row in enumerate(rows) if position not in dropped]
    return settled


def deduplicate(rows: list[tuple], result) -> list[tuple]:
    """At most one row per meter and moment (rows of one kind). One dictionary pass, no query."""
    seen = FirstSeen()
    for position, row in enumerate(rows):
        seen.add(row, position)
    return settle(rows, seen.clashes, result).rows
