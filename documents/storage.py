"""Files written in a transaction live or die with it.

Storage is not transactional: a file saved inside a block that then rolls back would stay behind,
referenced by nothing. ``atomic_with_files`` opens the transaction and removes every file noted
with ``note_written`` if the block fails; files that a committed change replaced are deleted with
``delete_after_commit``, so a rollback never leaves a row pointing at a deleted file.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar

from django.core.files.storage import default_storage
from django.db import transaction

from core import storage as core_storage

logger = logging.getLogger(__name__)
_written: ContextVar[list[str] | None] = ContextVar("documents_written_files", default=None)


def _delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete stored file %s", name)


@contextlib.contextmanager
def atomic_with_files() -> Iterator[None]:
    """``transaction.atomic()`` that also deletes the files written inside it when it rolls back.

    Nested in an outer transaction, the files are kept once this block succeeds (they are only
    forgotten when the outer transaction commits).
    """
    written: list[str] = []
    token = _written.set(written)
    try:
        with transaction.atomic():
            transaction.on_commit(written.clear)
            yield
    except BaseException:
        _delete(list(written))
        raise
    finally:
        _written.reset(token)


def note_written(name: str) -> None:
    """Remember a file just saved, for ``atomic_with_files`` to remove if the transaction fails."""
    written = _written.get()
    if written is not None:
        written.append(name)


def delete_after_commit(name: str) -> None:
    """In the caller's schema, even if the commit comes after its ``schema_context`` (core.storage)."""
    core_storage.delete_after_commit(name)
