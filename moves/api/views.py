"""Move-in (anyone, 7 steps), move-out (residents), and the staff's review of both."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.services import Origin
from config.features import requires_feature
from credentials.throttles import AuthIPThrottle
from memberships.permissions import IsResident, IsStaff, IsStaffOrAdmin
from portal_api.api.base import ResidentAPIView, ResidentMixin

from .. import move_in, move_out
from ..models import MeterPhoto, MoveInRequest, MoveOutRequest
from ..selectors import search_locations
from . import serializers as s

MoveInFeature = requires_feature("move_in")
MoveOutFeature = requires_feature("move_out")


def _draft(draft: move_in.Draft, http_status: int = 200) -> Response:
    return Response(s.DraftSerializer({"key": draft.key, "request": draft.request}).data, status=http_status)


class PublicMoveInView(APIView):
    permission_classes = [MoveInFeature]
    authentication_classes: list = []
    throttle_classes = [AuthIPThrottle]


@extend_schema(
    tags=["move in"],
    parameters=[OpenApiParameter("q", str, description="At least 3 characters of the address")],
    responses={200: s.LocationHitSerializer(many=True)},
)
class LocationSearchView(PublicMoveInView):
    """Addresses this organisation supplies (step 1). At most 10, matching every word."""

    def get(self, request):
        return Response(
            s.LocationHitSerializer(search_locations(request.query_params.get("q", "")), many=True).data
        )


@extend_schema(tags=["move in"], request=s.StartSerializer, responses={201: s.DraftSerializer})
class StartMoveInView(PublicMoveInView):
    """Start a move-in draft. The answer's key opens it again; keep it (or resume from the emailed link)."""

    def post(self, request):
        serializer = s.StartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = move_in.start_draft(
            language=serializer.validated_data.get("language") or request.LANGUAGE_CODE
        )
        return _draft(draft, status.HTTP_201_CREATED)


@extend_schema(tags=["move in"], responses={200: s.MoveInSerializer})
class MoveInDraftView(PublicMoveInView):
    def get(self, request, key: str):
        return Response(s.MoveInSerializer(move_in.draft_for_key(key)).data)


@extend_schema(
    tags=["move in"], request={"application/json": {"type": "object"}}, responses={200: s.MoveInSerializer}
)
class MoveInStepView(PublicMoveInView):
    """Save one step (1 address, 2 date, 3 person or company, 4 contact and language, 5 meter
    readings, 6 billing and payment, 7 review and consent); each is checked on its own."""

    def put(self, request, key: str, number: int):
        saved = move_in.save_step(
            key=key, number=number, data=request.data, organisation=request.organisation
        )
        return Response(s.MoveInSerializer(saved).data)


@extend_schema(
    tags=["move in"],
    request={"multipart/form-data": s.PhotoUploadSerializer},
    responses={201: s.PhotoSerializer},
)
class MoveInPhotoView(PublicMoveInView):
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, key: str):
        serializer = s.PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = move_in.add_photo(
            key=key, meter_id=serializer.validated_data["meter_id"], upload=serializer.validated_data["photo"]
        )
        return Response(s.PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["move in"], request=None, responses={202: None})
class SendResumeLinkView(PublicMoveInView):
    def post(self, request, key: str):
        move_in.send_resume_link(request=move_in.draft_for_key(key), organisation=request.organisation)
        return Response(
            {"code": "link_sent", "detail": "A link to resume was sent."}, status=status.HTTP_202_ACCEPTED
        )


@extend_schema(tags=["move in"], request=s.ResumeTokenSerializer, responses={200: s.DraftSerializer})
class ResumeMoveInView(PublicMoveInView):
    """Open a draft again from the emailed link: returns a new key (the old one stops working)."""

    def post(self, request):
        serializer = s.ResumeTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _draft(move_in.resume(raw_token=serializer.validated_data["token"]))


@extend_schema(tags=["move in"], request=None, responses={201: s.MoveInSerializer, 200: s.MoveInSerializer})
class SubmitMoveInView(PublicMoveInView):
    """Submit after step 7. Submitting the same draft again returns it unchanged (no duplicate)."""

    def post(self, request, key: str):
        result = move_in.submit(key=key, organisation=request.organisation)
        body = {**s.MoveInSerializer(result.request).data, "already_submitted": result.already_submitted}
        return Response(
            body, status=status.HTTP_200_OK if result.already_submitted else status.HTTP_201_CREATED
        )


@extend_schema(tags=["portal: moves"], request=None, responses={201: s.DraftSerializer})
class ResidentMoveInView(ResidentAPIView):
    """A resident reports a new move-in: a draft with their details filled in."""

    permission_classes = [IsResident, MoveInFeature]

    def post(self, request):
        return _draft(
            move_in.start_draft(language=request.portal_account.language, existing_customer=request.customer),
            status.HTTP_201_CREATED,
        )


