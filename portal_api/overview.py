"""Everything on a resident's overview, read once for the API and the web page alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from configuration.site import cached_site
from contracts.selectors import service_summary
from invoicing import selectors as invoices
from invoicing.visibility import Visibility
from support.selectors import customer_tickets


@dataclass
class Overview:
    customer: object
    visibility: Visibility
    services: dict
    site: dict
    tickets: list
    latest_invoice: object | None = None
    outstanding: list = field(default_factory=list)
    outstanding_total: Decimal | None = None
    balance: Decimal | None = None


def resident_overview(*, customer, organisation, language: str, routing_version: str | None) -> Overview:
    """A fixed number of queries whatever the number of invoices, contracts or tickets."""
    visibility = Visibility.current()
    site, _etag = cached_site(
        organisation=organisation, page="overview", language=language, routing_version=routing_version
    )
    overview = Overview(
        customer=customer,
        visibility=visibility,
        services=service_summary(customer=customer),
        site=site,
        tickets=list(customer_tickets(customer=customer).exclude(status="closed")[:5]),
    )
    if visibility.invoices:
        overview.latest_invoice = invoices.resident_invoices(customer=customer).first()
    if visibility.payment_status:
        overview.outstanding = list(invoices.outstanding_invoices(customer=customer))
        overview.outstanding_total = sum(
            (invoice.amount_open for invoice in overview.outstanding), start=Decimal("0.00")
        )
        overview.balance = invoices.current_balance(customer=customer)
    return overview
