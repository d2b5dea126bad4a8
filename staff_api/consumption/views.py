"""Staff REST admin: meters, readings, data gaps, recomputation and re-ingestion."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from consumption import aggregates, gaps, services
from consumption.models import IntervalReading, Meter, RegisterReading
from contracts.energy_services import SERVICE_CHOICES
from contracts.models import Location
from core.api_lists import FilteredList
from integration.api.readings import MAX_BYTES, IngestResultSerializer, ingest_request
from memberships.permissions import IsStaff, IsStaffOrAdmin


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
            "installed_on",
            "removed_on",
        ]


class MeterWriteSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=100)
    number = serializers.CharField(max_length=40)
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    service = serializers.ChoiceField(choices=SERVICE_CHOICES)
    interval_minutes = serializers.ChoiceField(choices=Meter.INTERVALS, default=15)
    installed_on = serializers.DateField(required=False, allow_null=True, default=None)


class DeactivateSerializer(serializers.Serializer):
    removed_on = serializers.DateField(required=False, help_text="Default: today (organisation time)")


def _meter(pk: int) -> Meter:
    return get_object_or_404(Meter.objects.select_related("service", "location"), pk=pk)


@extend_schema(tags=["admin: consumption"])
class MeterListView(FilteredList, generics.ListAPIView):
    """List meters

    Every meter of the organisation, paginated; search by number, external id or address, filter by
    location, service code and whether it is active, order by number or installation date.
    """

    serializer_class = MeterSerializer
    filterset_fields = ["location", "service__code", "active"]
    search_fields = ["number", "external_id", "location__street", "location__postal_code", "location__city"]
    ordering_fields = ["number", "external_id", "installed_on", "removed_on"]
    ordering = ["number", "id"]

    def get_permissions(self):
        return [IsStaffOrAdmin()] if self.request.method == "POST" else [IsStaff()]

    def get_queryset(self):
        return Meter.objects.select_related("service", "location")

    @extend_schema(request=MeterWriteSerializer, responses={201: MeterSerializer})
    def post(self, request):
        """Add a meter

        For the administrator and staff roles. Readings are accepted for it from its installation day.
        """
        data = MeterWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meter = services.create_meter(**data.validated_data)
        return Response(MeterSerializer(_meter(meter.pk)).data, status=201)


@extend_schema(tags=["admin: consumption"])
class MeterDetailView(APIView):
    """One meter of the organisation."""

    def get_permissions(self):
        return [IsStaffOrAdmin()] if self.request.method == "PATCH" else [IsStaff()]

    @extend_schema(responses={200: MeterSerializer})
    def get(self, request, pk: int):
        """Get a meter"""
        return Response(MeterSerializer(_meter(pk)).data)

    @extend_schema(request=MeterWriteSerializer(partial=True), responses={200: MeterSerializer})
    def patch(self, request, pk: int):
        """Change a meter

        Its location, service and interval change only while it has no readings; the other fields
        always.
        """
        meter = _meter(pk)
        data = MeterWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_meter(meter=meter, organisation=request.organisation, **data.validated_data)
        return Response(MeterSerializer(_meter(pk)).data)


@extend_schema(tags=["admin: consumption"], request=DeactivateSerializer, responses={200: MeterSerializer})
class MeterDeactivateView(APIView):
    """Take a meter out of service

    No readings are expected or accepted after its removal day (today unless given).
    """

    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        meter = _meter(pk)
        data = DeactivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        today = timezone.localdate(timezone=request.organisation.zone)
        services.deactivate_meter(
            meter=meter,
            organisation=request.organisation,
            removed_on=data.validated_data.get("removed_on", today),
            today=today,
        )
        return Response(MeterSerializer(_meter(pk)).data)


class ReadingSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntervalReading
        fields = ["start", "value", "source"]


class RegisterReadingSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegisterReading
        fields = ["taken_at", "value", "source"]


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(label="from")
    end = serializers.DateField(label="to")

    def validate(self, data):
        if data["end"] < data["start"]:
            raise serializers.ValidationError({"end": [_("The end is before the start.")]})
        if (data["end"] - data["start"]).days > 3660:
            raise serializers.ValidationError({"end": [_("At most ten years at a time.")]})
        return data


class GapsQuerySerializer(PeriodSerializer):
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), required=False)
    # One meter's completeness (the staff console's meter page): its incomplete days, or no row.
    meter = serializers.PrimaryKeyRelatedField(queryset=Meter.objects.all(), required=False)


def _moment(day, organisation) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), organisation.zone)


class _MeterPeriodView(generics.ListAPIView):
    """Readings of one meter between two days (organisation time), paginated."""

    permission_classes = [IsStaff]
    model: type = IntervalReading
    moment_field = "start"

    def get_queryset(self):
        meter = get_object_or_404(Meter, pk=self.kwargs["pk"])
        period = PeriodSerializer(data=self.request.query_params)
        period.is_valid(raise_exception=True)
        organisation = self.request.organisation
        first = _moment(period.validated_data["start"], organisation)
        after = _moment(period.validated_data["end"] + timedelta(days=1), organisation)
        field = self.moment_field
        return self.model.objects.filter(
            meter=meter, **{f"{field}__gte": first, f"{field}__lt": after}
        ).order_by(field)


@extend_schema(tags=["admin: consumption"], parameters=[PeriodSerializer])
class MeterReadingsView(_MeterPeriodView):
    """List a meter's interval readings

    The consumption per interval of one meter between two days (the organisation's time), paginated.
    """

    serializer_class = ReadingSerializer


@extend_schema(tags=["admin: consumption"], parameters=[PeriodSerializer])
class MeterRegistersView(_MeterPeriodView):
    """List a meter's register readings

    The meter index readings of one meter between two days (the organisation's time), paginated.
    """

    serializer_class = RegisterReadingSerializer
    model = RegisterReading
    moment_field = "taken_at"


class GapSerializer(serializers.Serializer):
    meter = serializers.CharField()
    meter_id = serializers.IntegerField()
    location_id = serializers.IntegerField()
    location = serializers.CharField()
    service = serializers.CharField()
    counted_from = serializers.DateField(help_text="Installation, else first reading, else occupancy")
    counted_to = serializers.DateField(help_text="Removal, the end of the period or yesterday")
    incomplete_day_count = serializers.IntegerField()
    incomplete_days = serializers.ListField(child=serializers.DateField())


class GapsSerializer(serializers.Serializer):
    """The answer names the period as the query does (start, end), then the page of meters."""

    start = serializers.DateField()
    end = serializers.DateField()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = GapSerializer(many=True)


class RefreshedSerializer(serializers.Serializer):
    days_refreshed = serializers.IntegerField()
    months_refreshed = serializers.IntegerField()


@extend_schema(
    tags=["admin: consumption"],
    parameters=[GapsQuerySerializer, OpenApiParameter("page", int)],
    responses={200: GapsSerializer},
)
class GapsView(APIView):
    """List meters with gaps in their data

    Meters with days without complete actual data in a period (of one location, one meter, or
    all), paginated.
    """

    permission_classes = [IsStaff]

    def get(self, request):
        query = GapsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["start"], query.validated_data["end"]
        location, meter = query.validated_data.get("location"), query.validated_data.get("meter")
        found = gaps.GapList(
            start=start,
            end=end,
            today=timezone.localdate(timezone=request.organisation.zone),
            location_id=location.pk if location else None,
            meter_id=meter.pk if meter else None,
        )
        paginator = generics.GenericAPIView.pagination_class()
        page = paginator.paginate_queryset(found, request, view=self)
        response = paginator.get_paginated_response(GapSerializer(gaps.describe(page), many=True).data)
        response.data = {"start": start, "end": end, **response.data}
        return response


@extend_schema(tags=["admin: consumption"], request=PeriodSerializer, responses={200: RefreshedSerializer})
class RecomputeView(APIView):
    """Recompute a meter's daily and monthly totals

    Rebuilds the daily and monthly aggregates of one meter over a period from its stored readings.
    """

    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        meter = get_object_or_404(Meter, pk=pk)
        period = PeriodSerializer(data=request.data)
        period.is_valid(raise_exception=True)
        days, months = aggregates.recompute(
            meter_ids=[meter.pk],
            first_day=period.validated_data["start"],
            last_day=period.validated_data["end"],
            organisation=request.organisation,
        )
        return Response({"days_refreshed": days, "months_refreshed": months})


@extend_schema(
    tags=["admin: consumption"],
    request={"application/json": {"type": "object"}, "text/csv": {"type": "string"}},
    responses={
        200: IngestResultSerializer,
        413: OpenApiResponse(description="The body is larger than 500 MB (`request_too_large`): split it."),
    },
)
class StaffReadingsView(APIView):
    """Load meter readings as staff

    For corrections or a missed export: the same JSON or CSV format as the integration API's
    readings. Bad rows are listed; the good ones are stored.
    """

    permission_classes = [IsStaffOrAdmin]
    max_body_bytes = MAX_BYTES  # core.input_guard refuses more before it is read

    def post(self, request):
        return Response(ingest_request(request))
