"""Commits that need not wait for the disk: records of reads (a download's activity entry).

PostgreSQL's ``synchronous_commit = off`` for one transaction returns from COMMIT before the WAL
reaches the disk. The database stays consistent; a crash of PostgreSQL itself can lose the last
fraction of a second of such transactions (three times ``wal_writer_delay``, 0.6 s by default),
never half of one. Only for rows whose loss in a crash is acceptable: what a resident opened, not
what anyone changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def commit_without_waiting() -> Iterator[None]:
    """A transaction whose COMMIT does not wait for the WAL flush. Inside an outer transaction it
    changes nothing: that one may hold writes that must wait. Usable as a decorator."""
    with transaction.atomic():
        if len(connection.atomic_blocks) == 1:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
