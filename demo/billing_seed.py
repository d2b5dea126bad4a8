"""Demo billing data, sent through the same import the billing system uses.

Two years of monthly advance invoices and payments per contract, advances issued ahead (upcoming),
a yearly settlement, a negative settlement awaiting refund, a contract with three locations, and
documents. Re-running the import with the same payload changes nothing.
"""

from __future__ import annotations

import base64
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from weasyprint import HTML

from contracts.models import Contract
from customers.models import Customer
from integration.importing import run_import
from integration.services import create_integration_token
from invoicing.vat import split_gross, vat_of
from memberships.models import StaffMembership

CENT = Decimal("0.01")
VAT = Decimal("6")


def _pdf(title: str) -> str:
    """A small, valid one-page PDF (rendered by WeasyPrint)."""

    content = HTML(string=f"<h1 style='font-family:sans-serif'>{title}</h1><p>Demo document.</p>").write_pdf()
    return base64.b64encode(content).decode()


def _month_add(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


CONTRACTS = {
    # customer number: (contract number, advance, [(location ext id, street, number, box, services, type, m2)])
    "N-1001": (
        "NC-1001",
        Decimal("95.00"),
        [("NL-1", "Stationsstraat", "12", "3", ["heating", "hot_tap_water"], "apartment", 78)],
    ),
    "N-1002": (
        "NC-1002",
        Decimal("80.00"),
        [("NL-2", "Stationsstraat", "12", "5", ["heating", "hot_tap_water"], "apartment", 64)],
    ),
    "N-1003": ("NC-1003", Decimal("110.00"), [("NL-3", "Kerkplein", "4", "", ["heating"], "house", 120)]),
    "N-2001": (
        "NC-2001",
        Decimal("640.00"),
        [
            ("NL-10", "Industrieweg", "7", "", ["heating", "cooling"], "commercial", 850),
            ("NL-11", "Industrieweg", "9", "", ["heating", "hot_tap_water"], "commercial", 420),
            ("NL-12", "Molenstraat", "2", "", ["heating"], "commercial", 300),
        ],
    ),
    "Z-5001": (
        "ZC-5001",
        Decimal("72.00"),
        [("ZL-1", "Rue du Midi", "33", "2", ["heating", "hot_tap_water"], "apartment", 70)],
    ),
    "Z-5002": ("ZC-5002", Decimal("88.00"), [("ZL-2", "Rue du Midi", "35", "", ["heating"], "house", 95)]),
}


def billing_payload(organisation) -> dict:
    today = timezone.localdate(timezone=organisation.zone)
    first_month = _month_add(date(today.year, today.month, 1), -24)
    customers = {c.customer_number: c for c in Customer.objects.filter(customer_number__in=CONTRACTS)}
    payload = {
        "customers": [],
        "locations": [],
        "contracts": [],
        "invoices": [],
        "transactions": [],
        "documents": [],
    }
    for number, customer in customers.items():
        contract_number, advance, locations = CONTRACTS[number]
        ext = f"demo-{number}"
        payload["customers"].append(
            {
                "external_id": ext,
                "customer_number": number,
                "kind": customer.kind,
                "first_name": customer.first_name,
                "last_name": customer.last_name,
                "company_name": customer.company_name,
                "email": customer.email,
                "language": customer.language,
                "phone": "+32 470 12 34 56",
                "addresses": [
                    {
                        "kind": "billing",
                        "street": locations[0][1],
                        "house_number": locations[0][2],
                        "box": locations[0][3],
                        "postal_code": "9000" if number.startswith("N") else "1000",
                        "city": "Gent" if number.startswith("N") else "Bruxelles",
                    }
                ],
            }
        )
        for loc_id, street, house, box, _services, kind, area in locations:
            payload["locations"].append(
                {
                    "external_id": f"demo-{loc_id}",
                    "street": street,
                    "house_number": house,
                    "box": box,
                    "postal_code": "9000" if number.startswith("N") else "1000",
                    "city": "Gent" if number.startswith("N") else "Bruxelles",
                    "building_type": kind,
                    "floor_area_m2": area,
                    "connection_status": "connected",
                }
            )
        contract_ext = f"demo-{contract_number}"
        payload["contracts"].append(
            {
                "external_id": contract_ext,
                "number": contract_number,
                "customer_external_id": ext,
                "start_date": first_month.isoformat(),
                "locations": [
                    {
                        "location_external_id": f"demo-{loc[0]}",
                        "services": loc[4],
                        "move_in_date": first_month.isoformat(),
                    }
                    for loc in locations
                ],
                "advance": {"original_amount": str(advance), "current_amount": str(advance)},
            }
        )
        # Monthly advances: 24 past months (paid but the latest), this month's, and two pro-forma ones
        # issued ahead as a billing system sends them; the portal lists those as upcoming, not owed.
        for month in range(27):
            issue = _month_add(first_month, month)
            due = issue + timedelta(days=14)
            advance_split = split_gross(advance, VAT)  # the portal's rule, so changes back restore it
            excl, tax = advance_split.net, advance_split.vat
            paid = due < today - timedelta(days=30)
            invoice_ext = f"demo-{contract_number}-A{month:02d}"
            payload["invoices"].append(
                {
                    "external_id": invoice_ext,
                    "number": f"{contract_number}-{issue:%Y%m}",
                    "customer_external_id": ext,
                    "contract_external_id": contract_ext,
                    "kind": "advance",
                    "issue_date": issue.isoformat(),
                    "due_date": due.isoformat(),
                    "period_start": issue.isoformat(),
                    "period_end": (_month_add(issue, 1) - timedelta(days=1)).isoformat(),
                    "amount_excl_tax": str(excl),
                    "tax_amount": str(tax),
                    "amount_incl_tax": str(advance),
                    "payment_status": "paid" if paid else "open",
                    "lines": [
                        {
                            "rollup_description": "Voorschot",
                            "description": f"Advance {issue:%m/%Y}",
                            "amount": str(excl),
                            "tax_rate": str(VAT),
                            "period_start": issue.isoformat(),
                            "period_end": (_month_add(issue, 1) - timedelta(days=1)).isoformat(),
                        }
                    ],
                }
            )
            if paid:
                payload["transactions"].append(
                    {
                        "external_id": f"{invoice_ext}-P",
                        "customer_external_id": ext,
                        "contract_external_id": contract_ext,
                        "invoice_external_id": invoice_ext,
                        "kind": "payment",
                        "date": (due - timedelta(days=3)).isoformat(),
                        "description": f"Domiciliëring {issue:%m/%Y}",
                        "amount": str(advance),
                        "method": "direct_debit",
                    }
                )
        # A yearly settlement per year: the latest one is a credit awaiting refund for N-1001.
        for year_index in range(2):
            issue = _month_add(first_month, 12 * (year_index + 1)) - timedelta(days=20)
            if issue > today:
                continue
            credit = number == "N-1001" and year_index == 1
            usage_kwh = Decimal(5200 + 300 * year_index + len(number) * 10)
            price = Decimal("0.1321")
            consumption = (usage_kwh * price).quantize(CENT)
            fixed = Decimal("180.00")
            advances_paid = 12 * split_gross(advance, VAT).net
            excl = consumption + fixed - advances_paid
            if credit:
                excl = -abs(excl) - Decimal("42.64")
            tax = vat_of(excl, VAT)
            invoice_ext = f"demo-{contract_number}-S{year_index}"
            lines = [
                {
                    "meter_number": f"M-{number}-1",
                    "rollup_description": "Verbruik warmte",
                    "description": "Heat consumption",
                    "units": str(usage_kwh),
                    "unit": "kWh",
                    "unit_price": str(price),
                    "amount": str(consumption),
                    "tax_rate": str(VAT),
                },
                {
                    "rollup_description": "Vaste kosten",
                    "description": "Fixed connection fee",
                    "amount": str(fixed),
                    "tax_rate": str(VAT),
                },
                {
                    "rollup_description": "Voorschotten",
                    "description": "Advances already invoiced",
                    "amount": str(-advances_paid),
                    "tax_rate": str(VAT),
                },
            ]
            if credit:
                lines.append(
                    {
                        "rollup_description": "Correctie",
                        "description": "Meter correction",
                        "amount": str(excl - (consumption + fixed - advances_paid)),
                        "tax_rate": str(VAT),
                    }
                )
            payload["invoices"].append(
                {
                    "external_id": invoice_ext,
                    "number": f"{contract_number}-S{issue:%Y}",
                    "customer_external_id": ext,
                    "contract_external_id": contract_ext,
                    "kind": "credit_note" if credit else "settlement",
                    "issue_date": issue.isoformat(),
                    "due_date": (
                        today + timedelta(days=12) if credit else issue + timedelta(days=30)
                    ).isoformat(),
                    "amount_excl_tax": str(excl),
                    "tax_amount": str(tax),
                    "amount_incl_tax": str(excl + tax),
                    "payment_status": "awaiting_confirmation"
                    if credit
                    else ("paid" if year_index == 0 else "open"),
                    "lines": lines,
                }
            )
            if not credit and year_index == 0:
                payload["transactions"].append(
                    {
                        "external_id": f"{invoice_ext}-P",
                        "customer_external_id": ext,
                        "invoice_external_id": invoice_ext,
                        "kind": "payment",
                        "date": (issue + timedelta(days=20)).isoformat(),
                        "description": "Overschrijving",
                        "amount": str(excl + tax),
                        "method": "bank_transfer",
                    }
                )
        # Things residents never see: a collection fee and an unlinked balance adjustment.
        payload["transactions"] += [
            {
                "external_id": f"demo-{number}-fee",
                "customer_external_id": ext,
                "kind": "collection_fee",
                "date": (today - timedelta(days=200)).isoformat(),
                "description": "Aanmaningskosten",
                "amount": "7.50",
            },
            {
                "external_id": f"demo-{number}-adj",
                "customer_external_id": ext,
                "kind": "adjustment",
                "date": (today - timedelta(days=150)).isoformat(),
                "description": "Internal correction",
                "amount": "-3.20",
            },
        ]
        payload["documents"].append(
            {
                "external_id": f"demo-{contract_number}-doc",
                "customer_external_id": ext,
                "contract_external_id": contract_ext,
                "title": f"Contract {contract_number}",
                "category": "contract",
                "document_date": first_month.isoformat(),
                "filename": f"contract-{contract_number}.pdf",
                "content_base64": _pdf(f"Contract {contract_number}"),
            }
        )
    return payload


def seed_billing(organisation, spec, report: list[str]) -> None:

    if not StaffMembership.objects.filter(role=StaffMembership.Role.INTEGRATION).exists():
        token = create_integration_token(organisation=organisation, name="Demo billing system")
        report.append(
            f"import     POST /api/integration/import/ with 'Authorization: Token {token.raw}' (shown once)"
        )
    if Contract.objects.filter(external_id__startswith="demo-").exists():
        report.append("billing    demo contracts, invoices and documents already imported")
        return
    result = run_import(payload=billing_payload(organisation), actor_email="seed_demo")
    counts = {
        entity: result[entity]["created"] for entity in ("contracts", "invoices", "transactions", "documents")
    }
    report.append(f"billing    imported {counts} with {result['error_count']} error(s)")
