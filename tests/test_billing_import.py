"""The billing-system import API: per-row errors, idempotency, whole invoices, integration tokens."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from contracts.models import ContractLocation
from customers.models import Customer
from invoicing.models import Invoice, InvoiceLine
from tests.support.billing_data import billing_customer, invoice_row
from tests.support.integration import CUSTOMER, post
from tests.support.staff import as_staff_client


def test_good_rows_are_saved_and_bad_rows_reported(integration):
    payload = {
        "customers": [
            CUSTOMER,
            {"external_id": "imp-2", "customer_number": "IMP-2", "kind": "company"},  # no company name
            {"external_id": "imp-3", "customer_number": "IMP-3", "last_name": "X", "email": "nope"},
            {"external_id": "imp-1", "customer_number": "IMP-9", "last_name": "Dup"},
            "not an object",
        ],
        "invoices": [
            invoice_row("imp-1", None, 1),
            {**invoice_row("imp-1", None, 2), "amount_incl_tax": "999.00"},
            {**invoice_row("imp-1", None, 3), "lines": [{"description": "Half", "amount": "1.00"}]},
            invoice_row("nobody", None, 4),
            {**invoice_row("imp-1", None, 5), "kind": "gift"},
            {**invoice_row("imp-1", None, 6), "due_date": "2000-01-01"},
        ],
    }
    response = post(integration, payload)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["customers"]["created"] == 1
    assert [e["index"] for e in body["customers"]["errors"]] == [1, 2, 3, 4]
    assert body["customers"]["errors"][1]["errors"] == {"email": ["not a valid email address"]}
    assert body["customers"]["errors"][2]["errors"] == {
        "external_id": ["appears more than once in this call"]
    }
    assert body["invoices"]["created"] == 1
    errors = {e["index"]: e["errors"] for e in body["invoices"]["errors"]}
    assert errors[1] == {"non_field_errors": ["amount_excl_tax + tax_amount must equal amount_incl_tax"]}
    assert errors[2] == {"non_field_errors": ["the lines' amounts must add up to amount_excl_tax"]}
    assert errors[3] == {"customer_external_id": ["unknown customer"]}
    assert "kind" in errors[4]
    assert errors[5] == {"non_field_errors": ["due_date is before issue_date"]}
    assert body["error_count"] == 9
    with schema_context("org_noord"):
        assert list(
            Invoice.objects.filter(customer__external_id="imp-1").values_list("number", flat=True)
        ) == ["imp-1-F0001"]
        assert not Invoice.objects.filter(number="imp-1-F0003").exists()  # no invoice without its lines
        assert InvoiceLine.objects.filter(invoice__number="imp-1-F0001").count() == 1


def test_import_is_idempotent_and_updates_replace_lines(integration):
    payload = {"customers": [CUSTOMER], "invoices": [invoice_row("imp-1", None, n) for n in range(3)]}
    first = post(integration, payload).json()
    assert (first["invoices"]["created"], first["invoices"]["unchanged"]) == (3, 0)
    again = post(integration, payload).json()
    assert (
        again["customers"]["unchanged"],
        again["invoices"]["unchanged"],
        again["invoices"]["created"],
    ) == (1, 3, 0)
    changed = invoice_row("imp-1", None, 0, total="50.00", status="open")
    changed["lines"] = [  # 47.17 + 2.83 VAT: 1.20 + 1.63 at 6 %
        {"description": "Part A", "amount": "20.00", "tax_rate": "6"},
        {
            "description": "Part B",
            "amount": str(Decimal(changed["amount_excl_tax"]) - Decimal("20.00")),
            "tax_rate": "6",
        },
    ]
    third = post(integration, {"invoices": [changed]}).json()
    assert third["invoices"]["updated"] == 1
    with schema_context("org_noord"):
        invoice = Invoice.objects.get(external_id="imp-1-inv-0")
        assert invoice.amount_incl_tax == Decimal("50.00")
        assert invoice.payment_status == "open"
        assert [(line.description, line.tax_amount) for line in invoice.lines.all()] == [
            ("Part A", Decimal("1.20")),
            ("Part B", Decimal("1.63")),
        ]


def test_references_must_belong_to_the_same_customer(integration):
    other = billing_customer()
    payload = {
        "customers": [CUSTOMER],
        "invoices": [invoice_row("imp-1", f"{other['ext']}-K1", 1)],
        "transactions": [
            {
                "external_id": "t-1",
                "customer_external_id": "imp-1",
                "invoice_external_id": f"{other['ext']}-inv-0",
                "kind": "payment",
                "date": "2025-01-01",
                "description": "x",
                "amount": "1.00",
            },
        ],
    }
    body = post(integration, payload).json()
    assert body["invoices"]["errors"][0]["errors"] == {
        "contract_external_id": ["this contract belongs to another customer"]
    }
    assert body["transactions"]["errors"][0]["errors"] == {
        "invoice_external_id": ["belongs to another customer"]
    }


def test_numbers_of_other_records_are_refused_and_portal_records_adopted(integration):
    billing_customer()
    with schema_context("org_noord"):
        Customer.objects.create(customer_number="PORTAL-1", last_name="Made in portal")
        taken = Customer.objects.exclude(external_id=None).first()
    body = post(
        integration,
        {
            "customers": [
                {"external_id": "new-1", "customer_number": taken.customer_number, "last_name": "Clash"},
                {"external_id": "new-2", "customer_number": "PORTAL-1", "last_name": "Adopted"},
            ]
        },
    ).json()
    assert body["customers"]["errors"][0]["errors"] == {
        "customer_number": [f"“{taken.customer_number}” already belongs to another record"]
    }
    with schema_context("org_noord"):
        adopted = Customer.objects.get(customer_number="PORTAL-1")
        assert (adopted.external_id, adopted.last_name) == ("new-2", "Adopted")


def test_contract_locations_and_documents(integration):
    payload = {
        "customers": [CUSTOMER],
        "locations": [{"external_id": "loc-1", "street": "A", "postal_code": "1", "city": "C"}],
        "contracts": [
            {
                "external_id": "k-1",
                "number": "K-IMP-1",
                "customer_external_id": "imp-1",
                "start_date": "2025-01-01",
                "locations": [{"location_external_id": "loc-1", "services": ["heating", "teleportation"]}],
            }
        ],
        "documents": [
            {
                "external_id": "d-1",
                "customer_external_id": "imp-1",
                "title": "Fake",
                "document_date": "2025-01-01",
                "content_base64": "PHNjcmlwdD4=",
            }
        ],
    }
    body = post(integration, payload).json()
    assert "locations.0.services.1" in body["contracts"]["errors"][0]["errors"]
    assert body["documents"]["errors"][0]["errors"] == {
        "content_base64": ["Documents must be PDF, PNG or JPEG files."]
    }
    payload["contracts"][0]["locations"][0]["services"] = ["heating"]
    payload["documents"] = []
    body = post(integration, payload).json()
    assert body["contracts"]["created"] == 1
    with schema_context("org_noord"):
        assert list(
            ContractLocation.objects.filter(contract__external_id="k-1").values_list("services", flat=True)
        ) == [["heating"]]


@pytest.mark.parametrize(
    ("content_type", "body", "status", "code"),
    [
        ("text/plain", "{}", 415, "unsupported_media_type"),
        ("application/json", "{not json", 400, "parse_error"),
        ("application/json", "[]", 400, "parse_error"),
        ("application/json", '{"unicorns": []}', 400, "unknown_entity"),
        ("application/json", '{"customers": {"a": 1}}', 200, None),
    ],
)
def test_malformed_requests(integration, content_type, body, status, code):
    response = integration.post("/api/integration/import/", data=body, content_type=content_type)
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code
    else:
        assert response.json()["customers"]["errors"][0]["errors"] == {
            "customers": ["must be a list of rows"]
        }


def test_only_integration_tokens_import(noord_client, client_for, integration):
    staff = as_staff_client(noord_client)
    assert post(staff, {"customers": [CUSTOMER]}).status_code == 403
    assert integration.get("/api/admin/customers/").status_code == 403  # not a person
    zuid = client_for("portal.zuid.test")
    zuid.credentials(HTTP_AUTHORIZATION=integration._credentials["HTTP_AUTHORIZATION"])
    assert post(zuid, {"customers": [CUSTOMER]}).status_code == 401
    anonymous = client_for("portal.noord.test")
    assert post(anonymous, {"customers": [CUSTOMER]}).status_code == 401


def test_revoked_integration_token_stops_working(integration, client_for):
    admin = as_staff_client(client_for("portal.noord.test"))
    [token] = admin.get("/api/admin/integration/tokens/").json()
    assert admin.delete(f"/api/admin/integration/tokens/{token['id']}/").status_code == 204
    assert post(integration, {"customers": [CUSTOMER]}).status_code == 401


def test_import_runs_are_recorded(integration):
    post(integration, {"customers": [CUSTOMER, {"external_id": "x"}]})
    [run] = integration.get("/api/integration/import-runs/").json()[:1]
    assert run["error_count"] == 1
    assert run["summary"]["customers"]["created"] == 1
