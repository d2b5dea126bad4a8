"""Download my data: asking for an archive, building it in the background, the one download.

One archive at a time per customer: asking again while one is being prepared answers that one. A
ready archive is announced by email with a link that works once, for the resident logged in, until
it expires (``DATA_EXPORT_DAYS``); then the file is deleted. The link's key is kept only as a hash.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from communications.services import queue_email
from core.errors import RuleViolation
from core.publishing import publish
from core.storage import delete_after_commit
from memberships.services.common import portal_link

from .archive import write_archive
from .models import DataExport

logger = logging.getLogger(__name__)


def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _dispatch(export_id: int, schema_name: str) -> None:
    from .tasks import build_data_export  # the task calls back into this module

    publish(build_data_export, export_id, schema_name=schema_name)


@transaction.atomic
def request_export(*, account) -> DataExport:
    """A new archive of the account's customer, or the one still being prepared."""
    customer = account.customer
    busy = (
        DataExport.objects.for_customer(customer)
        .select_for_update()
        .filter(status__in=(DataExport.Status.QUEUED, DataExport.Status.BUILDING))
        .first()
    )
    if busy is not None:
        return busy
    export = DataExport.objects.create(customer=customer, requested_by=account, language=account.language)
    transaction.on_commit(partial(_dispatch, export.pk, connection.schema_name))
    return export


def _set_progress(export_id: int, percent: int) -> None:
    DataExport.objects.filter(pk=export_id).update(progress=min(percent, 99))


@dataclass(frozen=True)
class BuiltArchive:
    export: DataExport
    raw_key: str


def build_export(*, export_id: int, organisation) -> str:
    """Build the archive of a queued export (run by the task in the organisation's schema)."""
    claimed = DataExport.objects.filter(pk=export_id, status=DataExport.Status.QUEUED).update(
        status=DataExport.Status.BUILDING, progress=1
    )
    if not claimed:
        return "not queued"
    export = DataExport.objects.select_related("customer", "requested_by__user").get(pk=export_id)
    try:
        with tempfile.TemporaryFile() as target, override(export.language):
            write_archive(
                target,
                customer=export.customer,
                account=export.requested_by,
                organisation=organisation,
                language=export.language,
                progress=partial(_set_progress, export_id),
            )
            built = _store(export, target)
    except Exception:
        logger.exception("Data export %s failed", export_id)
        DataExport.objects.filter(pk=export_id).update(status=DataExport.Status.FAILED)
        raise
    _announce(built, organisation=organisation)
    return "ready"


@transaction.atomic
def _store(export: DataExport, target) -> BuiltArchive:
    raw = secrets.token_urlsafe(32)
    stamp = timezone.localtime().strftime("%Y%m%d")
    target.seek(0, 2)
    export.size = target.tell()
    target.seek(0)
    export.file.save(
        f"data-{export.customer.customer_number}-{stamp}-{export.pk}.zip", File(target), save=False
    )
    export.status = DataExport.Status.READY
    export.progress = 100
    export.token_hash = _key_hash(raw)
    export.ready_at = timezone.now()
    export.expires_at = export.ready_at + timedelta(days=settings.DATA_EXPORT_DAYS)
    export.save()
    return BuiltArchive(export, raw)


def _announce(built: BuiltArchive, *, organisation) -> None:
    export = built.export
    account = export.requested_by
    if account is None:
        return
    with transaction.atomic():
        queue_email(
            template="data_export_ready",
            to=account.login_email,
            language=export.language,
            organisation=organisation,
            context={
                "download_url": portal_link(organisation, f"/my-details/data/{built.raw_key}/"),
                "expires_at": export.expires_at,
            },
        )


def _refused(message: str, code: str) -> RuleViolation:
    return RuleViolation(message, code=code, http_status=404)


@transaction.atomic
def claim_download(*, customer, raw_key: str) -> DataExport:
    """The archive behind an emailed link, for its own customer only; it works once."""
    export = (
        DataExport.objects.for_customer(customer)
        .select_for_update()
        .filter(token_hash=_key_hash(raw_key or ""))
        .first()
    )
    if export is None:
        raise _refused(_("This download link is not valid."), "token_invalid")
    if export.status != DataExport.Status.READY or export.expires_at <= timezone.now():
        raise _refused(
            _("This download link has been used or has expired. Ask for a new archive."), "token_used"
        )
    export.status = DataExport.Status.DOWNLOADED
    export.downloaded_at = timezone.now()
    export.save(update_fields=["status", "downloaded_at"])
    return export


def forget_file(export: DataExport) -> None:
    """Delete a downloaded or expired archive's file (after commit); the row stays as a record."""
    if export.file:
        delete_after_commit(export.file.name)
        DataExport.objects.filter(pk=export.pk).update(file="")


@transaction.atomic
def expire_exports(*, now=None) -> int:
    """Archives past their time, or downloaded: their files go (run daily in every organisation)."""
    now = now or timezone.now()
    stale = list(
        DataExport.objects.select_for_update()
        .filter(status=DataExport.Status.READY, expires_at__lte=now)
        .exclude(file="")
    )
    for export in stale:
        export.status = DataExport.Status.EXPIRED
        export.save(update_fields=["status"])
        forget_file(export)
    for export in DataExport.objects.filter(status=DataExport.Status.DOWNLOADED).exclude(file=""):
        forget_file(export)
    return len(stale)
