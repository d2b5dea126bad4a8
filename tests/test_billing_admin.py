"""Staff admin for billing data: filterable, searchable, paginated, and only this organisation's."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from customers.models import Customer
from tests.billing_data import PDF_BYTES, billing_customer
from tests.test_portal_card import as_staff_client


@pytest.fixture
def staff(db, client_for):
    return as_staff_client(client_for("portal.noord.test"))


def test_invoice_filters_search_and_pagination(staff):
    data = billing_customer(invoices=30)
    with schema_context("org_noord"):
        customer_id = Customer.objects.get(customer_number=data["number"]).pk
    mine = staff.get(f"/api/admin/invoices/?customer={customer_id}").json()
    assert mine["count"] == 34
    assert len(mine["results"]) == 25
    assert mine["next"]
    open_only = staff.get(f"/api/admin/invoices/?customer={customer_id}&payment_status=open").json()
    assert {row["payment_status"] for row in open_only["results"]} == {"open"}
    found = staff.get(f"/api/admin/invoices/?search={data['ext']}-F0007").json()
    assert [row["number"] for row in found["results"]] == [f"{data['ext']}-F0007"]
    dated = staff.get(f"/api/admin/invoices/?customer={customer_id}&issued_before=2025-02-15").json()
    assert dated["count"] == 2
    detail = staff.get(f"/api/admin/invoices/{found['results'][0]['id']}/").json()
    assert detail["lines"][0]["description"] == "Heat"
    bad = staff.get("/api/admin/invoices/?issued_after=yesterday")
    assert bad.status_code == 400
    assert "issued_after" in bad.json()


def test_contracts_locations_transactions_customers(staff):
    data = billing_customer()
    contracts = staff.get(f"/api/admin/contracts/?search={data['number']}").json()["results"]
    assert len(contracts) == 2
    assert contracts[0]["advance"]["current_amount"] == "100.00"
    assert staff.get("/api/admin/locations/?connection_status=pending").json()["count"] >= 1
    fees = staff.get("/api/admin/transactions/?kind=collection_fee").json()["results"]
    assert fees
    assert all(row["kind"] == "collection_fee" for row in fees)
    with schema_context("org_noord"):
        customer_id = Customer.objects.get(customer_number=data["number"]).pk
    customer = staff.get(f"/api/admin/customers/{customer_id}/").json()
    assert customer["addresses"][0]["kind"] == "billing"
    assert len(customer["contracts"]) == 2


def test_document_upload_is_checked_by_content_and_views_are_listed(staff):
    data = billing_customer()
    with schema_context("org_noord"):
        customer_id = Customer.objects.get(customer_number=data["number"]).pk
    fake = staff.post(
        "/api/admin/documents/",
        {
            "customer": customer_id,
            "title": "Fake",
            "document_date": "2025-01-01",
            "file": SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>"),
        },
        format="multipart",
    )
    assert fake.status_code == 400
    assert fake.json()["code"] == "invalid_file_type"
    good = staff.post(
        "/api/admin/documents/",
        {
            "customer": customer_id,
            "title": "Letter",
            "category": "letter",
            "document_date": "2025-01-01",
            "file": SimpleUploadedFile("letter.bin", PDF_BYTES),
        },
        format="multipart",
    )
    assert good.status_code == 201
    assert good.json()["filename"] == "letter.pdf"
    assert staff.get(f"/api/admin/documents/{good.json()['id']}/views/").json()["count"] == 0


def test_other_organisation_staff_sees_none_of_it(staff, client_for):
    billing_customer()
    zuid = as_staff_client(client_for("portal.zuid.test"), "admin@zuid.test")
    assert zuid.get("/api/admin/invoices/?search=bc").json()["count"] == 0
    staff_key = staff._credentials["HTTP_AUTHORIZATION"]
    zuid.credentials(HTTP_AUTHORIZATION=staff_key)
    assert zuid.get("/api/admin/invoices/").status_code == 401
