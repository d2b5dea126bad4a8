"""What each process keeps of the answers cached under data versions, and the downloads that read
them (tenants.data_versions fetch/store, portal_api.read_cache, ResidentMixin.kept_object).

On committed data in an organisation of its own (tests.support.committed_organisation): a copy is
never stale, because its key names the versions another process's write changes; a download is
recorded every time without emptying the organisation's cached answers.
"""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from core.durability import commit_without_waiting
from documents.models import Document, DocumentView
from tenants import data_versions
from tests.support.committed_organisation import SCHEMA
from tests.support.consumption_data import add_meters, day_rows, ingest_rows


@pytest.fixture
def resident(committed_resident):
    """The committed organisation's resident (tests.support.committed_organisation)."""
    return committed_resident


def _amounts(client) -> dict[str, str]:
    return {
        row["number"]: row["amount_open"] for row in client.get("/api/portal/invoices/").json()["results"]
    }


def test_another_process_write_is_seen_although_this_process_kept_a_copy(resident):
    """Another process's connection writes and bumps the version after its COMMIT (as its
    database backend does); this process's copy is under the old version and is not used."""
    client, ext = resident["client"], resident["ext"]
    before = _amounts(client)
    with psycopg.connect(_dsn(), autocommit=True) as other:
        other.execute(
            f'UPDATE "{SCHEMA}".invoicing_invoice SET amount_open = 43.21 WHERE number = %s', [f"{ext}-F0000"]
        )
    assert _amounts(client) == before  # nothing told this process yet: the kept answer
    data_versions.bump([SCHEMA])  # what the other process's backend does right after its COMMIT
    assert _amounts(client)[f"{ext}-F0000"] == "43.21"


def _dsn() -> str:
    database = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(
        dbname=connection.settings_dict["NAME"],
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
    )


def test_copies_are_bounded_in_bytes_expire_and_are_never_shared_objects(settings):
    settings.VERSIONED_LOCAL_BYTES = 1_000
    copies = data_versions._LocalCopies()
    for number in range(20):
        copies.put(f"k{number}", bytes(100))
    assert copies.get("k0") is None  # the oldest made room
    assert copies.get("k19") == bytes(100)
    assert sum(copies.get(f"k{number}") is not None for number in range(20)) == 10
    copies.put("large", bytes(200))  # over an eighth of the bound: not kept here
    assert copies.get("large") is None
    copies.put("brief", b"x", seconds=0)
    assert copies.get("brief") is None  # expired at once

    data_versions.store("dvk:test:object", {"list": [1]}, timeout=60)
    first = data_versions.fetch("dvk:test:object")
    first["list"].append(2)
    assert data_versions.fetch("dvk:test:object") == {"list": [1]}


def _documents(client) -> list[dict]:
    return client.get("/api/portal/documents/").json()["results"]


def test_every_document_opening_is_recorded_and_leaves_the_cached_answers_alone(resident):
    client = resident["client"]
    document = _documents(client)[0]
    before = data_versions.current_versions(SCHEMA)
    for _ in range(2):
        response = client.get(f"/api/portal/documents/{document['id']}/download/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content)
    assert data_versions.current_versions(SCHEMA) == before
    with schema_context(SCHEMA):
        assert DocumentView.objects.filter(document_id=document["id"]).count() == 2
        assert ActivityEvent.objects.filter(data__document=document["id"]).count() == 2


def test_a_removed_document_cannot_be_downloaded_the_next_moment(resident):
    client = resident["client"]
    document = _documents(client)[0]
    assert client.get(f"/api/portal/documents/{document['id']}/download/").status_code == 200
    with schema_context(SCHEMA):
        Document.objects.filter(pk=document["id"]).delete()
    assert client.get(f"/api/portal/documents/{document['id']}/download/").status_code == 404


def test_every_invoice_pdf_opening_is_recorded(resident):
    client = resident["client"]
    invoice = client.get("/api/portal/invoices/").json()["results"][0]
    for _ in range(3):
        assert client.get(f"/api/portal/invoices/{invoice['id']}/pdf/").status_code == 200
    with schema_context(SCHEMA):
        assert ActivityEvent.objects.filter(data__invoice=invoice["number"]).count() == 3


def test_a_consumption_csv_is_kept_revalidated_and_new_after_ingestion(resident):
    client = resident["client"]
    meter = next(iter(add_meters(resident, schema=SCHEMA).values()))
    ingest_rows(day_rows(meter, date(2026, 3, 4), value="1.00"), schema=SCHEMA)
    path = "/api/portal/consumption/download/?start=2026-03-01&end=2026-03-31"
    first = client.get(path)
    body = b"".join(first.streaming_content)
    assert first["Content-Disposition"] == 'attachment; filename="consumption-2026-03-01-2026-03-31.csv"'
    with CaptureQueriesContext(connection) as captured:
        again = client.get(path)
    assert again.content == body
    assert again["Content-Type"] == first["Content-Type"]
    assert not captured.captured_queries
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    ingest_rows(day_rows(meter, date(2026, 3, 5), value="2.00"), schema=SCHEMA)
    assert b"".join(client.get(path).streaming_content) != body


def test_read_receipts_do_not_wait_for_the_disk_unless_inside_another_transaction(committed_org):
    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    default = setting()  # "on" on PostgreSQL's defaults ("off" for the whole local Citus cluster)
    with commit_without_waiting():
        assert setting() == "off"
    assert setting() == default
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO on")
        with commit_without_waiting():
            assert setting() == "on"  # the outer transaction may hold writes that must wait
