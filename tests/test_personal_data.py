"""Download my data: the archive holds the resident's own data, is announced by email, and its link
works once, for its own customer, until it expires."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tenants.utils import schema_context

from communications.models import OutboundEmail
from personal_data import services
from personal_data.models import DataExport
from tenants.models import Organisation
from tests.support.billing_data import billing_customer
from tests.support.residents import resident_client
from tests.support.web import logged_in, make_resident, text

pytestmark = pytest.mark.slow  # WeasyPrint makes the invoice PDFs of each archive


def _build(export_id: int) -> DataExport:
    organisation = Organisation.objects.get(schema_name="org_noord")
    with schema_context("org_noord"):
        assert services.build_export(export_id=export_id, organisation=organisation) == "ready"
        return DataExport.objects.get(pk=export_id)


def _emailed_key(email: str) -> str:
    with schema_context("org_noord"):
        sent = OutboundEmail.objects.filter(template="data_export_ready", to=email).latest("pk")
    return re.search(r"/my-details/data/([\w-]+)/", sent.body_text).group(1)


def _archive(export: DataExport) -> zipfile.ZipFile:
    with schema_context("org_noord"), default_storage.open(export.file.name, "rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


def test_the_archive_holds_the_residents_own_data(resident):
    data, client = resident
    other = billing_customer(email="someone.else@example.test")
    asked = client.post("/api/portal/data-export/")
    assert asked.status_code == 202, asked.content
    assert asked.json()["status"] == "queued"
    assert client.post("/api/portal/data-export/").json()["id"] == asked.json()["id"]  # one at a time
    export = _build(asked.json()["id"])
    archive = _archive(export)
    names = set(archive.namelist())
    for table in (
        "contracts",
        "invoices",
        "invoice_lines",
        "payments_and_transactions",
        "consumption_per_day",
    ):
        assert {f"{table}.json", f"{table}.csv"} <= names
    account = json.loads(archive.read("account.json"))
    assert (account["customer_number"], account["portal_account"]["login_email"]) == (
        data["number"],
        data["email"],
    )
    invoices = _csv(archive, "invoices.csv")
    listed = client.get("/api/portal/invoices/", {"page_size": 100}).json()["results"]
    assert sorted(row["number"] for row in invoices) == sorted(invoice["number"] for invoice in listed)
    assert all(other["ext"] not in name for name in names)
    assert json.loads(archive.read("invoices.json"))[0]["amount_incl_tax"] == invoices[0]["amount_incl_tax"]
    assert any(name.startswith("invoices/") and name.endswith(".pdf") for name in names)
    assert archive.read(next(n for n in names if n.startswith("invoices/")))[:5] == b"%PDF-"
    assert any(name.startswith("documents/") for name in names)
    latest = client.get("/api/portal/data-export/").json()["latest"]
    assert (latest["status"], latest["progress"]) == ("ready", 100)


def test_the_link_works_once_and_only_for_its_own_customer(resident, client_for):
    data, client = resident
    export = _build(client.post("/api/portal/data-export/").json()["id"])
    key = _emailed_key(data["email"])
    other = billing_customer(email="neighbour@example.test")
    neighbour = resident_client(client_for, other)
    refused = neighbour.get("/api/portal/data-export/download/", {"key": key})
    assert (refused.status_code, refused.json()["code"]) == (404, "token_invalid")
    assert neighbour.get("/api/portal/data-export/").json()["latest"] is None
    download = client.get("/api/portal/data-export/download/", {"key": key})
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).testzip() is None
    again = client.get("/api/portal/data-export/download/", {"key": key})
    assert (again.status_code, again.json()["code"]) == (404, "token_used")
    with schema_context("org_noord"):
        assert DataExport.objects.get(pk=export.pk).status == DataExport.Status.DOWNLOADED
        services.expire_exports()
        assert not DataExport.objects.get(pk=export.pk).file  # the downloaded archive's file is gone


def test_an_expired_archive_loses_its_file_and_its_link(resident, django_capture_on_commit_callbacks):
    data, client = resident
    export = _build(client.post("/api/portal/data-export/").json()["id"])
    key = _emailed_key(data["email"])
    with schema_context("org_noord"):
        DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert services.expire_exports() == 1
        assert not default_storage.exists(export.file.name)
    refused = client.get("/api/portal/data-export/download/", {"key": key})
    assert (refused.status_code, refused.json()["code"]) == (404, "token_used")
    assert client.get("/api/portal/data-export/").json()["latest"]["status"] == "expired"


def test_the_page_asks_shows_progress_and_downloads_once(db):
    data = billing_customer()
    make_resident(data)
    browser = logged_in(data)
    page = browser.get("/my-details/data/")
    assert page.status_code == 200
    assert "Prepare an archive of my data" in text(page)
    assert browser.post("/my-details/data/")["Location"] == "/my-details/data/"
    waiting = text(browser.get("/my-details/data/"))
    assert "Being prepared" in waiting
    assert 'http-equiv="refresh"' in waiting
    with schema_context("org_noord"):
        export_id = DataExport.objects.get().pk
    _build(export_id)
    key = _emailed_key(data["email"])
    download = browser.get(f"/my-details/data/{key}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    used = browser.get(f"/my-details/data/{key}/", follow=True)
    assert "has been used or has expired" in text(used)
    assert "Downloaded on" in text(browser.get("/my-details/data/"))
