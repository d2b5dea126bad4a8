"""Move-in (anyone, 7 steps) and move-out (residents); the staff's review is in ``admin_views``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.services import Origin
from config.features import requires_feature
from memberships.permissions import IsResident
from portal_api.api.base import ResidentAPIView, ResidentMixin

from .. import move_in, move_out
from ..models import MoveOutRequest
from ..selectors import move_out_options, search_locations
from ..steps import STEPS
from ..throttles import LocationSearchThrottle, MoveInThrottle
from . import serializers as s
from .admin_views import (  # noqa: F401 - the URLconf reaches every moves view through this module
    AdminMoveInDetailView,
    AdminMoveInListView,
    AdminMoveOutListView,
    AdminPhotoView,
    ApproveMoveInView,
    CancelMoveOutView,
    ProcessMoveOutView,
    RejectMoveInView,
    RejectMoveOutView,
)

MoveInFeature = requires_feature("move_in")
MoveOutFeature = requires_feature("move_out")

STEP_BODY = PolymorphicProxySerializer(
    component_name="MoveInStepBody",
    serializers=[STEPS[number] for number in sorted(STEPS)],
    resource_type_field_name=None,
)


def _draft(draft: move_in.Draft, http_status: int = 200) -> Response:
    body = {"key": draft.key, "request": s.public_move_in(draft.request)}
    return Response(body, status=http_status)


class PublicMoveInView(APIView):
    permission_classes = [MoveInFeature]
    authentication_classes: list = []
    throttle_classes = [MoveInThrottle]


@extend_schema(
    tags=["move in"],
    parameters=[OpenApiParameter("q", str, description="At least 3 characters of the address")],
    responses={200: s.LocationHitSerializer(many=True)},
)
class LocationSearchView(PublicMoveInView):
    """Addresses this organisation supplies (step 1). At most 10, matching every word."""

    throttle_classes = [LocationSearchThrottle]

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


@extend_schema(
    tags=["move in"],
    responses={
        200: PolymorphicProxySerializer(
            component_name="MoveInDraftOrStatus",
            serializers=[s.MoveInSerializer, s.MoveInStatusSerializer],
            resource_type_field_name=None,
        ),
        410: None,
    },
)
class MoveInDraftView(PublicMoveInView):
    """The draft while it is one; once submitted the key only shows the status. Keys expire."""

    def get(self, request, key: str):
        return Response(s.public_move_in(move_in.draft_for_key(key)))


@extend_schema(
    tags=["move in"],
    request=STEP_BODY,
    responses={200: s.MoveInSerializer},
    description="The body depends on the step number: 1 LocationStep, 2 DateStep, 3 IdentityStep, "
    "4 ContactStep, 5 ReadingsStep, 6 BillingStep, 7 ConsentStep.",
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
            {"code": "link_sent", "detail": _("A link to resume was sent.")}, status=status.HTTP_202_ACCEPTED
        )


@extend_schema(tags=["move in"], request=s.ResumeTokenSerializer, responses={200: s.DraftSerializer})
class ResumeMoveInView(PublicMoveInView):
    """Open a draft again from the emailed link: returns a new key (the old one stops working)."""

    def post(self, request):
        serializer = s.ResumeTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _draft(move_in.resume(raw_token=serializer.validated_data["token"]))


@extend_schema(
    tags=["move in"], request=None, responses={201: s.MoveInStatusSerializer, 200: s.MoveInStatusSerializer}
)
class SubmitMoveInView(PublicMoveInView):
    """Submit after step 7. Submitting the same draft again returns it unchanged (no duplicate)."""

    def post(self, request, key: str):
        result = move_in.submit(key=key, organisation=request.organisation)
        body = {**s.public_move_in(result.request), "already_submitted": result.already_submitted}
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

    @extend_schema(request=move_out.MoveOutSerializer, responses={201: s.MoveOutSerializer})
    def post(self, request):
        created = move_out.submit_move_out(
            customer=request.customer,
            data=request.data,
            organisation=request.organisation,
            origin=Origin.of(request),
        )
        return Response(s.MoveOutSerializer(created).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["portal: moves"], responses={200: s.MoveOutOptionSerializer(many=True)})
class ResidentMoveOutOptionsView(ResidentAPIView):
    """What a move-out can be for: open contracts, their locations, the allowed dates, and the
    meters that need a final reading (those whose service the contract delivers there)."""

    permission_classes = [IsResident, MoveOutFeature]

    def get(self, request):
        options = move_out_options(customer=request.customer, organisation=request.organisation)
        return Response(s.MoveOutOptionSerializer(options, many=True).data)


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
