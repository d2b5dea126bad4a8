"""Move requests as the resident API and the staff API both show them (and the staff's own inputs);
the wizard's and the resident's own serializers are in portal_api.api.move_serializers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consumption.models import Meter

from ..approval import LINK_EXISTING, NEW_CUSTOMER
from ..models import MeterPhoto, MoveInRequest, MoveOutRequest, RequestStatus


class MeterChoiceSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="service.code")
    unit = serializers.CharField(source="service.unit")

    class Meta:
        model = Meter
        fields = ["id", "number", "service", "unit"]


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeterPhoto
        fields = ["id", "meter", "uploaded_at"]


class MoveInSerializer(serializers.ModelSerializer):
    reference = serializers.SerializerMethodField()
    address = serializers.CharField(source="location.one_line", default=None, allow_null=True)
    completed_steps = serializers.SerializerMethodField()
    meters = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = MoveInRequest
        fields = [
            "reference",
            "status",
            "language",
            "steps",
            "completed_steps",
            "address",
            "meters",
            "photos",
            "created_at",
            "submitted_at",
            "rejection_reason",
        ]

    def get_reference(self, request) -> str:
        return f"MI-{request.pk:06d}"

    def get_completed_steps(self, request) -> list[int]:
        return sorted(int(key) for key in request.steps if key.isdigit())

    @extend_schema_field(MeterChoiceSerializer(many=True))
    def get_meters(self, request) -> list[dict]:
        if request.location_id is None:
            return []
        meters = getattr(request.location, "active_meters", None)  # prefetched by lists
        if meters is None:
            meters = (
                Meter.objects.filter(location_id=request.location_id, active=True)
                .select_related("service")
                .order_by("pk")
            )
        return MeterChoiceSerializer(meters, many=True).data


class ReadingToCorrectSerializer(serializers.Serializer):
    meter_id = serializers.IntegerField()
    meter_number = serializers.CharField()
    value = serializers.CharField(help_text="The reading given")
    reason = serializers.CharField(
        help_text="Why it cannot be recorded, naming the meter's last known reading"
    )


class ReadingsToCorrectMixin(serializers.Serializer):
    readings_to_correct = serializers.SerializerMethodField(
        help_text="Status correction: the readings to correct and why (empty otherwise)."
    )

    @extend_schema_field(ReadingToCorrectSerializer(many=True))
    def get_readings_to_correct(self, request) -> list[dict]:
        if request.status != RequestStatus.CORRECTION:
            return []
        return [
            {key: row.get(key) for key in ("meter_id", "meter_number", "value", "reason")}
            for row in request.readings_refused
        ]


class ReasonSerializer(serializers.Serializer):
    # Blank passes here so that the service can say why a reason is needed (code "required").
    reason = serializers.CharField(max_length=500, allow_blank=True)


class ApproveInputSerializer(serializers.Serializer):
    on_existing_login = serializers.ChoiceField(
        choices=[LINK_EXISTING, NEW_CUSTOMER],
        required=False,
        help_text="Only when the applicant's email address is already another customer's portal login: "
        "'link' adds the contract to that customer, 'new_customer' creates a customer without invitation.",
    )


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


class MoveOutSerializer(ReadingsToCorrectMixin, serializers.ModelSerializer):
    reference = serializers.SerializerMethodField()
    contract_number = serializers.CharField(source="contract_location.contract.number")
    address = serializers.CharField(source="contract_location.location.one_line")
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = MoveOutRequest
        fields = [
            "id",
            "reference",
            "status",
            "contract_number",
            "address",
            "move_out_date",
            "readings",
            "forwarding_address",
            "photos",
            "submitted_at",
            "decided_at",
            "completed_at",
            "rejection_reason",
            "cancelled_at",
            "cancellation_reason",
            "readings_to_correct",
        ]

    def get_reference(self, request) -> str:
        return f"MO-{request.pk:06d}"


class AdminMoveInSerializer(MoveInSerializer):
    created_customer = serializers.IntegerField(source="created_customer_id", allow_null=True)
    created_contract = serializers.IntegerField(source="created_contract_id", allow_null=True)
    existing_customer = serializers.IntegerField(source="existing_customer_id", allow_null=True)

    class Meta(MoveInSerializer.Meta):
        fields = [
            "id",
            *MoveInSerializer.Meta.fields,
            "email",
            "move_in_date",
            "decided_at",
            "existing_customer",
            "created_customer",
            "created_contract",
            "readings_recorded_at",
            "readings_refused",
        ]


class ApprovalSerializer(AdminMoveInSerializer):
    """The approved request, with what staff should know (e.g. the address is still supplied)."""

    warnings = WarningSerializer(many=True, read_only=True)

    class Meta(AdminMoveInSerializer.Meta):
        fields = [*AdminMoveInSerializer.Meta.fields, "warnings"]


class AdminMoveOutSerializer(MoveOutSerializer):
    customer = serializers.IntegerField(source="customer_id")
    cancelled_by = serializers.IntegerField(source="cancelled_by_id", allow_null=True)

    class Meta(MoveOutSerializer.Meta):
        fields = [*MoveOutSerializer.Meta.fields, "customer", "readings_refused", "cancelled_by"]
