"""Writing validated readings: COPY straight into the readings table, else stage and merge.

Most batches carry readings not stored yet (a meter's next quarter hours). Their rows are COPYed
into the readings table itself, inside a savepoint, while the rest of the batch is still being
validated (``copy_new`` takes the rows in chunks): PostgreSQL stores one chunk while Python checks
the next. Nothing can be overwritten that way: a row whose meter and moment are already stored
(or get stored meanwhile by another transaction) fails the primary key, the savepoint is rolled
back and the batch takes the general path, ``merge``: COPY into a temporary table, drop the
estimates that would replace stored actual readings (refused, with the reason), and
``INSERT … ON CONFLICT DO UPDATE``.

Both COPYs use PostgreSQL's binary format, so the server parses no timestamp or number: it takes
an 8-byte count of microseconds and the numeric's base-10000 digits as they are. Rows are
``(meter_id, moment, value, source, index, moment field, day, value field)``; the fields are the
moment's and the value's binary COPY fields (length and bytes), made once per batch for each
distinct timestamp and value text (``reading_checks.RowChecker`` calls ``moment_field`` and
``value_field``), so a row costs only the joining of four byte strings when its chunk is written.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from decimal import Decimal

import psycopg
import psycopg.errors
from django.db import IntegrityError, transaction
from psycopg.adapt import PyFormat

from .models import Source

INGEST_WORK_MEM = "64MB"
# Rows per COPY write: few calls into psycopg, bounded memory, and PostgreSQL busy early.
CHUNK_ROWS = 5_000

# The binary COPY format (PostgreSQL's COPY documentation, "Binary Format"): a signature, 32-bit
# flags and header-extension length (both 0), then per row a 16-bit field count and each field as a
# 32-bit length and its bytes (the types' send formats), and a 16-bit -1 at the end.
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_TRAILER = b"\xff\xff"
_ROW_START = struct.Struct(">hiq")  # field count, then the meter id's length (8) and value (bigint)
_INDEX = struct.Struct(">ii")  # the staged rows' fifth field: length 4, the row's index (int)
_MOMENT = struct.Struct(">iq")  # length 8, microseconds since 2000-01-01 UTC (timestamptz)
_SINCE_2000 = timedelta(days=10_957)  # 2000-01-01 minus 1970-01-01
_MICROSECOND = timedelta(microseconds=1)
_NUMERIC = psycopg.adapters.get_dumper(Decimal, PyFormat.BINARY)(Decimal)
_SOURCES = {source: b"\x00\x00\x00\x01" + source.encode() for source in Source.values}

KEEP_ACTUALS = """
DELETE FROM {incoming} i USING {table} r
WHERE i.source = 'e' AND r.meter_id = i.meter_id AND r.{moment} = i.moment AND r.source = 'a'
RETURNING i.n
"""

# The batch holds one row per meter and moment (``_deduplicate``), so no DISTINCT ON (and its sort).
UPSERT = """
INSERT INTO {table} (meter_id, {moment}, value, source)
SELECT meter_id, moment, value, source FROM {incoming}
ON CONFLICT (meter_id, {moment}) DO UPDATE SET value = EXCLUDED.value, source = EXCLUDED.source
WHERE ({table}.value, {table}.source) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.source)
  AND NOT ({table}.source = 'a' AND EXCLUDED.source = 'e')
