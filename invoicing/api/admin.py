"""Staff REST admin: invoices and transactions, filterable, searchable, paginated."""

from __future__ import annotations

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import filters, generics, serializers

from memberships.permissions import IsStaff

from ..models import Invoice, InvoiceLine, Transaction


class InvoiceFilter(django_filters.FilterSet):
    issued_after = django_filters.DateFilter(field_name="issue_date", lookup_expr="gte")
    issued_before = django_filters.DateFilter(field_name="issue_date", lookup_expr="lte")

    class Meta:
        model = Invoice
        fields = ["customer", "contract", "kind", "payment_status"]


class AdminInvoiceSerializer(serializers.ModelSerializer):
    customer_number = serializers.CharField(source="customer.customer_number")
    contract_number = serializers.CharField(source="contract.number", default=None)

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
class AdminInvoiceListView(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = AdminInvoiceSerializer
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
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
    permission_classes = [IsStaff]
    serializer_class = AdminInvoiceDetailSerializer

    def get_queryset(self):
        return Invoice.objects.select_related("customer", "contract").prefetch_related("lines")


class TransactionFilter(django_filters.FilterSet):
    after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Transaction
        fields = ["customer", "contract", "invoice", "kind"]


class AdminTransactionSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", default=None)

    class Meta:
        model = Transaction
        fields = [
            "id",
            "external_id",
            "customer",
            "contract",
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
class AdminTransactionListView(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = AdminTransactionSerializer
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_class = TransactionFilter
    search_fields = ["description", "external_id", "comments"]
    ordering_fields = ["date", "amount"]
    ordering = ["-date", "-id"]

    def get_queryset(self):
        return Transaction.objects.select_related("invoice")
