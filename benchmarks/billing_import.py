"""Importing 10,000 invoices (3 lines each) in one call of the billing-system import API.

Run: .venv/bin/python benchmarks/billing_import.py [--invoices 10000]
Measures the API call (Django's full request stack in-process: middleware, auth, JSON, import) for
a first import, an identical re-import and a re-import where every invoice changed; the baseline is
a row-by-row ORM upsert (update_or_create + lines) measured in the same run on 1,000 invoices.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

from harness import Result, print_table, setup_django, write_results

ORG_SLUG = "benchimport"


def invoice(customer_ext: str, n: int, *, total: Decimal, prefix: str) -> dict:
    excl = (total / Decimal("1.06")).quantize(Decimal("0.01"))
    tax = total - excl
    part = (excl / 3).quantize(Decimal("0.01"))
    issue = date(2024, 1, 1) + timedelta(days=n % 700)
    return {
        "external_id": f"{prefix}-{n}",
        "number": f"{prefix}-F{n:06d}",
        "customer_external_id": customer_ext,
        "kind": "advance",
        "issue_date": issue.isoformat(),
        "due_date": (issue + timedelta(days=14)).isoformat(),
        "amount_excl_tax": str(excl),
        "tax_amount": str(tax),
        "amount_incl_tax": str(total),
        "payment_status": "paid",
        "lines": [
            {
                "meter_number": "M-1",
                "rollup_description": "Heat",
                "description": "Consumption",
                "units": "120.000",
                "unit": "kWh",
                "amount": str(part),
                "tax_rate": "6",
            },
            {
                "rollup_description": "Fixed",
                "description": "Connection fee",
                "amount": str(part),
                "tax_rate": "6",
            },
            {
                "rollup_description": "Meter",
                "description": "Meter rental",
                "amount": str(excl - 2 * part),
                "tax_rate": "6",
            },
        ],
    }


def run(count: int = 10_000, baseline_count: int = 1_000) -> list[Result]:
    setup_django()
    from django.test import Client

    organisation, token = _organisation_with_customers()
    client = Client(HTTP_HOST=f"{ORG_SLUG}.bench.test", HTTP_AUTHORIZATION=f"Token {token}")
    prefix = f"b{uuid.uuid4().hex[:6]}"

    def call(payload: dict) -> tuple[float, dict]:
        body = json.dumps(payload)
        started = time.perf_counter()
        response = client.post("/api/integration/import/", data=body, content_type="application/json")
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:500]
        return elapsed, response.json()

    rows = [invoice(f"bc-{n % 200}", n, total=Decimal("100.00"), prefix=prefix) for n in range(count)]
    first_s, first = call({"invoices": rows})
    assert first["error_count"] == 0, first["invoices"]["errors"][:3]
    assert first["invoices"]["created"] == count
    same_s, same = call({"invoices": rows})
    assert same["invoices"]["unchanged"] == count
    changed = [invoice(f"bc-{n % 200}", n, total=Decimal("120.00"), prefix=prefix) for n in range(count)]
    changed_s, updated = call({"invoices": changed})
    assert updated["invoices"]["updated"] == count

    baseline_per_invoice = _row_by_row_seconds(organisation, prefix, baseline_count)
    results = []
    for measure, seconds in (
        (f"first import of {count:,} invoices (create)", first_s),
        (f"identical re-import of {count:,} invoices (idempotent)", same_s),
        (f"re-import of {count:,} changed invoices (update, lines replaced)", changed_s),
    ):
        baseline_total = baseline_per_invoice * count
        results.append(
            Result(
                benchmark="billing import",
                measure=measure,
                value=seconds,
                unit="s",
                baseline=f"row-by-row ORM upsert (measured on {baseline_count:,}, scaled)",
                baseline_value=baseline_total,
                ratio=baseline_total / seconds,
                target="a few seconds",
                met=seconds < 10,
                extra={"invoices_per_second": round(count / seconds)},
            )
        )
    return results


def _organisation_with_customers():
    """The benchmark's organisation (made once) with 200 customers, and an integration token."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from integration.importing import run_import
    from integration.services import create_integration_token
    from operators.onboarding import onboard_organisation
    from tenants.models import Organisation

    organisation = Organisation.objects.filter(slug=ORG_SLUG).first()
    if organisation is None:
        organisation = onboard_organisation(
            name="Bench import",
            slug=ORG_SLUG,
            domain=f"{ORG_SLUG}.bench.test",
            admin_email="admin@bench.test",
        ).organisation
    with schema_context(organisation.schema_name):
        token = create_integration_token(organisation=organisation, name="bench").raw
        customers = [
            {"external_id": f"bc-{i}", "customer_number": f"BC-{i}", "last_name": f"Bench {i}"}
            for i in range(200)
        ]
        run_import(payload={"customers": customers})
    connection.set_schema_to_public()
    return organisation, token


def _row_by_row_seconds(organisation, prefix: str, baseline_count: int) -> float:
    """Baseline: what a straightforward implementation does, one invoice at a time (per invoice)."""
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from customers.models import Customer
    from invoicing.models import Invoice, InvoiceLine

    with schema_context(organisation.schema_name):
        customer_ids = dict(Customer.objects.values_list("external_id", "pk"))
        base_rows = [
            invoice(f"bc-{n % 200}", n, total=Decimal("100.00"), prefix=f"{prefix}x")
            for n in range(baseline_count)
        ]
        started = time.perf_counter()
        with transaction.atomic():
            for row in base_rows:
                lines = row.pop("lines")
                customer = row.pop("customer_external_id")
                row.pop("external_id")
                obj, _created = Invoice.objects.update_or_create(
                    external_id=f"{prefix}x-{row['number']}",
                    defaults={**row, "customer_id": customer_ids[customer], "amount_open": 0},
                )
                InvoiceLine.objects.filter(invoice=obj).delete()
                for position, line in enumerate(lines):
                    InvoiceLine.objects.create(invoice=obj, position=position, **line)
        baseline_per_invoice = (time.perf_counter() - started) / baseline_count
    connection.set_schema_to_public()
    return baseline_per_invoice


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=10_000)
    results = run(parser.parse_args().invoices)
    print_table(results)
    print(f"\nwritten to {write_results('billing_import', results)}")
