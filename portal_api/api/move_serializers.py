"""Serializers of the move-in wizard (anyone) and of the resident's move-outs (portal_api.api.moves)."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from moves.api.serializers import MoveInSerializer, ReadingsToCorrectMixin
from moves.models import MOVE_IN_STATUSES, MoveInRequest, RequestStatus
from moves.steps import ReadingSerializer

SUBMITTED_STATUSES = [choice for choice in MOVE_IN_STATUSES if choice[0] != RequestStatus.DRAFT]


class MoveInStatusSerializer(ReadingsToCorrectMixin, serializers.ModelSerializer):
    """What the key still shows once the request is submitted: no personal or bank details; why
    it was rejected, or which readings to correct (then step 5 can be saved and submitted again)."""

    reference = serializers.SerializerMethodField()
    # Never "draft": a draft shows in full (MoveInSerializer), which keeps the two apart in OpenAPI.
    status = serializers.ChoiceField(choices=SUBMITTED_STATUSES, read_only=True)

    class Meta:
        model = MoveInRequest
        fields = ["reference", "status", "submitted_at", "rejection_reason", "readings_to_correct"]

    def get_reference(self, request) -> str:
        return f"MI-{request.pk:06d}"


def public_move_in(request: MoveInRequest) -> dict:
    """The draft in full for its key holder while it is a draft; afterwards only its status."""
    if request.status == RequestStatus.DRAFT:
        return MoveInSerializer(request).data
    return MoveInStatusSerializer(request).data


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


class LocationHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    address = serializers.CharField()


class CorrectedReadingsSerializer(serializers.Serializer):
    readings = ReadingSerializer(many=True, help_text="A final reading for every meter of the move-out.")


class OptionMeterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    service = serializers.CharField()
    unit = serializers.CharField()


class OptionLocationSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="location_id of a move-out")
    address = serializers.CharField()
    services = serializers.ListField(child=serializers.CharField())
    move_in_date = serializers.DateField(allow_null=True)
    move_out_waiting = serializers.BooleanField(help_text="A move-out of this location awaits processing.")
    earliest_move_out_date = serializers.DateField()
    latest_move_out_date = serializers.DateField()
    meters = OptionMeterSerializer(many=True, help_text="Give one final reading for each of these meters.")


class MoveOutOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="contract_id of a move-out")
    number = serializers.CharField()
    locations = OptionLocationSerializer(many=True)
