"""Who reaches the staff admin of billing data, nothing of one organisation on another, constant queries."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from contracts.models import Contract, Location
from customers.models import Customer
from documents.models import Document
from documents.services import record_document_view
from invoicing.models import Invoice, Transaction
from memberships.models import StaffMembership
from tests.support.billing_data import PDF_BYTES, billing_customer, object_ids
from tests.support.common import data_queries
from tests.support.residents import resident_client
from tests.support.staff import add_staff, as_staff_client


def reads(ids: dict[str, int]) -> list[str]:
    return [
        "/api/admin/customers/",
        f"/api/admin/customers/{ids['customer']}/",
        "/api/admin/contracts/",
        f"/api/admin/contracts/{ids['contract']}/",
        "/api/admin/locations/",
        f"/api/admin/locations/{ids['location']}/",
        "/api/admin/invoices/",
        f"/api/admin/invoices/{ids['invoice']}/",
        f"/api/admin/invoices/{ids['invoice']}/pdf/",
        "/api/admin/transactions/",
        f"/api/admin/transactions/{ids['transaction']}/",
        "/api/admin/documents/",
        f"/api/admin/documents/{ids['document']}/",
        f"/api/admin/documents/{ids['document']}/download/",
        f"/api/admin/documents/{ids['document']}/views/",
    ]


def _upload(client, customer_id: int):
    return client.post(
        "/api/admin/documents/",
        {
            "customer": customer_id,
            "title": "Letter",
            "document_date": "2025-01-01",
            "file": SimpleUploadedFile("letter.pdf", PDF_BYTES),
        },
        format="multipart",
    )


@pytest.fixture
def site(db, client_for):
    data = billing_customer()
    return {"data": data, "ids": object_ids(data)}


def _integration_client(client_for):
    admin = as_staff_client(client_for("portal.noord.test"))
    key = admin.post("/api/admin/integration/tokens/", {"name": "Billing"}, format="json").json()["key"]
    client = client_for("portal.noord.test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize("who", ["resident", "integration"])
def test_residents_and_integration_tokens_get_403_everywhere(site, client_for, who):
    client = (
        resident_client(client_for, site["data"]) if who == "resident" else _integration_client(client_for)
    )
    ids = site["ids"]
    for path in reads(ids):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "permission_denied", path
    assert _upload(client, ids["customer"]).status_code == 403
    assert client.delete(f"/api/admin/documents/{ids['document']}/").status_code == 403
    with schema_context("org_noord"):
        assert Document.objects.filter(pk=ids["document"]).exists()


def test_support_reads_but_does_not_upload_or_delete(site, client_for):
    add_staff("support@noord.test", StaffMembership.Role.SUPPORT)
    support = as_staff_client(client_for("portal.noord.test"), "support@noord.test")
    ids = site["ids"]
    for path in reads(ids):
        assert support.get(path).status_code == 200, path
    upload = _upload(support, ids["customer"])
    assert (upload.status_code, upload.json()["code"]) == (403, "permission_denied")
    delete = support.delete(f"/api/admin/documents/{ids['document']}/")
    assert (delete.status_code, delete.json()["code"]) == (403, "permission_denied")
    with schema_context("org_noord"):
        assert Document.objects.filter(pk=ids["document"]).exists()


def test_staff_role_uploads_and_deletes(site, client_for, django_capture_on_commit_callbacks):
    add_staff("clerk@noord.test", StaffMembership.Role.STAFF)
    clerk = as_staff_client(client_for("portal.noord.test"), "clerk@noord.test")
    created = _upload(clerk, site["ids"]["customer"])
    assert created.status_code == 201, created.content
    with schema_context("org_noord"):
        name = Document.objects.get(pk=created.json()["id"]).file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert clerk.delete(f"/api/admin/documents/{created.json()['id']}/").status_code == 204
    with schema_context("org_noord"):
        from django.core.files.storage import default_storage

        assert not Document.objects.filter(pk=created.json()["id"]).exists()
        assert not default_storage.exists(name)


def test_other_organisations_staff_token_is_401_and_a_ids_are_404_on_b(site, client_for):
    ids = site["ids"]
    zuid = as_staff_client(client_for("portal.zuid.test"), "admin@zuid.test")
    stolen = client_for("portal.noord.test")
    stolen.credentials(HTTP_AUTHORIZATION=zuid._credentials["HTTP_AUTHORIZATION"])
    for path in reads(ids):
        response = stolen.get(path)
        assert response.status_code == 401, path
        assert response.json()["code"] in ("not_authenticated", "authentication_failed", "token_invalid"), (
            path
        )
    assert _upload(stolen, ids["customer"]).status_code == 401
    assert stolen.delete(f"/api/admin/documents/{ids['document']}/").status_code == 401
    with schema_context("org_zuid"):
        # None of A's ids exists in B's schema, so B's answers can only be "not found".
        assert not Customer.objects.filter(pk=ids["customer"]).exists()
        assert not Contract.objects.filter(pk=ids["contract"]).exists()
        assert not Location.objects.filter(pk=ids["location"]).exists()
        assert not Invoice.objects.filter(pk=ids["invoice"]).exists()
        assert not Transaction.objects.filter(pk=ids["transaction"]).exists()
        assert not Document.objects.filter(pk=ids["document"]).exists()
    for path in reads(ids):
        if path.count("/") == 4:  # a list, e.g. /api/admin/invoices/: B's own rows only
            response = zuid.get(path)
            assert response.status_code == 200, path
            assert site["data"]["number"] not in response.content.decode(), path
            continue
        response = zuid.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found", path
    assert zuid.delete(f"/api/admin/documents/{ids['document']}/").status_code == 404
    upload = _upload(zuid, ids["customer"])
    assert upload.status_code == 400
    assert upload.json()["customer"] == [f'Invalid pk "{ids["customer"]}" - object does not exist.']
    with schema_context("org_noord"):
        assert Document.objects.filter(pk=ids["document"]).exists()


LISTS = [
    "/api/admin/customers/",
    "/api/admin/customers/?kind=person&portal_status=no_account",
    "/api/admin/contracts/",
    "/api/admin/locations/",
    "/api/admin/invoices/",
    "/api/admin/transactions/?search=B-",
    "/api/admin/documents/",
]


def _count(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.content)
    return len(data_queries(queries))


def test_every_list_runs_the_same_queries_for_few_and_many_rows(db, client_for):
    staff = as_staff_client(client_for("portal.noord.test"))
    first = billing_customer(invoices=2)
    with schema_context("org_noord"):
        document = Document.objects.get(pk=object_ids(first)["document"])
        staff_user = StaffMembership.objects.get(email="admin@noord.test").user
        record_document_view(document=document, user=staff_user)
    few = {path: _count(staff, path) for path in LISTS}
    few_views = _count(staff, f"/api/admin/documents/{document.pk}/views/")
    for _ in range(3):
        billing_customer(invoices=20)
    with schema_context("org_noord"):
        for _ in range(12):
            record_document_view(document=document, user=staff_user, impersonated_by=staff_user)
        assert Invoice.objects.count() > 25
        assert Contract.objects.count() >= 8
    many = {path: _count(staff, path) for path in LISTS}
    assert many == few
    assert _count(staff, f"/api/admin/documents/{document.pk}/views/") == few_views
