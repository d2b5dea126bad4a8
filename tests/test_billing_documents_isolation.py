"""Residents' documents, and isolation: another customer's or organisation's ids are 404 to them."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from customers.models import Customer
from documents.models import Document, DocumentView
from invoicing.models import Invoice
from tests.support.billing_data import PDF_BYTES, billing_customer
from tests.support.residents import resident_client
from tests.support.staff import as_staff_client


@pytest.fixture
def resident(db, client_for):
    data = billing_customer()
    return data, resident_client(client_for, data)


def test_documents_and_their_opening_is_logged(resident):
    data, client = resident
    [document] = client.get("/api/portal/documents/").json()["results"]
    assert document["title"] == "Your contract"
    response = client.get(document["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES
    with schema_context("org_noord"):
        [view] = DocumentView.objects.filter(document_id=document["id"])
        assert (view.user.email, view.impersonated_by) == (data["email"], None)


def test_document_opened_during_impersonation_names_the_staff_member(resident, client_for):
    data, client = resident
    [document] = client.get("/api/portal/documents/").json()["results"]
    staff = as_staff_client(client_for("portal.noord.test"))
    with schema_context("org_noord"):
        customer_id = Customer.objects.get(customer_number=data["number"]).pk
    started = staff.post(f"/api/admin/customers/{customer_id}/portal/impersonate/", {}, format="json")
    assert started.status_code == 201, started.content
    impersonating = client_for("portal.noord.test")
    impersonating.credentials(HTTP_AUTHORIZATION=f"Token {started.json()['key']}")
    response = impersonating.get(document["download_url"])
    assert response.status_code == 200
    assert response["X-Impersonation-Session"] == str(started.json()["session"]["id"])
    with schema_context("org_noord"):
        [view] = DocumentView.objects.filter(document_id=document["id"]).select_related(
            "user", "impersonated_by"
        )
        assert view.user.email == data["email"]
        assert view.impersonated_by.email == "admin@noord.test"
        event = ActivityEvent.objects.filter(customer_id=customer_id, kind="document_viewed").latest("pk")
        assert (event.actor, event.actor_email) == ("impersonating_staff", "admin@noord.test")
    views = staff.get(f"/api/admin/documents/{document['id']}/views/").json()["results"]
    assert [(row["user_email"], row["impersonated_by_email"]) for row in views] == [
        (data["email"], "admin@noord.test")
    ]


def test_documents_list_holds_only_the_residents_own(db, client_for):
    mine, other = billing_customer(), billing_customer()
    client = resident_client(client_for, mine)
    with schema_context("org_noord"):
        own = set(
            Document.objects.filter(customer__customer_number=mine["number"]).values_list("pk", flat=True)
        )
        foreign = set(
            Document.objects.filter(customer__customer_number=other["number"]).values_list("pk", flat=True)
        )
    assert own
    assert foreign
    rows = client.get("/api/portal/documents/").json()["results"]
    assert {row["id"] for row in rows} == own
    assert not {row["id"] for row in rows} & foreign


def test_another_customers_ids_are_404(db, client_for):
    mine, other = billing_customer(), billing_customer()
    client = resident_client(client_for, mine)
    with schema_context("org_noord"):
        foreign_invoice = Invoice.objects.filter(customer__customer_number=other["number"]).first().pk
        from contracts.models import Contract

        foreign_document = Document.objects.get(customer__customer_number=other["number"]).pk
        foreign_contract = Contract.objects.filter(customer__customer_number=other["number"]).first().pk
    for path in (
        f"/api/portal/invoices/{foreign_invoice}/",
        f"/api/portal/invoices/{foreign_invoice}/pdf/",
        f"/api/portal/documents/{foreign_document}/download/",
        f"/api/portal/contracts/{foreign_contract}/advance/",
    ):
        assert client.get(path).status_code == 404, path
    assert (
        client.put(
            f"/api/portal/contracts/{foreign_contract}/advance/", {"amount": "100"}, format="json"
        ).status_code
        == 404
    )
    numbers = {row["number"] for row in client.get("/api/portal/invoices/").json()["results"]}
    assert not any(number.startswith(other["ext"]) for number in numbers)
    # Another customer's contract is as unknown as one that does not exist: nothing tells them apart.
    for path in ("/api/portal/invoices/", "/api/portal/statements/", "/api/portal/charges/"):
        foreign = client.get(f"{path}?contract={foreign_contract}")
        assert foreign.status_code == 400
        assert foreign.json() == {
            "code": "invalid",
            "contract": [f'Invalid pk "{foreign_contract}" - object does not exist.'],
        }


def test_a_resident_of_b_cannot_open_a_ids_on_b(db, client_for):
    """Org B's resident, with their own valid token on B's domain, asks for org A's ids: 404."""
    in_a = billing_customer("org_noord")
    in_b = billing_customer("org_zuid")
    client = resident_client(client_for, in_b, schema="org_zuid", host="portal.zuid.test")
    with schema_context("org_noord"):
        a_invoices = set(
            Invoice.objects.filter(customer__customer_number=in_a["number"]).values_list("pk", flat=True)
        )
        a_documents = set(
            Document.objects.filter(customer__customer_number=in_a["number"]).values_list("pk", flat=True)
        )
    with schema_context("org_zuid"):
        b_invoices = set(
            Invoice.objects.filter(customer__customer_number=in_b["number"]).values_list("pk", flat=True)
        )
        b_documents = set(
            Document.objects.filter(customer__customer_number=in_b["number"]).values_list("pk", flat=True)
        )
    paths = [f"/api/portal/invoices/{pk}/" for pk in a_invoices - b_invoices]
    paths += [f"/api/portal/invoices/{pk}/pdf/" for pk in a_invoices - b_invoices]
    paths += [f"/api/portal/documents/{pk}/download/" for pk in a_documents - b_documents]
    assert len(paths) >= 3
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    own = client.get("/api/portal/invoices/").json()["results"]
    assert {row["id"] for row in own} == b_invoices


def test_nothing_of_a_on_b(resident, client_for):
    _data, client = resident
    key = client._credentials["HTTP_AUTHORIZATION"]
    zuid = client_for("portal.zuid.test")
    zuid.credentials(HTTP_AUTHORIZATION=key)
    for path in (
        "/api/portal/overview/",
        "/api/portal/invoices/",
        "/api/portal/documents/",
        "/api/portal/statements/",
    ):
        assert zuid.get(path).status_code == 401