@extend_schema(tags=["portal: moves"])
class ResidentMoveOutListView(ResidentMixin, generics.ListAPIView):
    """The resident's move-outs; POST reports one (contract, location, date, final readings, forwarding address)."""

    permission_classes = [IsResident, MoveOutFeature]
    serializer_class = s.MoveOutSerializer

    def get_queryset(self):
        return (
            MoveOutRequest.objects.filter(customer=self.request.customer)
            .select_related("contract_location__contract", "contract_location__location")
            .prefetch_related("photos")
        )

    @extend_schema(request={"application/json": {"type": "object"}}, responses={201: s.MoveOutSerializer})
    def post(self, request):
        created = move_out.submit_move_out(
            customer=request.customer,
            data=request.data,
            organisation=request.organisation,
            origin=Origin.of(request),
        )
        return Response(s.MoveOutSerializer(created).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["portal: moves"],
    request={"multipart/form-data": s.PhotoUploadSerializer},
    responses={201: s.PhotoSerializer},
)
class ResidentMoveOutPhotoView(ResidentAPIView):
    permission_classes = [IsResident, MoveOutFeature]
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, pk: int):
        request_row = get_object_or_404(MoveOutRequest, pk=pk, customer=request.customer)
        serializer = s.PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = move_out.add_photo(
            request=request_row,
            meter_id=serializer.validated_data["meter_id"],
            upload=serializer.validated_data["photo"],
        )
        return Response(s.PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


# -- staff ---------------------------------------------------------------------------------------
@extend_schema(tags=["admin: moves"], parameters=[OpenApiParameter("status", str)])
class AdminMoveInListView(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = s.AdminMoveInSerializer

    def get_queryset(self):
        queryset = (
            MoveInRequest.objects.exclude(status="draft")
            .select_related("location")
            .prefetch_related("photos")
        )
        if self.request.query_params.get("status"):
            queryset = queryset.filter(status=self.request.query_params["status"])
        return queryset


@extend_schema(tags=["admin: moves"])
class AdminMoveInDetailView(generics.RetrieveAPIView):
    permission_classes = [IsStaff]
    serializer_class = s.AdminMoveInSerializer
    queryset = MoveInRequest.objects.exclude(status="draft").select_related("location")


@extend_schema(tags=["admin: moves"], request=None, responses={200: s.AdminMoveInSerializer})
class ApproveMoveInView(APIView):
    """Create the customer, contract and location link, record the readings, send the portal invitation."""

    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        row = get_object_or_404(MoveInRequest.objects.exclude(status="draft"), pk=pk)
        done = move_in.approve(
            request=row, organisation=request.organisation, staff_user=request.user, origin=Origin.of(request)
        )
        return Response(s.AdminMoveInSerializer(done).data)


@extend_schema(tags=["admin: moves"], request=s.ReasonSerializer, responses={200: s.AdminMoveInSerializer})
class RejectMoveInView(APIView):
    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        row = get_object_or_404(MoveInRequest.objects.exclude(status="draft"), pk=pk)
        done = move_in.reject(
            request=row,
            organisation=request.organisation,
            staff_user=request.user,
            reason=str(request.data.get("reason", "")),
        )
        return Response(s.AdminMoveInSerializer(done).data)


@extend_schema(tags=["admin: moves"], parameters=[OpenApiParameter("status", str)])
class AdminMoveOutListView(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = s.AdminMoveOutSerializer

    def get_queryset(self):
        queryset = MoveOutRequest.objects.select_related(
            "contract_location__contract", "contract_location__location"
        ).prefetch_related("photos")
        if self.request.query_params.get("status"):
            queryset = queryset.filter(status=self.request.query_params["status"])
        return queryset


@extend_schema(tags=["admin: moves"], request=None, responses={200: s.AdminMoveOutSerializer})
class ProcessMoveOutView(APIView):
    """Close the contract at the old location, record the final readings, ask for the final invoice."""

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
    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        done = move_out.reject(
            request=get_object_or_404(MoveOutRequest, pk=pk),
            organisation=request.organisation,
            staff_user=request.user,
            reason=str(request.data.get("reason", "")),
        )
        return Response(s.AdminMoveOutSerializer(done).data)


@extend_schema(tags=["admin: moves"], responses={(200, "image/jpeg"): bytes})
class AdminPhotoView(APIView):
    permission_classes = [IsStaff]

    def get(self, request, pk: int):
        photo = get_object_or_404(MeterPhoto, pk=pk)
        return FileResponse(photo.file.open("rb"), content_type=photo.content_type)
