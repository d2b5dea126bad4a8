from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from consumption.models import Meter

from ..models import MeterPhoto, MoveInRequest, MoveOutRequest


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
    address = serializers.CharField(source="location.one_line", default=None)
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

    def get_meters(self, request) -> list[dict]:
        if request.location_id is None:
            return []
        meters = (
            Meter.objects.filter(location_id=request.location_id, active=True)
            .select_related("service")
            .order_by("pk")
        )
        return MeterChoiceSerializer(meters, many=True).data


class DraftSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Keep it: it opens this draft. Only its hash is stored.")
    request = MoveInSerializer()


class StartSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)


class PhotoUploadSerializer(serializers.Serializer):
    meter_id = serializers.IntegerField()
    photo = serializers.FileField()


class ResumeTokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class LocationHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    address = serializers.CharField()


class MoveOutSerializer(serializers.ModelSerializer):
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
            "rejection_reason",
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
            "decided_at",
            "existing_customer",
            "created_customer",
            "created_contract",
        ]


class AdminMoveOutSerializer(MoveOutSerializer):
    customer = serializers.IntegerField(source="customer_id")

    class Meta(MoveOutSerializer.Meta):
        fields = [*MoveOutSerializer.Meta.fields, "customer"]
