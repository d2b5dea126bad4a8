"""Everything on a resident's overview, read once for the API and the web page alike.

What the resident owes (positive open amounts) and what will be refunded to them (negative open
amounts) are shown apart, never netted into one "outstanding" figure; invoices issued after today
in the organisation's calendar (pro-forma advance schedules) are upcoming and count for neither.
The balance is the account's, the same figure the statements arrive at: it also counts payments the
billing system has not linked to an invoice yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from configuration.site import cached_site
from contracts.selectors import service_summary
from invoicing import selectors as invoices
from invoicing.selectors import InvoiceState
from invoicing.visibility import Visibility
from support.selectors import customer_tickets

DEFAULT_CURRENCY = "EUR"


@dataclass
class Overview:
    customer: object
    visibility: Visibility
    services: dict
    site: dict
    tickets: list
    today: date | None = None
    latest_invoice: object | None = None
    outstanding: list = field(default_factory=list)  # what the resident owes, by due date
    refunds: list = field(default_factory=list)  # what will be paid back to them
    upcoming: list = field(default_factory=list)  # issued after today: not owed yet
    outstanding_total: Decimal | None = None
    refund_total: Decimal | None = None  # a positive amount: what they get back
    balance: Decimal | None = None  # the account's balance (invoicing.selectors.current_balance)
    # Billed and paid per month over the last 12 months (invoicing.selectors.monthly_money); paid
    # is shown only with the payment status.
    money: list = field(default_factory=list)
    currency: str = DEFAULT_CURRENCY


def resident_overview(*, customer, organisation, language: str, routing_version: str | None) -> Overview:
    """A fixed number of queries whatever the number of invoices, contracts or tickets."""
    visibility = Visibility.current()
    site, _etag = cached_site(
        organisation=organisation, page="overview", language=language, routing_version=routing_version
    )
    today = timezone.localdate(timezone=organisation.zone)
    overview = Overview(
        customer=customer,
        visibility=visibility,
        services=service_summary(customer=customer),
        site=site,
        tickets=list(customer_tickets(customer=customer).exclude(status="closed")[:5]),
        today=today,
    )
    if not visibility.invoices:
        return overview
    overview.latest_invoice = invoices.latest_invoice(customer=customer, today=today)
    overview.money = invoices.monthly_money(customer=customer, today=today)
    for invoice in invoices.open_and_upcoming_invoices(customer=customer, today=today):
        state = invoices.invoice_state(invoice, today=today)
        if state == InvoiceState.UPCOMING:
            overview.upcoming.append(invoice)
        elif state == InvoiceState.OUTSTANDING:
            overview.outstanding.append(invoice)
        elif state == InvoiceState.REFUND:
            overview.refunds.append(invoice)
    overview.upcoming.sort(key=lambda invoice: (invoice.issue_date, invoice.pk))
    current = [*overview.outstanding, *overview.refunds]
    # One customer is billed in one currency (that of their contracts and invoices).
    overview.currency = (
        current[0].currency
        if current
        else overview.latest_invoice.currency
        if overview.latest_invoice
        else DEFAULT_CURRENCY
    )
    if visibility.payment_status:
        overview.outstanding_total = sum((i.amount_open for i in overview.outstanding), start=Decimal("0.00"))
        overview.refund_total = -sum((i.amount_open for i in overview.refunds), start=Decimal("0.00"))
        overview.balance = invoices.current_balance(customer=customer, today=today)
    else:
        overview.outstanding, overview.refunds = [], []
    return overview
