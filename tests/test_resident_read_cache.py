"""Resident answers from the cache (portal_api.read_cache) are never stale.

These tests work on committed data, as a server does (autocommit, real COMMITs), in an
organisation of their own that is dropped at the end: inside the usual test transaction nothing
commits, so every answer would come from the database (tenants.data_versions.has_uncommitted_writes).
Each test changes data through one kind of writer and expects the next GET to show it at once.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.http import FileResponse, HttpResponse
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.models import User
from activity.models import ActivityEvent
from consumption.models import Meter
from credentials.models import AccessToken
from documents.models import DocumentView
from portal_api import read_cache
from tenants import data_versions, written_tables
from tests.support.billing_data import billing_customer, invoice_row
from tests.support.committed_organisation import HOST, SCHEMA, import_payload
from tests.support.consumption_data import add_meters, day_rows, ingest_rows, organisation_today
from tests.support.moves import jpeg
from tests.support.residents import PASSWORD, resident_client


@pytest.fixture
def resident(committed_resident):
    """The committed organisation's resident (tests.support.committed_organisation)."""
    return committed_resident


def _invoice_numbers(client) -> list[str]:
    return sorted(row["number"] for row in client.get("/api/portal/invoices/").json()["results"])


def test_a_repeated_read_comes_from_the_cache_and_revalidates_with_its_etag(resident):
    client = resident["client"]
    first = client.get("/api/portal/invoices/")
    assert first.status_code == 200
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"
    with CaptureQueriesContext(connection) as fresh_queries:
        client.get("/api/portal/invoices/?page=1")
    with CaptureQueriesContext(connection) as cached_queries:
        again = client.get("/api/portal/invoices/")
    assert again.json() == first.json()
    assert again["ETag"] == etag
    assert len(cached_queries) < len(fresh_queries)  # the answer was not built again
    not_modified = client.get("/api/portal/invoices/", HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""


def test_an_import_shows_at_once(resident):
    client, ext = resident["client"], resident["ext"]
    before = client.get("/api/portal/invoices/")
    numbers = _invoice_numbers(client)
    import_payload({"invoices": [invoice_row(ext, f"{ext}-K1", 77)]})
    assert _invoice_numbers(client) == sorted([*numbers, f"{ext}-F0077"])
    assert client.get("/api/portal/invoices/", HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200


def test_a_residents_own_write_shows_at_once(resident):
    client = resident["client"]
    assert client.get("/api/portal/tickets/").json()["count"] == 0
    made = client.post(
        "/api/support/tickets/", {"kind": "question", "subject": "Radiator", "message": "Cold"}, format="json"
    )
    assert made.status_code == 201, made.content
    assert [t["subject"] for t in client.get("/api/portal/tickets/").json()["results"]] == ["Radiator"]


def test_a_configuration_change_shows_at_once(resident):
    from configuration.models import PortalPreferences

    client = resident["client"]
    assert client.get("/api/portal/overview/").json()["invoices_visible"] is True
    with schema_context(SCHEMA):
        PortalPreferences.objects.current()
        PortalPreferences.objects.update(invoices_visible=False)
    try:
        assert client.get("/api/portal/overview/").json()["invoices_visible"] is False
    finally:
        with schema_context(SCHEMA):
            PortalPreferences.objects.update(invoices_visible=True)


def test_raw_sql_shows_at_once(resident):
    client, ext = resident["client"], resident["ext"]
    number = f"{ext}-F0000"
    amounts = {
        row["number"]: row["amount_open"] for row in client.get("/api/portal/invoices/").json()["results"]
    }
    with schema_context(SCHEMA), connection.cursor() as cursor:
        cursor.execute("UPDATE invoicing_invoice SET amount_open = 12.34 WHERE number = %s", [number])
    after = {
        row["number"]: row["amount_open"] for row in client.get("/api/portal/invoices/").json()["results"]
    }
    assert amounts[number] != "12.34"
    assert after[number] == "12.34"


def test_ingested_readings_show_at_once(resident):
    client = resident["client"]
    meters = add_meters(resident, schema=SCHEMA)
    meter = next(iter(meters.values()))
    year = client.get("/api/portal/consumption/year/?service=heating&year=2026").json()
    ingest_rows(day_rows(meter, date(2026, 3, 4), value="1.00"), schema=SCHEMA)
    assert client.get("/api/portal/consumption/year/?service=heating&year=2026").json() != year


def test_a_write_to_a_shared_table_bumps_the_shared_version_only(resident):
    """Shared tables (the identities) are in every organisation's answers' keys."""
    before = data_versions.current_versions(SCHEMA)
    User.objects.filter(email=resident["email"]).update(is_active=True)
    after = data_versions.current_versions(SCHEMA)
    assert after[1] != before[1]
    assert after[0] == before[0]


def test_a_transaction_bumps_once_on_commit_and_not_on_rollback(committed_org):
    before = data_versions.current_versions(SCHEMA)
    with schema_context(SCHEMA):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE customers_customer SET last_name = last_name")
            assert data_versions.has_uncommitted_writes()
            assert data_versions.current_versions(SCHEMA) == before  # others cannot see it yet
        committed_version = data_versions.current_versions(SCHEMA)
        assert committed_version[0] != before[0]
        assert committed_version[1] == before[1]  # no shared table was written
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE customers_customer SET last_name = last_name")
            transaction.set_rollback(True)
        assert not data_versions.has_uncommitted_writes()
        assert data_versions.current_versions(SCHEMA) == committed_version


def test_a_copy_bumps_the_version(committed_org):
    before = data_versions.current_versions(SCHEMA)
    with schema_context(SCHEMA), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copied (n int) ON COMMIT DROP")
        with cursor.copy("COPY copied (n) FROM STDIN") as copy:
            copy.write_row([1])
    assert data_versions.current_versions(SCHEMA)[0] != before[0]


def test_writes_elsewhere_leave_this_organisation_cached(committed_org):
    before = data_versions.current_versions(SCHEMA)
    with schema_context("org_noord"), connection.cursor() as cursor:
        cursor.execute("UPDATE customers_customer SET last_name = last_name WHERE false")
    assert data_versions.current_versions(SCHEMA) == before


def test_two_residents_never_share_an_answer(resident, client_for):
    mine = _invoice_numbers(resident["client"])
    data = billing_customer(SCHEMA)
    other = resident_client(client_for, data, schema=SCHEMA, host=HOST)
    theirs = _invoice_numbers(other)
    assert theirs
    assert not set(theirs) & set(mine)
    assert _invoice_numbers(resident["client"]) == mine
    # A token of this domain is refused on another organisation's, before any cache is read.
    stranger = client_for("portal.noord.test")
    stranger.credentials(HTTP_AUTHORIZATION=other._credentials["HTTP_AUTHORIZATION"])
    assert stranger.get("/api/portal/invoices/").status_code == 401


@pytest.mark.parametrize(
    ("sql", "scopes"),
    [
        ("SELECT 1", set()),
        ("WITH x AS (SELECT 1) SELECT * FROM x", set()),
        ('UPDATE "invoicing_invoice" SET "amount_open" = 0', {SCHEMA}),
        ('INSERT INTO "accounts_user" ("email") VALUES (%s)', {written_tables.SHARED}),
        ('UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s', set()),
        (
            'UPDATE "credentials_accesstoken" SET "last_used_at" = %s, "last_ip" = %s WHERE "id" = %s',
            {f"{SCHEMA}.credentials_accesstoken:last_use"},
        ),
        ('DELETE FROM "credentials_accesstoken" WHERE "id" = %s', {f"{SCHEMA}.credentials_accesstoken"}),
        ('DELETE FROM "django_session" WHERE "session_key" = %s', set()),
        ('INSERT INTO "activity_activityevent" ("kind") VALUES (%s)', set()),
        ('INSERT INTO "org_noord"."documents_documentview" ("user_id") VALUES (%s)', set()),
        ('INSERT INTO "org_noord"."customers_customer" VALUES (1)', {"org_noord"}),
        ("COPY consumption_reading FROM STDIN", {SCHEMA}),
        (
            "WITH gone AS (DELETE FROM support_ticket RETURNING id) SELECT count(*) FROM gone",
            {SCHEMA, written_tables.SHARED},
        ),
        ("ALTER TABLE support_ticket ADD COLUMN x int", {SCHEMA, written_tables.SHARED}),
    ],
)
def test_which_statements_write_where(db, sql, scopes):
    assert written_tables.written_scopes(sql, schema=SCHEMA) == scopes


def test_the_ignored_tables_are_real_tables(db):
    from django.apps import apps

    tables = {model._meta.db_table for model in apps.get_models()}
    assert tables >= written_tables.IGNORED_TABLES


def _every_version() -> dict:
    return cache.get_many(cache.keys("dv:*"))


def test_a_download_noted_in_the_activity_log_leaves_every_version_alone(resident):
    """Downloading a PDF or a document writes an activity entry (and a document view), which no
    cached value shows: no version changes, not even one of their own (the first PDF download
    also stores the PDF it generated, which does count)."""
    client = resident["client"]
    invoice = client.get("/api/portal/invoices/").json()["results"][0]
    document = client.get("/api/portal/documents/").json()["results"][0]
    assert client.get(f"/api/portal/invoices/{invoice['id']}/pdf/").status_code == 200
    before = _every_version()
    assert before
    assert client.get(f"/api/portal/invoices/{invoice['id']}/pdf/").status_code == 200
    assert client.get(f"/api/portal/documents/{document['id']}/download/").status_code == 200
    assert _every_version() == before
    with schema_context(SCHEMA):
        assert DocumentView.objects.filter(document_id=document["id"]).count() == 1
        opened = ActivityEvent.objects.filter(
            kind=ActivityEvent.Kind.DOCUMENT_VIEWED, customer__customer_number=resident["number"]
        )
        assert opened.count() == 3  # the PDF twice, the document once


def test_the_devices_list_follows_its_tokens_at_once(resident, client_for):
    """Token writes do not change the organisation's data version; the list names their own."""
    client = resident["client"]
    other = client_for(HOST)
    other.post("/api/auth/login/", {"email": resident["email"], "password": PASSWORD}, format="json")
    before = data_versions.current_versions(SCHEMA)
    devices = client.get("/api/portal/devices/").json()
    assert len(devices) == 2
    with schema_context(SCHEMA):
        AccessToken.objects.filter(user__email=resident["email"]).update(last_ip="198.51.100.9")
    assert {device["ip"] for device in client.get("/api/portal/devices/").json()} == {"198.51.100.9"}
    assert client.post("/api/portal/devices/sign-out-others/").status_code == 200
    assert len(client.get("/api/portal/devices/").json()) == 1
    assert data_versions.current_versions(SCHEMA) == before


def test_a_token_kept_for_authentication_stops_working_at_once(resident, client_for):
    """Tokens are kept under their table's version and the identities': a logout, another
    device's sign-out or a deactivated identity refuses the very next request."""
    client = resident["client"]
    assert client.get("/api/portal/me/").status_code == 200  # the token is now kept
    other = client_for(HOST)
    key = other.post(
        "/api/auth/login/", {"email": resident["email"], "password": PASSWORD}, format="json"
    ).json()["key"]
    other.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert other.get("/api/portal/me/").status_code == 200
    assert other.post("/api/auth/logout/").status_code == 204
    assert other.get("/api/portal/me/").status_code == 401
    User.objects.filter(email=resident["email"]).update(is_active=False)
    try:
        assert client.get("/api/portal/me/").status_code == 401
    finally:
        User.objects.filter(email=resident["email"]).update(is_active=True)
    assert client.get("/api/portal/me/").status_code == 200


def test_a_kept_token_notes_its_last_use_every_few_minutes_only(resident):
    client = resident["client"]
    client.get("/api/portal/me/")
    with schema_context(SCHEMA):
        token = AccessToken.objects.get(user__email=resident["email"])
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/portal/me/").status_code == 200
    assert not [query for query in captured.captured_queries if query["sql"].startswith("UPDATE")]
    with schema_context(SCHEMA):
        assert AccessToken.objects.get(pk=token.pk).last_used_at == token.last_used_at


def test_a_photo_from_storage_is_never_labelled_for_revalidation(resident):
    """A file from storage is never kept, and says ``no-store`` (a shared computer keeps no copy):
    the read cache must not turn that into ``no-cache`` with an ETag, nor answer it with a 304."""
    client = resident["client"]
    meters = add_meters(resident, schema=SCHEMA)
    with schema_context(SCHEMA):
        meter = Meter.objects.get(external_id=meters["heat1"])
    today = organisation_today().isoformat()
    submitted = client.post(
        "/api/portal/meter-readings/",
        {"meter_id": meter.pk, "value": "1012.5", "read_on": today, "photo": jpeg()},
        format="multipart",
    )
    assert submitted.status_code == 201, submitted.json()
    url = f"/api/portal/meter-readings/{submitted.json()['id']}/photo/"
    for _ in range(2):  # the second from the kept object
        photo = client.get(url)
        assert photo.status_code == 200
        assert photo["Cache-Control"] == "private, no-store"
        assert not photo.has_header("ETag")
        assert b"".join(photo.streaming_content).startswith(b"\xff\xd8")
    assert client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 200


def test_a_file_response_is_never_labelled_whatever_its_view_says():
    """The rule behind the photo's answer, for a file view that forgets ``read_cache = False``."""
    read = read_cache.CachedRead(key="rr:test", etag='"rtest"')
    response = FileResponse(io.BytesIO(b"%PDF-1.7"), content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    read_cache.label(read=read, response=response)
    assert (response["Cache-Control"], response.has_header("ETag")) == ("private, no-store", False)
    answer = HttpResponse(b"{}")
    read_cache.label(read=read, response=answer)
    assert (answer["Cache-Control"], answer["ETag"]) == ("private, no-cache", '"rtest"')
