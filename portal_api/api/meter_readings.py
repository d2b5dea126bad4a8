"""The resident's meter readings outside a move (/api/portal/meter-readings/): what they can read,
what they submitted, and submitting one (with an optional photo).

The rules are consumption.submitted_readings' (checks at entry); self_service.meter_readings tells
the billing system. Staff accept or reject them in the staff API.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from consumption.models import SubmittedReading
from consumption.submitted_readings import Entry, reading_options
from core.api_uploads import TakesUploads
from core.files.serving import stored_file_response
from self_service.meter_readings import submit_reading

from .base import ResidentAPIView, ResidentMixin


class LastReadingSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=20, decimal_places=7)
    taken_at = serializers.DateTimeField()


class ReadingOptionSerializer(serializers.Serializer):
    meter_id = serializers.IntegerField()
    meter_number = serializers.CharField()
    service = serializers.CharField()
    unit = serializers.CharField()
    address = serializers.CharField()
    last_reading = LastReadingSerializer(allow_null=True)


class SubmittedReadingSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    meter_number = serializers.CharField(source="meter.number", read_only=True)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = SubmittedReading
        fields = [
            "id",
            "reference",
            "meter_id",
            "meter_number",
            "value",
            "read_on",
            "taken_at",
            "status",
            "warning",
            "reason",
            "has_photo",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = fields

    def get_has_photo(self, reading: SubmittedReading) -> bool:
        return bool(reading.photo)


class SubmitReadingSerializer(serializers.Serializer):
    meter_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    value = serializers.DecimalField(max_digits=20, decimal_places=7, min_value=0)
    read_on = serializers.DateField()
    photo = serializers.FileField(required=False)
    confirmed = serializers.BooleanField(
        default=False, help_text="Keep a value above what we expect (answered as a reading_implausible error)"
    )


@extend_schema(tags=["portal: meter readings"])
class ResidentReadingListView(TakesUploads, ResidentMixin, generics.ListAPIView):
    """List your submitted meter readings

    The readings you submitted outside a move, newest first, with their status (submitted,
    accepted, rejected) and the reason of a rejection.
    """

    serializer_class = SubmittedReadingSerializer
    queryset = SubmittedReading.objects.select_related("meter")

    @extend_schema(
        request={"multipart/form-data": SubmitReadingSerializer},
        responses={201: SubmittedReadingSerializer},
    )
    def post(self, request):
        """Submit a meter reading

        For one of your meters that is not read remotely (see the options): the value it shows, the
        day read and optionally a photo. Below the last reading is refused (``reading_refused``);
        far above what we expect is ``reading_implausible`` unless ``confirmed`` is true.
        """
        data = SubmitReadingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reading = submit_reading(
            customer=request.resident.customer,
            user=request.user,
            organisation=request.organisation,
            entry=Entry(**data.validated_data),
        )
        return Response(SubmittedReadingSerializer(reading).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["portal: meter readings"], responses={200: ReadingOptionSerializer(many=True)})
class ResidentReadingOptionsView(ResidentAPIView):
    """List the meters you can read

    Your meters that are not read remotely, with their last known reading.
    """

    def get(self, request):
        options = reading_options(customer=request.resident.customer, organisation=request.organisation)
        return Response(ReadingOptionSerializer(options, many=True).data)


@extend_schema(tags=["portal: meter readings"], responses={(200, "image/jpeg"): bytes})
class ResidentReadingPhotoView(ResidentMixin, generics.GenericAPIView):
    """Download the photo of one of your readings

    The photo you sent with a submitted reading, as we keep it (a re-encoded JPEG without its
    metadata); 404 when you sent none, or for a reading that is not yours.
    """

    queryset = SubmittedReading.objects.all()
    read_cache = False  # a file from storage: never kept, so not looked up

    def get(self, request, pk: int):
        reading = self.kept_object()
        if not reading.photo:
            raise Http404
        return stored_file_response(reading.photo, content_type="image/jpeg")
