"""Staff REST admin: meters, readings, data gaps, recomputation and re-ingestion."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import filters, generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from memberships.permissions import IsStaff, IsStaffOrAdmin

from .. import ingestion
from ..models import DailyConsumption, IntervalReading, Meter
from .integration import IngestResultSerializer, ingest_request


class MeterSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="service.code")
    unit = serializers.CharField(source="service.unit")
    location_address = serializers.CharField(source="location.one_line")

    class Meta:
        model = Meter
        fields = [
            "id",
            "external_id",
            "number",
            "location",
            "location_address",
            "service",
            "unit",
            "interval_minutes",
            "active",
        ]


@extend_schema(tags=["admin: consumption"])
class MeterListView(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = MeterSerializer
    filter_backends = [DjangoFilterBackend, filters.SearchFilter]
    filterset_fields = ["location", "service__code", "active"]
    search_fields = ["number", "external_id", "location__street"]

    def get_queryset(self):
        return Meter.objects.select_related("service", "location")


class ReadingSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntervalReading
        fields = ["start", "value", "source"]


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(label="from")
    end = serializers.DateField(label="to")

    def validate(self, data):
        if data["end"] < data["start"]:
            raise serializers.ValidationError({"end": ["The end is before the start."]})
        if (data["end"] - data["start"]).days > 3660:
            raise serializers.ValidationError({"end": ["At most ten years at a time."]})
        return data


def _moment(day, organisation) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), organisation.zone)


@extend_schema(tags=["admin: consumption"], parameters=[PeriodSerializer])
class MeterReadingsView(generics.ListAPIView):
    """Interval readings of one meter between two days (organisation time), paginated."""

    permission_classes = [IsStaff]
    serializer_class = ReadingSerializer

    def get_queryset(self):
        meter = get_object_or_404(Meter, pk=self.kwargs["pk"])
        period = PeriodSerializer(data=self.request.query_params)
        period.is_valid(raise_exception=True)
        organisation = self.request.organisation
        return IntervalReading.objects.filter(
            meter=meter,
            start__gte=_moment(period.validated_data["start"], organisation),
            start__lt=_moment(period.validated_data["end"] + timedelta(days=1), organisation),
        ).order_by("start")


class GapSerializer(serializers.Serializer):
    meter = serializers.CharField()
    meter_id = serializers.IntegerField()
    location = serializers.CharField()
    service = serializers.CharField()
    incomplete_days = serializers.ListField(child=serializers.DateField())


class GapsSerializer(serializers.Serializer):
    start = serializers.DateField(source="from")
    end = serializers.DateField(source="to")
    meters = GapSerializer(many=True)


class RefreshedSerializer(serializers.Serializer):
    days_refreshed = serializers.IntegerField()
    months_refreshed = serializers.IntegerField()


@extend_schema(
    tags=["admin: consumption"],
    parameters=[PeriodSerializer, OpenApiParameter("location", int)],
    responses={200: GapsSerializer},
)
class GapsView(APIView):
    """Days with missing or incomplete actual data, per meter (of one location, or all)."""

    permission_classes = [IsStaff]

    def get(self, request):
        period = PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        start, end = period.validated_data["start"], period.validated_data["end"]
        meters = Meter.objects.select_related("location", "service")
        if request.query_params.get("location"):
            meters = meters.filter(location_id=request.query_params["location"])
        meters = list(meters)
        complete = {
            (meter_id, day)
            for meter_id, day in DailyConsumption.objects.filter(
                meter__in=meters, day__gte=start, day__lte=end, actual_intervals__gte=1
            )
            .extra(where=["actual_intervals >= expected_intervals"])
            .values_list("meter_id", "day")
        }
        days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
        result = []
        for meter in meters:
            missing = [day.isoformat() for day in days if (meter.pk, day) not in complete]
            if missing:
                result.append(
                    {
                        "meter": meter.number,
                        "meter_id": meter.pk,
                        "location": meter.location.one_line,
                        "service": meter.service.code,
                        "incomplete_days": missing,
                    }
                )
        return Response({"from": start, "to": end, "meters": result})


@extend_schema(tags=["admin: consumption"], request=PeriodSerializer, responses={200: RefreshedSerializer})
class RecomputeView(APIView):
    """Rebuild a meter's daily and monthly aggregates over a period from its stored readings."""

    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        meter = get_object_or_404(Meter, pk=pk)
        period = PeriodSerializer(data=request.data)
        period.is_valid(raise_exception=True)
        days, months = ingestion.recompute(
            meter_ids=[meter.pk],
            start=_moment(period.validated_data["start"], request.organisation),
            end=_moment(period.validated_data["end"], request.organisation),
            organisation=request.organisation,
        )
        return Response({"days_refreshed": days, "months_refreshed": months})


@extend_schema(
    tags=["admin: consumption"],
    request={"application/json": {"type": "object"}, "text/csv": {"type": "string"}},
    responses={200: IngestResultSerializer},
)
class StaffReadingsView(APIView):
    """Re-ingest readings (corrections, a missed export): the same format as the integration API."""

    permission_classes = [IsStaffOrAdmin]

    def post(self, request):
        return Response(ingest_request(request))
