"""Uploaded files per organisation: django-tenants' storage keeps each schema's files apart.

Stored names carry no schema (``documents/x.pdf``); the storage puts the current schema in front, so
the same name is a different file in each organisation and one cannot open another's by its name.
Names stored before (``org_noord/documents/x.pdf``) are renamed by a migration per app.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django_tenants.utils import schema_context

from documents.models import Document
from tests.support.billing_data import PDF_BYTES, billing_customer
from tests.support.residents import resident_client

pytestmark = pytest.mark.django_db


def _media(*parts: str) -> Path:
    return Path(settings.MEDIA_ROOT, *parts)


def test_same_name_is_a_different_file_in_each_organisation():
    with schema_context("org_noord"):
        noord_name = default_storage.save("documents/shared-name.txt", ContentFile(b"noord"))
        assert default_storage.url(noord_name) == f"/media/org_noord/{noord_name}"
    with schema_context("org_zuid"):
        zuid_name = default_storage.save("documents/shared-name.txt", ContentFile(b"zuid"))
        assert default_storage.url(zuid_name) == f"/media/org_zuid/{zuid_name}"
    assert zuid_name == noord_name == "documents/shared-name.txt"  # no clash: different folders
    assert _media("org_noord", noord_name).read_bytes() == b"noord"
    assert _media("org_zuid", zuid_name).read_bytes() == b"zuid"
    with schema_context("org_noord"):
        only_noord = default_storage.save("documents/noord-only.txt", ContentFile(b"secret"))
    with schema_context("org_zuid"):
        assert not default_storage.exists(only_noord)
        with pytest.raises(FileNotFoundError):
            default_storage.open(only_noord, "rb")
        for escape in ("../org_noord/documents/noord-only.txt", "/org_noord/documents/noord-only.txt"):
            with pytest.raises(SuspiciousFileOperation):
                default_storage.open(escape, "rb")
    with schema_context("org_noord"), default_storage.open(only_noord, "rb") as handle:
        assert handle.read() == b"secret"


def test_an_uploaded_document_lands_under_its_organisation_and_is_served_there(client_for):
    data = billing_customer()
    client = resident_client(client_for, data)
    [row] = client.get("/api/portal/documents/").json()["results"]
    with schema_context("org_noord"):
        name = Document.objects.get(pk=row["id"]).file.name
    assert name.startswith("documents/")
    assert _media("org_noord", name).read_bytes() == PDF_BYTES
    assert not _media("org_zuid", name).exists()
    response = client.get(row["download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    with schema_context("org_zuid"):
        assert not default_storage.exists(name)


def test_branding_of_one_organisation_is_not_served_on_another_domain(client_for):
    with schema_context("org_noord"):
        name = default_storage.save("branding/only-noord.png", ContentFile(b"\x89PNG noord"))
    url = f"/media/org_noord/{name}"
    noord = client_for("portal.noord.test").get(url)
    assert noord.status_code == 200
    assert b"".join(noord.streaming_content) == b"\x89PNG noord"
    assert client_for("portal.zuid.test").get(url).status_code == 404
    assert client_for("portal.zuid.test").get(f"/media/org_zuid/{name}").status_code == 404


MIGRATIONS = [
    "documents.migrations.0003_file_names_without_schema",
    "moves.migrations.0005_file_names_without_schema",
    "invoicing.migrations.0003_file_names_without_schema",
    "support.migrations.0002_file_names_without_schema",
    "configuration.migrations.0004_file_names_without_schema",
]


def _run(step: str) -> None:
    with connection.schema_editor() as editor:
        for path in MIGRATIONS:
            getattr(importlib.import_module(path), step)(apps, editor)


def test_names_stored_with_the_schema_are_renamed_and_still_open():
    data = billing_customer()
    with schema_context("org_noord"):
        document = Document.objects.get(customer__customer_number=data["number"])
        new_name = document.file.name
        Document.objects.filter(pk=document.pk).update(file=f"org_noord/{new_name}")  # as stored before
        _run("add_schema")  # leaves a name that has the prefix as it is
        _run("strip_schema")
        document.refresh_from_db()
        assert document.file.name == new_name
        assert document.file.read() == PDF_BYTES  # the file did not move on disk
        _run("strip_schema")  # a second run changes nothing
        document.refresh_from_db()
        assert document.file.name == new_name
        _run("add_schema")  # the way back
        document.refresh_from_db()
        assert document.file.name == f"org_noord/{new_name}"
