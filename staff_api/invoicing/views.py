"""Staff REST admin: invoices (with their PDF) and transactions, filterable, searchable, paginated."""

from __future__ import annotations

import django_filters
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.views import APIView

from activity.services import Origin
from core.api_lists import FilteredList
from documents.services import record_staff_download
from invoicing.models import Invoice, InvoiceLine, Transaction
from invoicing.pdf import invoice_pdf
from invoicing.visibility import Visibility
from memberships.permissions import IsStaff


class InvoiceFilter(django_filters.FilterSet):
    issued_after = django_filters.DateFilter(field_name="issue_date", lookup_expr="gte")
    issued_before = django_filters.DateFilter(field_name="issue_date", lookup_expr="lte")

    class Meta:
        model = Invoice
        fields = ["customer", "contract", "kind", "payment_status"]


class AdminInvoiceSerializer(serializers.ModelSerializer):
    customer_number = serializers.CharField(source="customer.customer_number")
    contract_number = serializers.CharField(source="contract.number", allow_null=True, default=None)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "external_id",
            "number",
            "customer",
            "customer_number",
            "contract",
            "contract_number",
            "kind",
            "issue_date",
            "due_date",
            "period_start",
            "period_end",
            "currency",
            "amount_excl_tax",
            "tax_amount",
            "amount_incl_tax",
            "amount_open",
            "payment_status",
            "updated_at",
        ]


class AdminInvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "position",
            "meter_number",
            "rollup_description",
            "description",
            "period_start",
            "period_end",
            "units",
            "unit",
            "unit_price",
            "tax_rate",
            "amount",
        ]


class AdminInvoiceDetailSerializer(AdminInvoiceSerializer):
    lines = AdminInvoiceLineSerializer(many=True)

    class Meta(AdminInvoiceSerializer.Meta):
        fields = [*AdminInvoiceSerializer.Meta.fields, "lines"]


@extend_schema(tags=["admin: billing"])
class AdminInvoiceListView(FilteredList, generics.ListAPIView):
    """List invoices

    Paginated; filter, search by invoice, external or customer number or name, order by date,
    amount or number.
    """

    permission_classes = [IsStaff]
    serializer_class = AdminInvoiceSerializer
    filterset_class = InvoiceFilter
    search_fields = [
        "number",
        "external_id",
        "customer__customer_number",
        "customer__last_name",
        "customer__company_name",
    ]
    ordering_fields = ["issue_date", "due_date", "amount_incl_tax", "number"]
    ordering = ["-issue_date", "-id"]

    def get_queryset(self):
        return Invoice.objects.select_related("customer", "contract")


@extend_schema(tags=["admin: billing"])
class AdminInvoiceDetailView(generics.RetrieveAPIView):
    """Get an invoice

    With its customer, contract and lines.
    """

    permission_classes = [IsStaff]
    serializer_class = AdminInvoiceDetailSerializer

    def get_queryset(self):
        return Invoice.objects.select_related("customer", "contract").prefetch_related("lines")


@extend_schema(tags=["admin: billing"], responses={(200, "application/pdf"): bytes})
class AdminInvoicePdfView(APIView):
    """Download an invoice as PDF

    The customer's copy of the invoice: their language, what the portal shows them; logged.
    """

    permission_classes = [IsStaff]

    def get(self, request, pk: int):
        invoice = get_object_or_404(
            Invoice.objects.select_related("customer__portal_account", "contract"), pk=pk
        )
        account = getattr(invoice.customer, "portal_account", None)
        name, filename = invoice_pdf(
            invoice=invoice,
            organisation=request.organisation,
            language=account.language if account else invoice.customer.language,
            visibility=Visibility.current(),
        )
        record_staff_download(
            customer=invoice.customer,
            staff_user=request.user,
            origin=Origin.of(request),
            data={"invoice": invoice.number},
        )
        response = FileResponse(
            default_storage.open(name, "rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=filename,
        )
        response["Cache-Control"] = "private, no-store"
        return response


class TransactionFilter(django_filters.FilterSet):
    after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Transaction
        fields = ["customer", "contract", "invoice", "kind"]


class AdminTransactionSerializer(serializers.ModelSerializer):
    customer_number = serializers.CharField(source="customer.customer_number")
    contract_number = serializers.CharField(source="contract.number", allow_null=True, default=None)
    invoice_number = serializers.CharField(source="invoice.number", allow_null=True, default=None)

    class Meta:
        model = Transaction
        fields = [
            "id",
            "external_id",
            "customer",
            "customer_number",
            "contract",
            "contract_number",
            "invoice",
            "invoice_number",
            "kind",
            "date",
            "description",
            "amount",
            "currency",
            "method",
            "comments",
        ]


@extend_schema(tags=["admin: billing"])
class AdminTransactionListView(FilteredList, generics.ListAPIView):
    """List transactions

    Payments and other transactions, paginated; filter, search by description, external id,
    comments or customer number, order by date or amount.
    """

    permission_classes = [IsStaff]
    serializer_class = AdminTransactionSerializer
    filterset_class = TransactionFilter
    search_fields = ["description", "external_id", "comments", "customer__customer_number"]
    ordering_fields = ["date", "amount"]
    ordering = ["-date", "-id"]

    def get_queryset(self):
        return Transaction.objects.select_related("customer", "contract", "invoice")


@extend_schema(tags=["admin: billing"])
class AdminTransactionDetailView(generics.RetrieveAPIView):
    """Get a transaction

    With its customer, contract and invoice.
    """

    permission_classes = [IsStaff]
    serializer_class = AdminTransactionSerializer

    def get_queryset(self):
        return Transaction.objects.select_related("customer", "contract", "invoice")
