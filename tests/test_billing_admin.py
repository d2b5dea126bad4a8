"""Staff admin for billing data: filterable, searchable, paginated, and only this organisation's."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from contracts.models import Contract
from customers.models import Customer
from documents.models import Document, DocumentView
from invoicing.models import Invoice
from memberships.services.registration import register_resident
from tenants.models import Organisation
from tests.support.billing_data import PDF_BYTES, billing_customer, object_ids
from tests.support.residents import resident_client
from tests.support.staff import as_staff_client


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


def test_customers_filter_by_kind_language_billing_preference_and_portal_status(staff, client_for):
    data, waiting = billing_customer(), billing_customer()
    resident_client(client_for, data)  # an active portal account
    with schema_context("org_noord"):
        register_resident(  # registered, link not yet confirmed
            organisation=Organisation.objects.get(schema_name="org_noord"),
            customer_number=waiting["number"],
            email=waiting["email"],
            password="a-fine-portal-password",
        )
    with schema_context("org_noord"):
        Customer.objects.create(
            customer_number="FLT-CO",
            kind="company",
            company_name="Filter BV",
            language="fr",
            billing_preference="post",
        )

    def numbers(query):
        return {
            row["customer_number"] for row in staff.get(f"/api/admin/customers/?{query}").json()["results"]
        }

    assert numbers("kind=company&search=FLT") == {"FLT-CO"}
    assert numbers("language=fr&billing_preference=post&search=FLT") == {"FLT-CO"}
    assert numbers("kind=person&search=FLT") == set()
    assert numbers(f"portal_status=active&search={data['number']}") == {data["number"]}
    assert numbers("portal_status=no_account&search=FLT") == {"FLT-CO"}
    assert numbers(f"portal_status=no_account&search={data['number']}") == set()
    assert numbers(f"portal_status=not_confirmed&search={waiting['number']}") == {waiting["number"]}
    assert numbers(f"portal_status=active&search={waiting['number']}") == set()
    rows = staff.get("/api/admin/customers/?portal_status=active").json()["results"]
    assert rows
    assert {row["portal_status"] for row in rows} == {"active"}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/admin/customers/?kind=gift", "kind"),
        ("/api/admin/customers/?language=de", "language"),
        ("/api/admin/customers/?portal_status=sleeping", "portal_status"),
        ("/api/admin/customers/?ordering=password", "ordering"),
        ("/api/admin/contracts/?customer=abc", "customer"),
        ("/api/admin/contracts/?status=bogus", "status"),
        ("/api/admin/contracts/?ordering=bogus", "ordering"),
        ("/api/admin/locations/?contract=999999", "contract"),
        ("/api/admin/locations/?customer=abc", "customer"),
        ("/api/admin/invoices/?payment_status=bogus", "payment_status"),
        ("/api/admin/invoices/?ordering=-secret", "ordering"),
        ("/api/admin/transactions/?kind=bogus", "kind"),
        ("/api/admin/transactions/?before=yesterday", "before"),
        ("/api/admin/documents/?category=bogus", "category"),
        ("/api/admin/documents/?customer=999999", "customer"),
    ],
)
def test_bad_filter_values_are_400_with_the_field(staff, path, field):
    response = staff.get(path)
    assert response.status_code == 400, path
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body) == ["code", field]
    assert body[field][0]


def test_locations_by_customer_and_contract_and_transactions_by_customer_number(staff):
    data, other = billing_customer(), billing_customer()
    ids = {key: value for key, value in object_ids(data).items()}
    by_customer = staff.get(f"/api/admin/locations/?customer={ids['customer']}").json()
    assert {row["external_id"] for row in by_customer["results"]} == {
        f"{data['ext']}-L1",
        f"{data['ext']}-L2",
    }
    with schema_context("org_noord"):
        k2 = Contract.objects.get(external_id=f"{data['ext']}-K2").pk
    by_contract = staff.get(f"/api/admin/locations/?contract={k2}").json()
    assert [row["external_id"] for row in by_contract["results"]] == [f"{data['ext']}-L2"]
    found = staff.get(f"/api/admin/transactions/?search={data['number']}").json()["results"]
    assert {row["external_id"] for row in found} == {
        *(f"{data['ext']}-pay-{n}" for n in range(5)),
        f"{data['ext']}-fee",
        f"{data['ext']}-adj",
        f"{data['ext']}-adj-inv",
    }
    assert all(row["customer_number"] == data["number"] for row in found)
    assert other["number"] not in str(found)


def test_detail_endpoints(staff):
    data = billing_customer()
    ids = object_ids(data)
    contract = staff.get(f"/api/admin/contracts/{ids['contract']}/").json()
    assert (contract["number"], contract["customer_number"]) == (f"K-{data['number'][2:]}-1", data["number"])
    assert {row["location"]["external_id"] for row in contract["locations"]} == {
        f"{data['ext']}-L1",
        f"{data['ext']}-L2",
    }
    assert contract["advance"]["current_amount"] == "100.00"
    location = staff.get(f"/api/admin/locations/{ids['location']}/").json()
    assert location["external_id"] == f"{data['ext']}-L1"
    assert [
        (row["contract_number"], row["customer_number"], row["services"]) for row in location["contracts"]
    ] == [(contract["number"], data["number"], ["heating", "hot_tap_water"])]
    transaction = staff.get(f"/api/admin/transactions/{ids['transaction']}/").json()
    assert (transaction["external_id"], transaction["amount"], transaction["invoice_number"]) == (
        f"{data['ext']}-pay-0",
        "100.00",
        f"{data['ext']}-F0000",
    )
    document = staff.get(f"/api/admin/documents/{ids['document']}/").json()
    assert (document["title"], document["content_type"], document["size"]) == (
        "Your contract",
        "application/pdf",
        len(PDF_BYTES),
    )
    assert document["download_url"] == f"/api/admin/documents/{ids['document']}/download/"
    for kind in ("contracts", "locations", "transactions", "documents"):
        missing = staff.get(f"/api/admin/{kind}/999999/")
        assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_staff_download_documents_and_invoice_pdfs_and_it_is_logged(staff):
    data = billing_customer()
    ids = object_ids(data)
    response = staff.get(f"/api/admin/documents/{ids['document']}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="contract.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES
    pdf = staff.get(f"/api/admin/invoices/{ids['invoice']}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    with schema_context("org_noord"):
        events = list(
            ActivityEvent.objects.filter(customer_id=ids["customer"], kind="document_viewed").order_by("pk")
        )
        assert [(e.actor, e.actor_email) for e in events] == [("staff", "admin@noord.test")] * 2
        assert events[0].data == {"document": ids["document"], "title": "Your contract"}
        assert events[1].data == {"invoice": Invoice.objects.get(pk=ids["invoice"]).number}
        assert not DocumentView.objects.filter(
            document_id=ids["document"]
        ).exists()  # residents' openings only


def test_upload_with_unknown_or_foreign_references_is_a_field_error(staff):
    data, other = billing_customer(), billing_customer()
    ids, foreign = object_ids(data), object_ids(other)

    def upload(**fields):
        return staff.post(
            "/api/admin/documents/",
            {
                "title": "Letter",
                "document_date": "2025-01-01",
                "file": SimpleUploadedFile("letter.pdf", PDF_BYTES),
                **fields,
            },
            format="multipart",
        )

    unknown = upload(customer=999999)
    assert unknown.status_code == 400
    assert unknown.json() == {"code": "invalid", "customer": ['Invalid pk "999999" - object does not exist.']}
    wrong = upload(customer=ids["customer"], contract=foreign["contract"])
    assert wrong.status_code == 400
    assert wrong.json() == {"code": "invalid", "contract": ["This contract belongs to another customer."]}
    fake_pdf = upload(customer=ids["customer"], file=SimpleUploadedFile("x.pdf", b"%PDF-<html><script>"))
    assert (fake_pdf.status_code, fake_pdf.json()) == (
        400,
        {"code": "invalid_file_type", "file": ["Documents must be PDF, PNG or JPEG files."]},
    )
    with schema_context("org_noord"):
        assert Document.objects.filter(customer_id=ids["customer"]).count() == 1
