"""Staff REST admin: customers."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from memberships.models import PortalAccount
from memberships.permissions import IsStaff

from ..models import Customer
from ..selectors import search_customers


class CustomerListSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    portal_status = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = ["id", "customer_number", "kind", "name", "email", "language", "portal_status"]

    def get_portal_status(self, customer) -> str:
        account = getattr(customer, "portal_account", None)
        return account.status if account else PortalAccount.Status.NO_ACCOUNT


@extend_schema(
    tags=["admin: customers"],
    parameters=[OpenApiParameter("search", str, description="Customer number, name or email address")],
)
class CustomerListView(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = CustomerListSerializer

    def get_queryset(self):
        return search_customers(query=self.request.query_params.get("search", "").strip())


class AddressSerializer(serializers.Serializer):
    kind = serializers.CharField()
    street = serializers.CharField()
    house_number = serializers.CharField()
    box = serializers.CharField()
    postal_code = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField()


class CustomerDetailSerializer(CustomerListSerializer):
    addresses = AddressSerializer(many=True)
    contracts = serializers.SerializerMethodField()

    class Meta(CustomerListSerializer.Meta):
        fields = [
            *CustomerListSerializer.Meta.fields,
            "external_id",
            "first_name",
            "last_name",
            "company_name",
            "vat_number",
            "phone",
            "billing_preference",
            "addresses",
            "contracts",
            "created_at",
            "updated_at",
        ]

    def get_contracts(self, customer) -> list[dict]:
        return [{"id": c.pk, "number": c.number, "status": c.status} for c in customer.contracts.all()]


@extend_schema(tags=["admin: customers"])
class CustomerDetailView(generics.RetrieveAPIView):
    permission_classes = [IsStaff]
    serializer_class = CustomerDetailSerializer

    def get_queryset(self):
        return Customer.objects.select_related("portal_account").prefetch_related("addresses", "contracts")
