"""The resident API for contracts, invoices, statements, charges, transactions, documents, advance."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from activity.services import Origin
from configuration.site import cached_site
from contracts import advance
from contracts.models import Contract
from contracts.selectors import customer_contracts
from documents.content import CONTENT_TYPES
from documents.models import Document
from documents.services import record_document_view, record_invoice_view
from invoicing import selectors
from invoicing.payment import payment_offer
from invoicing.pdf import invoice_pdf
from invoicing.selectors import InvoiceState
from invoicing.visibility import Visibility
from memberships.permissions import IsResident, NotImpersonating
from portal_api.overview import resident_overview
from self_service import advance as advance_change
from tenants import data_versions

from . import billing_serializers as s
from .base import ResidentAPIView, ResidentMixin


class InvoicesHidden(PermissionDenied):
    default_detail = _("Invoices are not shown in this portal.")
    default_code = "invoices_hidden"


class BillingMixin(ResidentMixin):
    """Checks invoice visibility and passes it to the serializers."""

    query_serializer_class = s.ContractQuerySerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.visibility = Visibility.current()
        if not self.visibility.invoices:
            raise InvoicesHidden()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "visibility": self.visibility}

    def query(self) -> dict:
        """The validated query parameters: a bad value is a 400 with field errors, never ignored."""
        params = {key: value for key, value in self.request.query_params.items() if value != ""}
        serializer = self.query_serializer_class(
            data=params, context={"customer": self.request.resident.customer}
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def today(self):
        return timezone.localdate(timezone=self.request.organisation.zone)


def _contract_id(params: dict) -> int | None:
    contract = params.get("contract")
    return contract.pk if contract else None


# A document is a PDF, PNG or JPEG (documents.content), served with its own content type.
DOCUMENT_RESPONSES = {(200, kind): bytes for kind in CONTENT_TYPES}
CONTRACT_PARAM = OpenApiParameter("contract", int, description="Only this contract (one of yours)")
STATUS_PARAM = OpenApiParameter(
    "status",
    str,
    enum=list(InvoiceState.values),
    description=(
        "outstanding: what you owe; refund: what will be paid back to you; paid: settled; "
        "upcoming: issued after today. Ignored when the portal hides the payment status."
    ),
)


@extend_schema(tags=["portal: overview"], responses={200: s.OverviewSerializer})
class OverviewView(ResidentAPIView):
    """Get your overview

    Outstanding invoices, balance, services and their connection status, latest invoice, contact
    details and the messages for this page.
    """

    def read_cache_vary(self, request) -> str:
        """The page's messages come and go on their own schedule (configuration.site)."""
        _site, etag = cached_site(
            organisation=request.organisation,
            page="overview",
            language=request.LANGUAGE_CODE,
            routing_version=getattr(request, "routing_version", None),
        )
        return etag

    def get(self, request):
        overview = resident_overview(
            customer=request.resident.customer,
            organisation=request.organisation,
            language=request.LANGUAGE_CODE,
            routing_version=getattr(request, "routing_version", None),
        )
        customer = overview.customer
        context = {"visibility": overview.visibility, "request": request}
        body = {
            "customer": {
                "id": customer.pk,
                "customer_number": customer.customer_number,
                "name": customer.display_name,
            },
            "invoices_visible": overview.visibility.invoices,
            "payment_status_visible": overview.visibility.payment_status,
            "services": overview.services,
            "contact": overview.site["contact"],
            "messages": overview.site["messages"],
            "tickets": [
                {
                    "id": t.pk,
                    "reference": t.reference,
                    "subject": t.subject,
                    "status": t.status,
                    "status_label": t.get_status_display(),
                    "created_at": t.created_at,
                }
                for t in overview.tickets
            ],
        }
        if overview.visibility.invoices:
            latest = overview.latest_invoice
            body["latest_invoice"] = s.InvoiceSerializer(latest, context=context).data if latest else None
            body["upcoming_invoices"] = s.InvoiceSerializer(
                overview.upcoming, many=True, context=context
            ).data
            body["monthly_money"] = [
                {"period": month.period, "billed": str(month.billed)}
                | ({"paid": str(month.paid)} if overview.visibility.payment_status else {})
                for month in overview.money
            ]
        if overview.visibility.payment_status:
            body["outstanding_invoices"] = s.InvoiceSerializer(
                overview.outstanding, many=True, context=context
            ).data
            body["refund_invoices"] = s.InvoiceSerializer(overview.refunds, many=True, context=context).data
            body["currency"] = overview.currency
            body["outstanding_total"] = str(overview.outstanding_total)
            body["refund_total"] = str(overview.refund_total)
            body["current_balance"] = str(overview.balance)
        return Response(body)