"""


def moment_field(since_1970: timedelta) -> bytes:
    """A UTC moment (given as its distance from 1970) as a binary COPY field of a timestamptz."""
    return _MOMENT.pack(8, (since_1970 - _SINCE_2000) // _MICROSECOND)


def value_field(value: Decimal) -> bytes:
    """A finite number as a binary COPY field of a numeric (the column's scale is applied on arrival)."""
    data = bytes(_NUMERIC.dump(value))
    return len(data).to_bytes(4, "big") + data


class _RowStarts(dict):
    """Meter id -> the bytes that open its rows (field count, meter id), made once per meter."""

    def __init__(self, fields: int):
        super().__init__()
        self.fields = fields

    def __missing__(self, meter_id: int) -> bytes:
        start = self[meter_id] = _ROW_START.pack(self.fields, 8, meter_id)
        return start


def _copy_binary(
    cursor, statement: str, chunks: Iterable[list[tuple]], encode: Callable[[list[tuple]], bytes]
) -> None:
    """COPY in binary format, one write per chunk of rows (no per-row call into psycopg)."""
    with cursor.copy(f"{statement} (FORMAT BINARY)") as copy:
        copy.write(_SIGNATURE)
        for chunk in chunks:
            copy.write(encode(chunk))
        copy.write(_TRAILER)


def copy_new(cursor, *, chunks: Iterator[list[tuple]], table: str, moment: str) -> bool:
    """COPY the rows of every chunk into the table; False (nothing stored) when one of their meter
    and moment is stored already. Every chunk is consumed either way (the rows are validated as
    they are produced)."""
    first = next(chunks, None)
    if first is None:
        return True
    try:
        with transaction.atomic():  # a savepoint, rolled back when a stored reading holds a moment
            _copy_binary(
                cursor,
                f"COPY {table} (meter_id, {moment}, value, source) FROM STDIN",
                itertools.chain([first], chunks),
                _plain_rows(),
            )
    except (IntegrityError, psycopg.Error) as error:
        if not _stored_already(error):
            raise
        for _chunk in chunks:  # the rest of the batch is still checked
            pass
        return False
    return True


def _stored_already(error: Exception) -> bool:
    """The COPY met a stored reading. PostgreSQL says unique_violation; on Citus the coordinator
    relays a worker's as an internal error (XX000) carrying the same message."""
    if isinstance(error, IntegrityError | psycopg.errors.UniqueViolation):
        return True
    message = getattr(getattr(error, "diag", None), "message_primary", None) or ""
    return isinstance(error, psycopg.errors.InternalError_) and message.startswith(
        "duplicate key value violates unique constraint"
    )


def amend(
    cursor, *, table: str, moment: str, replaced: list[tuple[tuple, tuple]], withdrawn: list[tuple]
) -> None:
    """After ``copy_new``: rows that a later row of the batch replaced, or that a clash withdrew."""
    if replaced:
        cursor.execute(
            f"UPDATE {table} r SET value = b.value, source = b.source "  # noqa: S608 - constant names
            "FROM unnest(%s::int[], %s::timestamptz[], %s::numeric[], %s::char(1)[]) AS b(meter_id, moment, value, source) "
            f"WHERE r.meter_id = b.meter_id AND r.{moment} = b.moment",
            [
                [first[0] for first, _ in replaced],
                [first[1] for first, _ in replaced],
                [row[2] for _, row in replaced],
                [row[3] for _, row in replaced],
            ],
        )
    if withdrawn:
        cursor.execute(
            f"DELETE FROM {table} r USING unnest(%s::int[], %s::timestamptz[]) AS b(meter_id, moment) "  # noqa: S608
            f"WHERE r.meter_id = b.meter_id AND r.{moment} = b.moment",
            [[row[0] for row in withdrawn], [row[1] for row in withdrawn]],
        )


def _plain_rows() -> Callable[[list[tuple]], bytes]:
    """Encodes a chunk as binary rows of (meter_id, moment, value, source)."""
    starts, sources = _RowStarts(4), _SOURCES
    return lambda chunk: b"".join([starts[row[0]] + row[5] + row[7] + sources[row[3]] for row in chunk])


def _staged_rows() -> Callable[[list[tuple]], bytes]:
    """Encodes a chunk as binary rows of (meter_id, moment, value, source, index)."""
    starts, sources, index = _RowStarts(5), _SOURCES, _INDEX.pack
    return lambda chunk: b"".join(
        [starts[row[0]] + row[5] + row[7] + sources[row[3]] + index(4, row[4]) for row in chunk]
    )


def merge(cursor, *, rows: list[tuple], incoming: str, table: str, moment: str) -> list[int]:
    """Stage and upsert; returns the indexes of estimates refused because an actual reading is stored."""
    cursor.execute(f"SET LOCAL work_mem = '{INGEST_WORK_MEM}'")  # the sorts of a large merge stay in memory
    # ON COMMIT DROP only drops at the outermost commit; a caller's transaction may hold an older one.
    cursor.execute(f"DROP TABLE IF EXISTS {incoming}")
    cursor.execute(
        f"CREATE TEMP TABLE {incoming} (meter_id bigint, moment timestamptz, value numeric, source char(1), n int) "
        "ON COMMIT DROP"
    )
    _copy_binary(
        cursor,
        f"COPY {incoming} (meter_id, moment, value, source, n) FROM STDIN",
        (rows[start : start + CHUNK_ROWS] for start in range(0, len(rows), CHUNK_ROWS)),
        _staged_rows(),
    )
    refused = []
    if any(row[3] == Source.ESTIMATED for row in rows):
        cursor.execute(KEEP_ACTUALS.format(incoming=incoming, table=table, moment=moment))
        refused = [index for (index,) in cursor.fetchall()]
    cursor.execute(UPSERT.format(incoming=incoming, table=table, moment=moment))
    return refused


def store(cursor, *, rows: list[tuple], incoming: str, table: str, moment: str) -> list[int]:
    """Store rows unique per meter and moment; returns the indexes of those refused (estimates over
    stored actual readings). An actual reading replaces an estimate or corrects an actual one."""
    if copy_new(cursor, chunks=iter([rows]), table=table, moment=moment):
        return []
    return merge(cursor, rows=rows, incoming=incoming, table=table, moment=moment)
