"""Invoices, statements, charges, payments and documents: per contract, 25 a page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Case, F, Value, When
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from configuration.models import PaymentSettings
from contracts.selectors import customer_contracts
from documents.models import Document
from invoicing import selectors as billing
from invoicing.payment import payable, payment_offer
from invoicing.selectors import InvoiceState, refund_notice
from invoicing.visibility import Visibility

from ..access import resident_required


def _billing_guard(request):
    visibility = Visibility.current()
    if not visibility.invoices:
        return None, render(
            request,
            "portal/notice.html",
            {"title": _("Invoices"), "text": _("Invoices are not shown in this portal.")},
            status=403,
        )
    return visibility, None


def _paged(request, rows, size: int = 25):
    return Paginator(rows, size).get_page(request.GET.get("page"))


INVOICE_SECTIONS = (InvoiceState.OUTSTANDING, InvoiceState.REFUND, InvoiceState.UPCOMING, InvoiceState.PAID)


def _by_contract(contracts: list, sections: dict[str, list]) -> list[dict]:
    """Per contract (then invoices without one), its invoices per section, empty sections left out."""
    groups = []
    for contract in [*contracts, None]:
        pk = contract.pk if contract else None
        parts = [
            (state.label, [invoice for invoice in sections.get(state, []) if invoice.contract_id == pk])
            for state in INVOICE_SECTIONS
        ]
        parts = [(caption, rows) for caption, rows in parts if rows]
        if parts:
            groups.append({"contract": contract, "sections": parts})
    return groups


def _in_section_order(invoices, today):
    """To pay first (by due date), then refunds to come, upcoming ones (next first), then paid
    (newest first): one ordered list, so 25 a page whatever the mix."""
    section = Case(
        When(billing.state_filter(InvoiceState.OUTSTANDING, today=today), then=Value(0)),
        When(billing.state_filter(InvoiceState.REFUND, today=today), then=Value(1)),
        When(billing.state_filter(InvoiceState.UPCOMING, today=today), then=Value(2)),
        default=Value(3),
    )
    open_by_due_date = Case(When(billing.OUTSTANDING, then=F("due_date")), default=None)
    upcoming_by_issue = Case(
        When(billing.state_filter(InvoiceState.UPCOMING, today=today), then=F("issue_date")), default=None
    )
    return invoices.order_by(
        section,
        open_by_due_date.asc(nulls_last=True),
        upcoming_by_issue.asc(nulls_last=True),
        "-issue_date",
        "-id",
    )


@resident_required
def invoices_page(request):
    """Per contract, the invoices to pay, to be refunded, upcoming and paid, 25 a page. Without
    payment status, only the invoices (newest first), without any state."""
    visibility, refusal = _billing_guard(request)
    if refusal:
        return refusal
    contracts = list(customer_contracts(customer=request.resident.customer))
    today = timezone.localdate(timezone=request.organisation.zone)
    invoices = billing.resident_invoices(customer=request.resident.customer)
    if visibility.payment_status:
        rows = _paged(request, _in_section_order(invoices, today))
        sections: dict[str, list] = {}
        for invoice in rows:
            sections.setdefault(billing.invoice_state(invoice, today=today), []).append(invoice)
        notices = {invoice.pk: refund_notice(invoice) for invoice in sections.get(InvoiceState.REFUND, [])}
        groups = _by_contract(contracts, sections)
    else:
        rows = _paged(request, invoices)
        notices = {}
        groups = [
            {"contract": group["contract"], "sections": [(_("Invoices"), listed)]}
            for group in _by_contract(contracts, {InvoiceState.PAID: list(rows)})
            for _caption, listed in group["sections"]
        ]
    return render(
        request,
        "portal/invoices.html",
        {
            "page": "invoices",
            "groups": groups,
            "rows": rows,
            "visibility": visibility,
            "notices": notices,
            "payable": _payable_ids(rows, visibility, today),
        },
    )


def _payable_ids(invoices, visibility, today) -> set[int]:
    """The invoices offered a Pay link (one query for the settings, whatever the number of rows)."""
    if not visibility.payment_status:
        return set()
    settings = PaymentSettings.objects.current()
    if not (settings.bank_transfer_possible or settings.provider_url_template):
        return set()
    return {invoice.pk for invoice in invoices if payable(invoice, today=today)}


@resident_required
def invoice_payment_page(request, pk: int):
    """How to pay one open invoice: amount, account, reference (with a copy button), the EPC QR code
    for banking apps and the provider's Pay now link. Another customer's invoice is not found."""
    visibility, refusal = _billing_guard(request)
    if refusal:
        return refusal
    invoice = get_object_or_404(billing.resident_invoices(customer=request.resident.customer), pk=pk)
    today = timezone.localdate(timezone=request.organisation.zone)
    offer = payment_offer(invoice, today=today, visibility=visibility)
    return render(
        request,
        "portal/invoice_payment.html",
        {
            "page": "invoices",
            "invoice": invoice,
            "payment": offer,
            "qr": offer.qr_svg_data_uri() if offer and offer.has_qr else None,
        },
        status=200 if offer else 404,
    )


@resident_required
def statements_page(request):
    visibility, refusal = _billing_guard(request)
    if refusal:
        return refusal
    rows = billing.statements(customer=request.resident.customer)
    rows.reverse()
    return render(
        request,
        "portal/statements.html",
        {
            "page": "invoices",
            "messages_page": "statements",
            "rows": _paged(request, rows),
            "visibility": visibility,
        },
    )


@resident_required
def charges_page(request):
    _visibility, refusal = _billing_guard(request)
    if refusal:
        return refusal
    return render(
        request,
        "portal/charges.html",
        {
            "page": "invoices",
            "messages_page": "charges",
            "rows": _paged(request, billing.resident_charges(customer=request.resident.customer)),
        },
    )


@resident_required
def transactions_page(request):
    _visibility, refusal = _billing_guard(request)
    if refusal:
        return refusal
    return render(
        request,
        "portal/transactions.html",
        {
            "page": "invoices",
            "messages_page": "transactions",
            "rows": _paged(request, billing.resident_transactions(customer=request.resident.customer)),
        },
    )


@resident_required
def documents_page(request):
    documents = Document.objects.for_customer(request.resident.customer).select_related("contract")
    return render(
        request,
        "portal/documents.html",
        {"page": "invoices", "messages_page": "documents", "documents": _paged(request, documents)},
    )
