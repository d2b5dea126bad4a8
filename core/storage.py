"""Uploaded files per organisation: django-tenants' storage, rooted at ``MEDIA_ROOT/<schema>``.

The storage puts the current schema in front of every name when it opens, saves or deletes a file
and when it builds a URL (``/media/<schema>/...``), so models keep plain ``upload_to`` prefixes and a
stored name (``branding/logo.png``) means a different file in each organisation: one organisation
cannot reach another's file by its name. Code that touches files must therefore run in the schema
that owns them (a request on the organisation's domain, or ``schema_context`` / a tenant task).
"""

from __future__ import annotations

import logging

from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import connection, transaction
from django_tenants.files.storage import TenantFileSystemStorage
from django_tenants.utils import schema_context

logger = logging.getLogger(__name__)


class OrganisationFileStorage(TenantFileSystemStorage):
    """``TenantFileSystemStorage`` that also follows changes of ``MEDIA_ROOT`` and ``MEDIA_URL``.

    django-tenants 4.0.1 caches the media root and URL it derives from these settings and, through a
    slip (it passes the settings object to the parent instead of the setting's name), never forgets
    them when a test overrides ``MEDIA_ROOT``: files would go to the first folder ever used. Django's
    own reset is called directly, past the one with the slip.
    """

    def _clear_cached_properties(self, setting, **kwargs):
        FileSystemStorage._clear_cached_properties(self, setting, **kwargs)
        if setting in ("MEDIA_ROOT", "MULTITENANT_RELATIVE_MEDIA_ROOT"):
            self.__dict__.pop("relative_media_root", None)
        if setting in ("MEDIA_URL", "MULTITENANT_RELATIVE_MEDIA_ROOT"):
            self.__dict__.pop("relative_media_url", None)


def delete_after_commit(name: str, *, storage: Storage | None = None) -> None:
    """Delete a stored file once the current transaction commits, in the schema of the caller.

    The storage finds a name in the schema current when it runs, and an on-commit callback may run
    after the ``schema_context`` that registered it has ended (when an outer transaction commits
    later): the schema is therefore taken now. A file that cannot be deleted is logged and left.
    """
    if not name:
        return
    schema_name = connection.schema_name
    storage = storage or default_storage

    def delete() -> None:
        with schema_context(schema_name):
            try:
                storage.delete(name)
            except OSError:
                logger.warning("could not delete stored file %s in %s", name, schema_name)

    transaction.on_commit(delete)
