"""Host name -> organisation resolution, served from process memory on a warm cache.

Every worker process keeps its own map of host names to organisation snapshots. A single version
in the shared cache (Redis; the data version ``ROUTING_SCOPE``) says whether that map may still be
trusted: any change to a domain or an organisation bumps it, and the next request of every process
sees the new version, drops its map and reads the database again. A request on a warm cache reads
that version in the same round trip as its schema's data versions and runs no database query. When
Redis cannot be reached, the map is not trusted and the database is asked.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery

from . import data_versions
from .models import Domain, Organisation

_FIELDS = tuple(field.attname for field in Organisation._meta.concrete_fields)
_SCHEMA_INDEX = _FIELDS.index("schema_name")
ROUTING_SCOPE = "routing"  # the data version every host map is checked against


@dataclass(frozen=True)
class _Entry:
    values: tuple | None  # None: the host is not a portal domain
    primary_domain: str | None
    stored_at: float


class HostRoutingTable:
    """Per-process LRU of host -> organisation snapshot, guarded by the shared version key."""

    def __init__(self, max_entries: int = 20_000, max_age_seconds: float = 300.0) -> None:
        self.max_entries = max_entries
        self.max_age_seconds = max_age_seconds
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._version: str | None = None
        self._lock = threading.Lock()

    # -- public ----------------------------------------------------------------------------------
    def resolve(self, host: str) -> Organisation | None:
        return self.resolve_with_version(host)[0]

    def resolve_with_version(self, host: str) -> tuple[Organisation | None, str | None]:
        """The organisation and the routing version it was checked against (None: no Redis)."""
        version = current_version()
        if version is None:
            # No shared version to check against: do not trust anything held in memory.
            with self._lock:
                self._entries.clear()
                self._version = None
            return self._build(self._load(host)), None
        now = time.monotonic()
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version
            entry = self._entries.get(host)
            if entry is not None and now - entry.stored_at < self.max_age_seconds:
                self._entries.move_to_end(host)
                return self._build(entry), version
        entry = self._load(host)
        with self._lock:
            if self._version == version:
                self._entries[host] = entry
                self._entries.move_to_end(host)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return self._build(entry), version

    def known_schema(self, host: str) -> str | None:
        """The schema this process last resolved ``host`` to, not checked against the routing
        version: only a guess, for reading that schema's data versions in the same round trip."""
        with self._lock:
            entry = self._entries.get(host)
        return entry.values[_SCHEMA_INDEX] if entry is not None and entry.values is not None else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._version = None

    # -- internals -------------------------------------------------------------------------------
    @staticmethod
    def _load(host: str) -> _Entry:
        primary = Domain.objects.filter(tenant=OuterRef("pk"), is_primary=True).values("domain")[:1]
        row = (
            Organisation.objects.filter(domains__domain=host)
            .annotate(_primary_domain=Subquery(primary))
            .values_list(*_FIELDS, "_primary_domain")
            .first()
        )
        if row is None:
            return _Entry(values=None, primary_domain=None, stored_at=time.monotonic())
        return _Entry(values=tuple(row[:-1]), primary_domain=row[-1], stored_at=time.monotonic())

    @staticmethod
    def _build(entry: _Entry) -> Organisation | None:
        if entry.values is None:
            return None
        values = list(entry.values)
        features_index = _FIELDS.index("features")
        values[features_index] = dict(values[features_index] or {})
        organisation = Organisation.from_db("default", _FIELDS, values)
        organisation.primary_domain = entry.primary_domain
        return organisation


routing_table = HostRoutingTable()


def current_version() -> str | None:
    """The routing version: a data version of its own (read with the schema's when the middleware
    could guess the schema, see ``known_schema``)."""
    found = data_versions.versions(ROUTING_SCOPE)
    return found[0] if found else None


def bump_version() -> None:
    """Make every process drop its host map.

    The version is published twice: at once, so this transaction's own later requests see the
    change, and after commit, so that an entry another process loaded in between (still seeing
    the old row) is dropped too.
    """

    def publish() -> None:
        data_versions.bump([ROUTING_SCOPE])
        routing_table.clear()

    publish()  # now, for this process and transaction; again after commit, for everyone
    transaction.on_commit(publish)
