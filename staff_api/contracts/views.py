"""Staff REST admin: contracts and locations (lists and details)."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from contracts.energy_services import SERVICE_CHOICES
from contracts.models import AdvancePaymentPlan, Contract, ContractLocation, Location
from core.api_lists import FilteredList
from customers.models import Customer
from memberships.permissions import IsStaff


class AdminLocationSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="one_line")

    class Meta:
        model = Location
        fields = [
            "id",
            "external_id",
            "address",
            "street",
            "house_number",
            "box",
            "postal_code",
            "city",
            "country",
            "building_type",
            "floor_area_m2",
            "connection_status",
        ]


class AdminContractLocationSerializer(serializers.ModelSerializer):
    location = AdminLocationSerializer()
    services = serializers.ListField(child=serializers.ChoiceField(choices=SERVICE_CHOICES))

    class Meta:
        model = ContractLocation
        fields = ["location", "services", "move_in_date", "move_out_date"]


class AdminAdvanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdvancePaymentPlan
        fields = ["currency", "original_amount", "settlement_amount", "current_amount", "updated_at"]


class AdminContractSerializer(serializers.ModelSerializer):
    customer_number = serializers.CharField(source="customer.customer_number")
    locations = AdminContractLocationSerializer(source="contract_locations", many=True)
    advance = AdminAdvanceSerializer(source="advance_plan", allow_null=True, default=None)

    class Meta:
        model = Contract
        fields = [
            "id",
            "external_id",
            "number",
            "customer",
            "customer_number",
            "status",
            "start_date",
            "end_date",
            "currency",
            "locations",
            "advance",
        ]


def _contracts():
    return Contract.objects.select_related("customer", "advance_plan").prefetch_related(
        Prefetch("contract_locations", queryset=ContractLocation.objects.select_related("location"))
    )


@extend_schema(tags=["admin: contracts"])
class AdminContractListView(FilteredList, generics.ListAPIView):
    """List contracts

    Paginated; filter by customer and status, search by contract number, external id, customer
    number or name, or a supplied location's street, order by number, start or end date.
    """

    permission_classes = [IsStaff]
    serializer_class = AdminContractSerializer
    filterset_fields = ["customer", "status"]
    search_fields = [
        "number",
        "external_id",
        "customer__customer_number",
        "customer__last_name",
        "customer__company_name",
        "contract_locations__location__street",
    ]
    ordering_fields = ["number", "start_date", "end_date"]
    ordering = ["number"]

    def get_queryset(self):
        return _contracts().distinct()


@extend_schema(tags=["admin: contracts"])
class AdminContractDetailView(generics.RetrieveAPIView):
    """Get a contract

    With its customer, locations, services and advance payment.
    """

    permission_classes = [IsStaff]
    serializer_class = AdminContractSerializer

    def get_queryset(self):
        return _contracts()


class LocationFilter(django_filters.FilterSet):
    customer = django_filters.ModelChoiceFilter(
        field_name="contract_locations__contract__customer", queryset=Customer.objects.all(), distinct=True
    )
    contract = django_filters.ModelChoiceFilter(
        field_name="contract_locations__contract", queryset=Contract.objects.all(), distinct=True
    )

    class Meta:
        model = Location
        fields = ["connection_status", "building_type", "postal_code"]


class LocationContractSerializer(serializers.ModelSerializer):
    """A contract that supplies this location, with what it delivers there."""

    contract = serializers.IntegerField(source="contract_id")
    contract_number = serializers.CharField(source="contract.number")
    contract_status = serializers.CharField(source="contract.status")
    customer = serializers.IntegerField(source="contract.customer_id")
    customer_number = serializers.CharField(source="contract.customer.customer_number")
    services = serializers.ListField(child=serializers.ChoiceField(choices=SERVICE_CHOICES))

    class Meta:
        model = ContractLocation
        fields = [
            "contract",
            "contract_number",
            "contract_status",
            "customer",
            "customer_number",
            "services",
            "move_in_date",
            "move_out_date",
        ]


class AdminLocationDetailSerializer(AdminLocationSerializer):
    contracts = LocationContractSerializer(source="contract_locations", many=True)

    class Meta(AdminLocationSerializer.Meta):
        fields = [*AdminLocationSerializer.Meta.fields, "contracts"]


@extend_schema(tags=["admin: contracts"])
class AdminLocationListView(FilteredList, generics.ListAPIView):
    """List locations

    The addresses the organisation supplies, paginated; filter, search by street, postal code, city
    or external id, order by address.
    """

    permission_classes = [IsStaff]
    serializer_class = AdminLocationSerializer
    filterset_class = LocationFilter
    search_fields = ["street", "postal_code", "city", "external_id"]
    ordering_fields = ["postal_code", "street", "city"]
    ordering = ["postal_code", "street", "house_number", "box", "id"]

    def get_queryset(self):
        return Location.objects.all()


@extend_schema(tags=["admin: contracts"])
class AdminLocationDetailView(generics.RetrieveAPIView):
    """Get a location

    A location with every contract that supplies (or supplied) it.
    """

    permission_classes = [IsStaff]
    serializer_class = AdminLocationDetailSerializer

    def get_queryset(self):
        return Location.objects.prefetch_related(
            Prefetch(
                "contract_locations",
                queryset=ContractLocation.objects.select_related("contract__customer").order_by(
                    "-contract__start_date", "id"
                ),
            )
        )
