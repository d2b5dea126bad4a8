"""Staff REST admin: contracts and locations."""

from __future__ import annotations

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import filters, generics, serializers

from memberships.permissions import IsStaff

from ..energy_services import SERVICE_CHOICES
from ..models import AdvancePaymentPlan, Contract, ContractLocation, Location


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
    advance = AdminAdvanceSerializer(source="advance_plan", default=None)

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


@extend_schema(tags=["admin: contracts"])
class AdminContractListView(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = AdminContractSerializer
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_fields = ["customer", "status"]
    search_fields = [
        "number",
        "external_id",
        "customer__customer_number",
        "contract_locations__location__street",
    ]
    ordering_fields = ["number", "start_date"]
    ordering = ["number"]

    def get_queryset(self):
        return (
            Contract.objects.select_related("customer", "advance_plan")
            .prefetch_related(
                Prefetch("contract_locations", queryset=ContractLocation.objects.select_related("location"))
            )
            .distinct()
        )


@extend_schema(tags=["admin: contracts"])
class AdminLocationListView(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = AdminLocationSerializer
    filter_backends = [DjangoFilterBackend, filters.SearchFilter]
    filterset_fields = ["connection_status", "building_type", "postal_code"]
    search_fields = ["street", "postal_code", "city", "external_id"]

    def get_queryset(self):
        return Location.objects.all()
