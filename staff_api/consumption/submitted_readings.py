"""The staff's queue of meter readings residents submitted outside a move: list, accept, reject,
and the photo sent with one. Rules: consumption.submitted_readings; changes feed: self_service."""

from __future__ import annotations

import django_filters
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from consumption.models import SubmittedReading
from core.api_lists import FilteredList
from core.files.serving import stored_file_response
from memberships.permissions import IsStaff, IsStaffOrAdmin
from moves.api.serializers import ReasonSerializer  # the same body as rejecting a move
from self_service.meter_readings import accept_reading, reject_reading


class StaffSubmittedReadingSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    customer_number = serializers.CharField(source="customer.customer_number", read_only=True)
    customer_name = serializers.CharField(source="customer.display_name", read_only=True)
    meter_number = serializers.CharField(source="meter.number", read_only=True)
    meter_external_id = serializers.CharField(source="meter.external_id", read_only=True)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = SubmittedReading
        fields = [
            "id",
            "reference",
            "customer_id",
            "customer_number",
            "customer_name",
            "meter_id",
            "meter_number",
            "meter_external_id",
            "value",
            "read_on",
            "taken_at",
            "status",
            "warning",
            "reason",
            "has_photo",
            "submitted_at",
            "decided_at",
            "decided_by_id",
        ]
        read_only_fields = fields

    def get_has_photo(self, reading: SubmittedReading) -> bool:
        return bool(reading.photo)


class SubmittedReadingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SubmittedReading.Status.choices)
    read_from = django_filters.DateFilter(field_name="read_on", lookup_expr="gte")
    read_until = django_filters.DateFilter(field_name="read_on", lookup_expr="lte")
    with_warning = django_filters.BooleanFilter(method="filter_with_warning")

    class Meta:
        model = SubmittedReading
        fields = ["status", "customer", "meter", "read_from", "read_until", "with_warning"]

    def filter_with_warning(self, queryset, name, value):
        return queryset.exclude(warning="") if value else queryset.filter(warning="")


def _reading(pk: int) -> SubmittedReading:
    return get_object_or_404(SubmittedReading.objects.select_related("customer", "meter"), pk=pk)


@extend_schema(tags=["admin: consumption"])
class SubmittedReadingListView(FilteredList, generics.ListAPIView):
    """List submitted meter readings

    Readings residents submitted outside a move, newest first; filter by status, customer, meter,
    reading day and whether the resident confirmed a value we did not expect (``with_warning``);
    search by customer number or name, meter number.
    """

    permission_classes = [IsStaff]
    serializer_class = StaffSubmittedReadingSerializer
    filterset_class = SubmittedReadingFilter
    search_fields = [
        "customer__customer_number",
        "customer__first_name",
        "customer__last_name",
        "customer__company_name",
        "meter__number",
        "meter__external_id",
    ]
    ordering_fields = ["submitted_at", "read_on", "status"]
    ordering = ["-submitted_at", "-id"]

    def get_queryset(self):
        return SubmittedReading.objects.select_related("customer", "meter")


@extend_schema(tags=["admin: consumption"])
class SubmittedReadingDetailView(generics.RetrieveAPIView):
    """Get a submitted meter reading

    One reading of the queue, as listed (the staff console's page of one reading).
    """

    permission_classes = [IsStaff]
    serializer_class = StaffSubmittedReadingSerializer

    def get_object(self):
        return _reading(self.kwargs["pk"])


@extend_schema(tags=["admin: consumption"], request=None, responses={200: StaffSubmittedReadingSerializer})
class AcceptSubmittedReadingView(APIView):
    """Accept a submitted meter reading

    Stores it as an actual register reading (the consumption aggregates follow) and tells the
    billing system (changes feed). 400 ``reading_refused`` when it can no longer be stored; 409
    ``not_submitted`` once decided.
    """

    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        done = accept_reading(
            reading=_reading(pk), staff_user=request.user, organisation=request.organisation
        )
        return Response(StaffSubmittedReadingSerializer(done).data)


@extend_schema(
    tags=["admin: consumption"], request=ReasonSerializer, responses={200: StaffSubmittedReadingSerializer}
)
class RejectSubmittedReadingView(APIView):
    """Reject a submitted meter reading

    The resident is emailed the reason. 409 ``not_submitted`` once decided.
    """

    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        reading = _reading(pk)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = reject_reading(
            reading=reading,
            staff_user=request.user,
            organisation=request.organisation,
            reason=serializer.validated_data["reason"],
        )
        return Response(StaffSubmittedReadingSerializer(done).data)


@extend_schema(
    tags=["admin: consumption"],
    responses={(200, "image/jpeg"): bytes},
)
class SubmittedReadingPhotoView(APIView):
    """Download the photo of a submitted meter reading

    As stored (a re-encoded JPEG without its metadata); 404 when the resident sent none.
    """

    permission_classes = [IsStaff]

    def get(self, request, pk: int):
        reading = _reading(pk)
        if not reading.photo:
            raise Http404
        return stored_file_response(reading.photo, content_type="image/jpeg")
