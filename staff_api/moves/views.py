"""The staff's review of move-ins and move-outs, and the meter photos sent with them."""

from __future__ import annotations

import re

from django.db.models import CharField, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.services import Origin
from consumption.models import Meter
from core.api_lists import StrictOrderingFilter
from core.files.serving import stored_file_response
from memberships.permissions import IsStaff, IsStaffOrAdmin
from moves import approval, move_out
from moves.api import serializers as s
from moves.models import MeterPhoto, MoveInRequest, MoveOutRequest

from .filters import MoveInFilter, MoveOutFilter

LIST_PARAMETERS = [
    OpenApiParameter("search", str, description="reference (MI-/MO-…), name, email, address, numbers"),
]
# The status and date filters (staff_api/moves/filters.py) and ordering; search is the views' own.
LIST_BACKENDS = [DjangoFilterBackend, StrictOrderingFilter]
# The applicant's name is inside the step data; #>> reads it as text (a key like "3" is no index).
APPLICANT_NAME = RawSQL(
    "concat_ws(' ', moves_moveinrequest.steps #>> '{3,first_name}', "
    "moves_moveinrequest.steps #>> '{3,last_name}', moves_moveinrequest.steps #>> '{3,company_name}')",
    [],
    output_field=CharField(),
)


def _reference(search: str, prefix: str) -> int | None:
    match = re.fullmatch(rf"(?i){prefix}-?0*(\d{{1,9}})", search.strip())
    return int(match.group(1)) if match else None


def move_ins_for_staff():
    """Submitted and decided move-ins with everything the list shows, in a fixed number of queries."""
    return (
        MoveInRequest.objects.exclude(status="draft")
        .select_related("location")
        .prefetch_related(
            "photos",
            Prefetch(
                "location__meters",
                queryset=Meter.objects.filter(active=True).select_related("service").order_by("pk"),
                to_attr="active_meters",
            ),
        )
    )


@extend_schema(tags=["admin: moves"], parameters=LIST_PARAMETERS)
class AdminMoveInListView(generics.ListAPIView):
    """List move-ins

    Submitted move-ins, paginated; filter by status, search by reference (`MI-…`), name, email
    address or address.
    """

    permission_classes = [IsStaff]
    serializer_class = s.AdminMoveInSerializer
    filter_backends = LIST_BACKENDS
    filterset_class = MoveInFilter
    ordering_fields = ["submitted_at", "move_in_date", "decided_at", "status"]

    def get_queryset(self):
        queryset = move_ins_for_staff()
        params = self.request.query_params
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        search = (params.get("search") or "").strip()
        if search:
            number = _reference(search, "MI")
            if number is not None:
                return queryset.filter(pk=number)
            queryset = queryset.annotate(applicant=APPLICANT_NAME)
            for word in search.split()[:6]:
                queryset = queryset.filter(
                    Q(applicant__icontains=word)
                    | Q(email__icontains=word)
                    | Q(location__street__icontains=word)
                    | Q(location__house_number__iexact=word)
                    | Q(location__postal_code__iexact=word)
                    | Q(location__city__icontains=word)
                )
        return queryset


@extend_schema(tags=["admin: moves"])
class AdminMoveInDetailView(generics.RetrieveAPIView):
    """Get a move-in

    Everything the applicant entered, with the meter readings and photos.
    """

    permission_classes = [IsStaff]
    serializer_class = s.AdminMoveInSerializer

    def get_queryset(self):
        return move_ins_for_staff()


@extend_schema(tags=["admin: moves"], request=s.ApproveInputSerializer, responses={200: s.ApprovalSerializer})
class ApproveMoveInView(APIView):
    """Approve a move-in

    Creates the customer, contract and location link, records the readings (or schedules them for
    the move-in day) and sends the portal invitation; the answer carries warnings for staff.
    """

    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        row = get_object_or_404(MoveInRequest.objects.exclude(status="draft"), pk=pk)
        serializer = s.ApproveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = approval.approve(
            request=row,
            organisation=request.organisation,
            staff_user=request.user,
            origin=Origin.of(request),
            on_existing_login=serializer.validated_data.get("on_existing_login", ""),
        )
        approved = move_ins_for_staff().get(pk=done.request.pk)
        approved.warnings = done.warnings
        return Response(s.ApprovalSerializer(approved).data)


