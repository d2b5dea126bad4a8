"""The portal card's "documents viewed": what a customer opened in the portal, for staff only."""

from __future__ import annotations

from datetime import date

from django_tenants.utils import schema_context

from accounts.models import User
from documents.services import add_document, record_document_view
from tests.support.billing_data import PDF_BYTES
from tests.support.factories import make_customer
from tests.support.residents import PASSWORD, active_resident, login
from tests.support.staff import staff_client


def _document(customer, title: str, schema: str = "org_noord"):
    with schema_context(schema):
        return add_document(
            customer=customer,
            contract=None,
            title=title,
            category="letter",
            document_date=date(2026, 1, 5),
            content=PDF_BYTES,
            filename=f"{title}.pdf",
        )


def test_lists_each_opening_newest_first_with_who_opened_it(noord_client):
    customer = active_resident()
    other = make_customer()
    letter, tariff = _document(customer, "Welcome letter"), _document(customer, "Tariff sheet")
    elsewhere = _document(other, "Not this customer's")
    with schema_context("org_noord"):
        user = User.objects.get(email=customer.email)
        staff = User.objects.get(email="admin@noord.test")
        record_document_view(document=letter, user=user)
        record_document_view(document=tariff, user=user, impersonated_by=staff)
        record_document_view(document=elsewhere, user=user)
    staff_client(noord_client)

    body = noord_client.get(f"/api/admin/customers/{customer.pk}/portal/documents-viewed/").json()

    assert body["count"] == 2
    assert [row["title"] for row in body["results"]] == ["Tariff sheet", "Welcome letter"]
    assert body["results"][0]["impersonated_by_email"] == "admin@noord.test"
    assert body["results"][1]["user_email"] == customer.email
    assert body["results"][1]["document"] == letter.pk
    searched = noord_client.get(
        f"/api/admin/customers/{customer.pk}/portal/documents-viewed/", {"search": "welcome"}
    ).json()
    assert [row["title"] for row in searched["results"]] == ["Welcome letter"]
    ordered = noord_client.get(
        f"/api/admin/customers/{customer.pk}/portal/documents-viewed/", {"ordering": "document__title"}
    ).json()
    assert [row["title"] for row in ordered["results"]] == ["Tariff sheet", "Welcome letter"]
    refused = noord_client.get(
        f"/api/admin/customers/{customer.pk}/portal/documents-viewed/", {"ordering": "ip"}
    )
    assert refused.status_code == 400
    assert "ordering" in refused.json()


def test_another_organisation_and_residents_are_refused(noord_client, zuid_client):
    customer = active_resident()
    staff_client(zuid_client, "admin@zuid.test")
    assert zuid_client.get(f"/api/admin/customers/{customer.pk}/portal/documents-viewed/").status_code == 404

    key = login(noord_client, customer.email, PASSWORD).json()["key"]
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert noord_client.get(f"/api/admin/customers/{customer.pk}/portal/documents-viewed/").status_code == 403