@extend_schema(tags=["portal: contracts"])
class ContractListView(ResidentMixin, generics.ListAPIView):
    """List your contracts

    With their locations, services and connection status.
    """

    serializer_class = s.ContractSerializer
    pagination_class = None

    def resident_queryset(self):
        return customer_contracts(customer=self.request.resident.customer)


@extend_schema(tags=["portal: invoices"], parameters=[CONTRACT_PARAM, STATUS_PARAM])
class InvoiceListView(BillingMixin, generics.ListAPIView):
    """List your invoices

    Outstanding, refund, paid and upcoming invoices per contract, newest first; filter by contract
    and payment status.
    """

    serializer_class = s.InvoiceSerializer
    query_serializer_class = s.InvoiceQuerySerializer

    def resident_queryset(self):
        params = self.query()
        # Filtering on the payment status would reveal it: when it is hidden the filter is ignored.
        status = params.get("status") if self.visibility.payment_status else None
        return selectors.resident_invoices(
            customer=self.request.resident.customer,
            contract_id=_contract_id(params),
            status=status,
            today=self.today(),
        )


@extend_schema(tags=["portal: invoices"])
class InvoiceDetailView(BillingMixin, generics.RetrieveAPIView):
    """Get one of your invoices

    With its lines and, for a refund, the refund notice.
    """

    serializer_class = s.InvoiceDetailSerializer

    def resident_queryset(self):
        return selectors.resident_invoices(customer=self.request.resident.customer).prefetch_related("lines")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": self.today()}


@extend_schema(tags=["portal: invoices"], responses={(200, "image/svg+xml"): str})
class InvoicePaymentQRView(BillingMixin, generics.GenericAPIView):
    """Get the payment QR code of one of your invoices

    A SEPA EPC QR code (EPC069-12) with the organisation's account, the open amount and the payment
    reference, for banking apps. 404 when the invoice has nothing to pay now or no bank account is set.
    """

    def resident_queryset(self):
        return selectors.resident_invoices(customer=self.request.resident.customer)

    def get(self, request, pk: int):
        offer = payment_offer(self.get_object(), today=self.today(), visibility=self.visibility)
        if offer is None or not offer.has_qr:
            raise NotFound(_("This invoice has no payment QR code."), code="no_payment_qr")
        response = HttpResponse(offer.qr_svg(), content_type="image/svg+xml")
        response["Cache-Control"] = "private, no-store"
        return response