@extend_schema(tags=["admin: moves"], request=s.ReasonSerializer, responses={200: s.AdminMoveInSerializer})
class RejectMoveInView(APIView):
    """Reject a move-in

    The applicant is emailed the reason.
    """

    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        row = get_object_or_404(MoveInRequest.objects.exclude(status="draft"), pk=pk)
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = approval.reject(
            request=row,
            organisation=request.organisation,
            staff_user=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(s.AdminMoveInSerializer(done).data)


def move_outs_for_staff():
    """Move-outs with everything the list and the detail show, in a fixed number of queries."""
    return MoveOutRequest.objects.select_related(
        "contract_location__contract", "contract_location__location"
    ).prefetch_related("photos")


@extend_schema(tags=["admin: moves"], parameters=LIST_PARAMETERS)
class AdminMoveOutListView(generics.ListAPIView):
    """List move-outs

    Reported move-outs, paginated; filter by status, search by reference (`MO-…`), customer or
    contract number, name or address.
    """

    permission_classes = [IsStaff]
    serializer_class = s.AdminMoveOutSerializer
    filter_backends = LIST_BACKENDS
    filterset_class = MoveOutFilter
    ordering_fields = ["submitted_at", "move_out_date", "decided_at", "status"]

    def get_queryset(self):
        queryset = move_outs_for_staff()
        params = self.request.query_params
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        search = (params.get("search") or "").strip()
        if search:
            number = _reference(search, "MO")
            if number is not None:
                return queryset.filter(pk=number)
            for word in search.split()[:6]:
                queryset = queryset.filter(
                    Q(customer__customer_number__iexact=word)
                    | Q(customer__first_name__icontains=word)
                    | Q(customer__last_name__icontains=word)
                    | Q(customer__company_name__icontains=word)
                    | Q(contract_location__contract__number__iexact=word)
                    | Q(contract_location__location__street__icontains=word)
                    | Q(contract_location__location__house_number__iexact=word)
                    | Q(contract_location__location__postal_code__iexact=word)
                    | Q(contract_location__location__city__icontains=word)
                )
        return queryset


@extend_schema(tags=["admin: moves"])
class AdminMoveOutDetailView(generics.RetrieveAPIView):
    """Get a move-out

    The reported move-out with its final readings, the meter photos, and the readings to correct or
    refused; the staff console's detail page reads it.
    """

    permission_classes = [IsStaff]
    serializer_class = s.AdminMoveOutSerializer

    def get_queryset(self):
        return move_outs_for_staff()


@extend_schema(tags=["admin: moves"], request=None, responses={200: s.AdminMoveOutSerializer})
class ProcessMoveOutView(APIView):
    """Process a move-out

    A past move-out day: records the final readings, closes the contract there and asks for the
    final invoice (a refused reading is a 400 with the reason). Today or later: scheduled for that
    day.
    """

    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        done = move_out.process(
            request=get_object_or_404(MoveOutRequest, pk=pk),
            organisation=request.organisation,
            staff_user=request.user,
        )
        return Response(s.AdminMoveOutSerializer(done).data)


@extend_schema(tags=["admin: moves"], request=s.ReasonSerializer, responses={200: s.AdminMoveOutSerializer})
class RejectMoveOutView(APIView):
    """Reject a move-out

    The resident is emailed the reason.
    """

    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        row = get_object_or_404(MoveOutRequest, pk=pk)
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = move_out.reject(
            request=row,
            organisation=request.organisation,
            staff_user=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(s.AdminMoveOutSerializer(done).data)


@extend_schema(
    tags=["admin: moves"],
    request=s.ReasonSerializer,
    responses={
        200: s.AdminMoveOutSerializer,
        409: OpenApiResponse(description="Already completed, rejected or cancelled: `not_cancellable`."),
    },
)
class CancelMoveOutView(APIView):
    """Cancel a move-out

    Calls off a submitted or scheduled move-out (the resident is emailed the reason); the
    location's move-out date set by scheduling goes again. 409 ``not_cancellable`` once it is
    completed, rejected or cancelled.
    """

    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        row = get_object_or_404(MoveOutRequest, pk=pk)
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = move_out.cancel(
            request=row,
            organisation=request.organisation,
            staff_user=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(s.AdminMoveOutSerializer(done).data)


@extend_schema(tags=["admin: moves"], responses={(200, "image/jpeg"): bytes})
class AdminPhotoView(APIView):
    """Download a meter photo

    A photo of a meter that an applicant or resident uploaded, as it was uploaded.
    """

    permission_classes = [IsStaff]

    def get(self, request, pk: int):
        photo = get_object_or_404(MeterPhoto, pk=pk)
        return stored_file_response(photo.file, content_type=photo.content_type)
