"""The move-in wizard (anyone, 7 steps, under /api/moves/) and the resident's moves (/api/portal/).

The rules are the moves app's (move_in, move_out, corrections); staff review requests in the staff API.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.services import Origin
from core.api_uploads import TakesUploads
from core.features import requires_feature
from memberships.permissions import IsResident
from moves import corrections, move_in, move_out
from moves.api.serializers import MoveInSerializer, MoveOutSerializer, PhotoSerializer
from moves.models import MoveOutRequest
from moves.selectors import move_out_options, search_locations
from moves.steps import STEPS
from moves.throttles import LocationSearchThrottle, MoveInThrottle

from . import move_serializers as s
from .base import ResidentAPIView, ResidentMixin

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
    """Search the addresses for a move-in

    Addresses this organisation supplies (step 1). At most 10, matching every word.
    """

    throttle_classes = [LocationSearchThrottle]

    def get(self, request):
        return Response(
            s.LocationHitSerializer(search_locations(request.query_params.get("q", "")), many=True).data
        )


@extend_schema(tags=["move in"], request=s.StartSerializer, responses={201: s.DraftSerializer})
class StartMoveInView(PublicMoveInView):
    """Start a move-in

    Creates a draft. The answer's key opens it again; keep it (or resume from the emailed link).
    """

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
            serializers=[MoveInSerializer, s.MoveInStatusSerializer],
            resource_type_field_name=None,
        ),
        410: None,
    },
)
class MoveInDraftView(PublicMoveInView):
    """Get a move-in draft

    The draft while it is one; once submitted the key only shows the status. Keys expire.
    """

    def get(self, request, key: str):
        return Response(s.public_move_in(move_in.draft_for_key(key)))


@extend_schema(
    tags=["move in"],
    request=STEP_BODY,
    responses={200: MoveInSerializer},
)
class MoveInStepView(PublicMoveInView):
    """Save a step of a move-in

    One step (1 address, 2 date, 3 person or company, 4 contact and language, 5 meter readings,
    6 billing and payment, 7 review and consent); each is checked on its own. The body depends on
    the step number: 1 LocationStep, 2 DateStep, 3 IdentityStep, 4 ContactStep, 5 ReadingsStep,
    6 BillingStep, 7 ConsentStep.
    """

    def put(self, request, key: str, number: int):
        saved = move_in.save_step(
            key=key, number=number, data=request.data, organisation=request.organisation
        )
        return Response(MoveInSerializer(saved).data)


@extend_schema(
    tags=["move in"],
    request={"multipart/form-data": s.PhotoUploadSerializer},
    responses={201: PhotoSerializer},
)
class MoveInPhotoView(TakesUploads, PublicMoveInView):
    """Add a meter photo to a move-in

    A photo of one meter's reading (multipart/form-data), for step 5.
    """

    def post(self, request, key: str):
        serializer = s.PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = move_in.add_photo(
            key=key, meter_id=serializer.validated_data["meter_id"], upload=serializer.validated_data["photo"]
        )
        return Response(PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["move in"], request=None, responses={202: None})
class SendResumeLinkView(PublicMoveInView):
    """Email a link to resume a move-in

    Sent to the email address of the draft's contact step; the link opens the draft again.
    """

    def post(self, request, key: str):
        move_in.send_resume_link(request=move_in.draft_for_key(key), organisation=request.organisation)
        return Response(
            {"code": "link_sent", "detail": _("A link to resume was sent.")}, status=status.HTTP_202_ACCEPTED
        )


@extend_schema(tags=["move in"], request=s.ResumeTokenSerializer, responses={200: s.DraftSerializer})
class ResumeMoveInView(PublicMoveInView):
    """Resume a move-in from the emailed link

    Returns a new key for the draft (the old one stops working).
    """

    def post(self, request):
        serializer = s.ResumeTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _draft(move_in.resume(raw_token=serializer.validated_data["token"]))


@extend_schema(
    tags=["move in"], request=None, responses={201: s.MoveInStatusSerializer, 200: s.MoveInStatusSerializer}
)
class SubmitMoveInView(PublicMoveInView):
    """Submit a move-in

    After step 7. Submitting the same draft again returns it unchanged (no duplicate).
    """

    def post(self, request, key: str):
        result = move_in.submit(key=key, organisation=request.organisation)
        body = {**s.public_move_in(result.request), "already_submitted": result.already_submitted}
        return Response(
            body, status=status.HTTP_200_OK if result.already_submitted else status.HTTP_201_CREATED
        )


@extend_schema(tags=["portal: moves"], request=None, responses={201: s.DraftSerializer})
class ResidentMoveInView(ResidentAPIView):
    """Report a move to another address

    Starts a move-in draft with the resident's details filled in.
    """

    permission_classes = [IsResident, MoveInFeature]

    def post(self, request):
        return _draft(
            move_in.start_draft(
                language=request.resident.portal_account.language, existing_customer=request.resident.customer
            ),
            status.HTTP_201_CREATED,
        )


@extend_schema(tags=["portal: moves"])
class ResidentMoveOutListView(ResidentMixin, generics.ListAPIView):
    """List your move-outs

    The move-outs you reported, with their status and meter photos.
    """

    permission_classes = [IsResident, MoveOutFeature]
    serializer_class = MoveOutSerializer
    queryset = MoveOutRequest.objects.select_related(
        "contract_location__contract", "contract_location__location"
    ).prefetch_related("photos")

    @extend_schema(request=move_out.MoveOutSerializer, responses={201: MoveOutSerializer})
    def post(self, request):
        """Report a move-out

        For one contract and location: the date, the final meter readings and a forwarding address.
        """
        created = move_out.submit_move_out(
            customer=request.resident.customer,
            data=request.data,
            organisation=request.organisation,
            origin=Origin.of(request),
        )
        return Response(MoveOutSerializer(created).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["portal: moves"], responses={200: s.MoveOutOptionSerializer(many=True)})
class ResidentMoveOutOptionsView(ResidentAPIView):
    """List what a move-out can be for

    Open contracts, their locations, the allowed dates, and the meters that need a final reading
    (those whose service the contract delivers there).
    """

    permission_classes = [IsResident, MoveOutFeature]

    def get(self, request):
        options = move_out_options(customer=request.resident.customer, organisation=request.organisation)
        return Response(s.MoveOutOptionSerializer(options, many=True).data)


@extend_schema(
    tags=["portal: moves"],
    request={"multipart/form-data": s.PhotoUploadSerializer},
    responses={201: PhotoSerializer},
)
class ResidentMoveOutPhotoView(TakesUploads, ResidentMixin, generics.GenericAPIView):
    """Add a meter photo to a move-out

    A photo of one meter's final reading (multipart/form-data), while the move-out is not processed.
    """

    permission_classes = [IsResident, MoveOutFeature]
    queryset = MoveOutRequest.objects.all()

    def post(self, request, pk: int):
        request_row = self.get_object()
        serializer = s.PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = move_out.add_photo(
            request=request_row,
            meter_id=serializer.validated_data["meter_id"],
            upload=serializer.validated_data["photo"],
        )
        return Response(PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["portal: moves"],
    request=s.CorrectedReadingsSerializer,
    responses={
        200: MoveOutSerializer,
        409: OpenApiResponse(description="Not waiting for a corrected reading: `not_awaiting_correction`."),
    },
)
class ResidentMoveOutReadingsView(ResidentMixin, generics.GenericAPIView):
    """Correct the final readings

    When staff could not record a final reading (status ``correction``; ``readings_to_correct``
    says why), the resident sends the final readings again: checked like at entry, the move-out
    is submitted anew.
    """

    permission_classes = [IsResident, MoveOutFeature]
    queryset = MoveOutRequest.objects.all()

    def post(self, request, pk: int):
        request_row = self.get_object()
        serializer = s.CorrectedReadingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        corrected = corrections.correct_move_out(
            request=request_row,
            readings=serializer.validated_data["readings"],
            organisation=request.organisation,
        )
        return Response(MoveOutSerializer(corrected).data)
