"""Staff REST admin: customers."""

from __future__ import annotations

import django_filters
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from core.api_lists import MethodSearchList
from customers.models import Customer
from memberships.models import PortalAccount
from memberships.permissions import IsStaff

from .search import search_customers


class CustomerFilter(django_filters.FilterSet):
    """Filters besides ``search``; an unknown value is a 400 naming the field."""

    kind = django_filters.ChoiceFilter(choices=Customer.Kind.choices)
    language = django_filters.ChoiceFilter(choices=settings.LANGUAGES)
    billing_preference = django_filters.ChoiceFilter(choices=Customer.BillingPreference.choices)
    portal_status = django_filters.ChoiceFilter(
        label=_("portal status"), choices=PortalAccount.Status.choices, method="filter_portal_status"
    )

    class Meta:
        model = Customer
        fields = ["kind", "language", "billing_preference"]

    def filter_portal_status(self, queryset, name, value):
        # Mirrors PortalAccount.status: active once linked to a confirmed identity.
        if value == PortalAccount.Status.NO_ACCOUNT:
            return queryset.filter(portal_account__isnull=True)
        active = Q(portal_account__user__isnull=False, portal_account__email_confirmed_at__isnull=False)
        if value == PortalAccount.Status.ACTIVE:
            return queryset.filter(active)
        return queryset.filter(portal_account__isnull=False).exclude(active)


class CustomerListSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    portal_status = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = ["id", "customer_number", "kind", "name", "email", "language", "portal_status"]

    def get_portal_status(self, customer) -> str:
        account = getattr(customer, "portal_account", None)
        return account.status if account else PortalAccount.Status.NO_ACCOUNT


@extend_schema(tags=["admin: customers"])
class CustomerListView(MethodSearchList, generics.ListAPIView):
    """List customers

    Paginated, with the state of each one's portal account; filter by kind, language, billing
    preference and portal status (active, no_account, not_confirmed); search by customer number,
    name, email address or address (every word must match); order by number, name or date.
    """

    permission_classes = [IsStaff]
    serializer_class = CustomerListSerializer
    filterset_class = CustomerFilter
    ordering_fields = ["customer_number", "last_name", "company_name", "created_at", "updated_at"]
    ordering = ["customer_number"]
    queryset = search_customers()

    def search_queryset(self, queryset, term: str):
        return search_customers(query=term, queryset=queryset)


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
    """Get a customer

    With their addresses, contracts and portal account.
    """

    permission_classes = [IsStaff]
    serializer_class = CustomerDetailSerializer

    def get_queryset(self):
        return Customer.objects.select_related("portal_account").prefetch_related("addresses", "contracts")