@extend_schema(tags=["portal: invoices"], responses={(200, "application/pdf"): bytes})
class InvoicePdfView(BillingMixin, generics.GenericAPIView):
    """Download one of your invoices as PDF

    The invoice as a branded PDF (generated once, then served from storage).
    """

    read_cache = False  # every opening is recorded

    def resident_queryset(self):
        return selectors.resident_invoices(customer=self.request.resident.customer).select_related("customer")

    def get(self, request, pk: int):
        invoice = self.kept_object()
        visibility = self.visibility
        # Where the PDF is stored: found (or generated) once per invoice, language, visibility and day.
        name, filename = data_versions.remembered(
            "invoice_pdf",
            lambda: invoice_pdf(
                invoice=invoice,
                organisation=request.organisation,
                language=request.LANGUAGE_CODE,
                visibility=visibility,
            ),
            invoice.pk,
            request.LANGUAGE_CODE,
            visibility.invoices,
            visibility.payment_status,
            timezone.localdate(timezone=request.organisation.zone).isoformat(),
        )
        impersonation = request.resident.impersonation
        record_invoice_view(
            invoice=invoice,
            user=request.user,
            impersonated_by=impersonation.staff_membership.user if impersonation else None,
            origin=Origin.of(request),
        )
        response = FileResponse(
            default_storage.open(name, "rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=filename,
        )
        response["Cache-Control"] = "private, no-store"
        return response


@extend_schema(
    tags=["portal: invoices"], parameters=[CONTRACT_PARAM], responses={200: s.StatementSerializer(many=True)}
)
class StatementListView(BillingMixin, ResidentAPIView):
    """List your statements

    Per invoice: previous balance, payments, adjustments, carried forward, current charges,
    balance and tax.
    """

    def get(self, request):
        rows = selectors.statements(
            customer=request.resident.customer, contract_id=_contract_id(self.query()), today=self.today()
        )
        rows.reverse()  # newest first, as the other lists
        return Response(s.StatementSerializer(rows, many=True, context=self.get_serializer_context()).data)

    def get_serializer_context(self):
        return {"visibility": self.visibility, "request": self.request}


@extend_schema(tags=["portal: invoices"], parameters=[CONTRACT_PARAM])
class ChargeListView(BillingMixin, generics.ListAPIView):
    """List your charges

    Every charge on your invoices: statement number, meter, rollup, description, period, units.
    """

    serializer_class = s.InvoiceLineSerializer

    def resident_queryset(self):
        return selectors.resident_charges(
            customer=self.request.resident.customer, contract_id=_contract_id(self.query())
        )


@extend_schema(tags=["portal: invoices"])
class TransactionListView(BillingMixin, generics.ListAPIView):
    """List your payments and transactions

    Payments and other transactions (no collection fees, no adjustments outside invoices).
    """

    serializer_class = s.TransactionSerializer

    def resident_queryset(self):
        return selectors.resident_transactions(customer=self.request.resident.customer)


@extend_schema(tags=["portal: documents"])
class DocumentListView(ResidentMixin, generics.ListAPIView):
    """List your documents

    The documents the organisation shared with you, newest first, paginated.
    """

    serializer_class = s.DocumentSerializer
    queryset = Document.objects.select_related("contract")


@extend_schema(tags=["portal: documents"], responses=DOCUMENT_RESPONSES)
class DocumentDownloadView(ResidentMixin, generics.GenericAPIView):
    """Download one of your documents

    Every opening is logged (also when a staff member impersonates).
    """

    queryset = Document.objects.select_related("customer")  # the opening is recorded for it
    read_cache = False  # every opening is recorded

    def get(self, request, pk: int):
        document = self.kept_object()
        impersonation = request.resident.impersonation
        record_document_view(
            document=document,
            user=request.user,
            impersonated_by=impersonation.staff_membership.user if impersonation else None,
            origin=Origin.of(request),
        )
        response = FileResponse(
            document.file.open("rb"),
            content_type=document.content_type,
            as_attachment=True,
            filename=document.filename,
        )
        response["Cache-Control"] = "private, no-store"
        return response


def _range_data(contract) -> dict:
    limits = advance.allowed_range(contract=contract)
    return {
        "contract_id": contract.pk,
        "allowed": limits.allowed,
        "reason": limits.reason,
        "current_amount": limits.current,
        "base_amount": limits.base,
        "minimum": limits.minimum,
        "maximum": limits.maximum,
        "currency": limits.currency,
    }


@extend_schema(tags=["portal: contracts"])
class AdvanceView(ResidentMixin, generics.GenericAPIView):
    """The advance payment of a contract, the allowed range, and changing it within that range."""

    queryset = Contract.objects.select_related("advance_plan", "customer")

    def get_permissions(self):
        if self.request.method == "PUT":
            return [IsResident(), NotImpersonating()]
        return [IsResident()]

    @extend_schema(responses={200: s.AdvanceRangeSerializer})
    def get(self, request, pk: int):
        """Get a contract's advance payment"""
        return Response(s.AdvanceRangeSerializer(_range_data(self.get_object())).data)

    @extend_schema(request=s.AdvanceChangeSerializer, responses={200: s.AdvanceRangeSerializer})
    def put(self, request, pk: int):
        """Change a contract's advance payment

        Within the allowed range, when the organisation lets residents change it.
        """
        contract = self.get_object()
        serializer = s.AdvanceChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        advance_change.change_advance(
            organisation=request.organisation,
            contract=contract,
            amount=serializer.validated_data["amount"],
            actor_user=request.user,
            origin=Origin.of(request),
        )
        return Response(s.AdvanceRangeSerializer(_range_data(self.get_object())).data)
