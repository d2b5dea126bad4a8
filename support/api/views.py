"""Help and contact (anyone, or the logged-in resident), the resident's tickets, FAQ, and the staff side."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_lists import FilteredList
from core.api_uploads import TakesUploads
from core.features import requires_feature
from core.links import absolute_uri
from memberships.permissions import ImpersonationEnded, IsResident, IsStaff, NotImpersonating
from portal_api.api.base import ResidentMixin, resident_of

from .. import selectors, services
from ..attachments import download_response
from ..models import Ticket, TicketMessage
from ..throttles import TicketThrottle
from .faq_views import (  # noqa: F401 - the URLconf reaches every support view through this module
    AdminFaqCategoryDetailView,
    AdminFaqCategoryListView,
    AdminFaqEntryDetailView,
    AdminFaqEntryListView,
    AdminFaqEntryMoveView,
    FaqView,
)
from .filters import TicketFilter

HelpFeature = requires_feature("help_requests")


class NewTicketSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Ticket.Kind.choices)
    subject = serializers.CharField(max_length=200)
    message = serializers.CharField(max_length=10_000)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(
        required=False, allow_blank=True, max_length=254, help_text="Required when not logged in."
    )
    attachment = serializers.FileField(required=False, help_text="PDF, PNG or JPEG, at most 10 MB")


class TicketMessageSerializer(serializers.ModelSerializer):
    has_attachment = serializers.SerializerMethodField()

    class Meta:
        model = TicketMessage
        fields = ["author", "body", "created_at", "has_attachment", "attachment_name"]

    def get_has_attachment(self, message) -> bool:
        return bool(message.attachment)


class TicketSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "kind",
            "kind_label",
            "subject",
            "status",
            "status_label",
            "created_at",
            "updated_at",
        ]


class TicketDetailSerializer(TicketSerializer):
    messages = TicketMessageSerializer(many=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "name", "email", "customer", "messages"]


def attachment_path(message: TicketMessage) -> str:
    return f"/api/admin/tickets/{message.ticket_id}/messages/{message.pk}/attachment/"


class StaffTicketMessageSerializer(TicketMessageSerializer):
    id = serializers.IntegerField(read_only=True)
    attachment_url = serializers.SerializerMethodField()
    attachment_type = serializers.CharField(read_only=True)

    class Meta(TicketMessageSerializer.Meta):
        fields = ["id", *TicketMessageSerializer.Meta.fields, "attachment_type", "attachment_url"]

    def get_attachment_url(self, message) -> str | None:
        """Where staff download the file (``null`` without attachment)."""
        if not message.attachment:
            return None
        request = self.context.get("request")
        path = attachment_path(message)
        return absolute_uri(request, path) if request is not None else path


class StaffTicketSerializer(TicketDetailSerializer):
    messages = StaffTicketMessageSerializer(many=True)


def _resident_customer(request):
    """The customer of a resident writing themselves; None for a visitor (help requests are open to
    them) and for a staff member acting as a resident, who cannot write in the customer's name."""
    try:
        resident = resident_of(request)
    except ImpersonationEnded:
        return None
    return resident.customer if resident is not None and not resident.impersonating else None


@extend_schema(
    tags=["help"],
    request=NewTicketSerializer,
    responses={201: TicketSerializer},
)
class NewTicketView(TakesUploads, APIView):
    """Send a message to customer service

    Visitors give their name and email address; a logged-in resident's request is linked to their
    customer record. An attachment is sent as multipart/form-data with the rest; without one, the
    request may also be sent as JSON.
    """

    # AllowAny changes nothing (HelpFeature still decides) but tells the OpenAPI document that
    # visitors may call this without credentials.
    permission_classes = [permissions.AllowAny, HelpFeature]
    throttle_classes = [TicketThrottle]

    def permission_denied(self, request, message=None, code=None):
        """Visitors may send requests: a switched-off feature is a 403, never "log in" (401)."""
        raise exceptions.PermissionDenied(detail=message, code=code)

    def post(self, request):
        serializer = NewTicketSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket = services.open_ticket(
            organisation=request.organisation,
            kind=data["kind"],
            subject=data["subject"],
            message=data["message"],
            language=request.LANGUAGE_CODE,
            customer=_resident_customer(request),
            name=data.get("name", ""),
            email=data.get("email", ""),
            attachment=data.get("attachment"),
        )
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["portal: help"])
class ResidentTicketListView(ResidentMixin, generics.ListAPIView):
    """List your help requests

    Your questions and complaints with their status, newest first, paginated.
    """

    serializer_class = TicketSerializer

    def resident_queryset(self):
        return selectors.customer_tickets(customer=self.request.resident.customer)


@extend_schema(tags=["portal: help"])
class ResidentTicketDetailView(ResidentMixin, generics.RetrieveAPIView):
    """Get one of your help requests

    With every message in it, yours and customer service's.
    """

    serializer_class = TicketDetailSerializer

    def resident_queryset(self):
        return selectors.customer_tickets(customer=self.request.resident.customer).prefetch_related(
            "messages"
        )


class ResidentReplySerializer(serializers.Serializer):
    message = serializers.CharField(max_length=10_000)
    attachment = serializers.FileField(required=False, help_text="PDF, PNG or JPEG, at most 10 MB")


@extend_schema(
    tags=["portal: help"],
    request=ResidentReplySerializer,
    responses={200: TicketDetailSerializer},
)
class ResidentTicketReplyView(TakesUploads, ResidentMixin, generics.GenericAPIView):
    """Reply to one of your help requests

    It opens again and customer service is told. An attachment is sent as multipart/form-data with
    the message; without one, the reply may also be sent as JSON.
    """

    permission_classes = [IsResident, NotImpersonating, HelpFeature]
    throttle_classes = [TicketThrottle]

    def resident_queryset(self):
        return selectors.customer_tickets(customer=self.request.resident.customer)

    def post(self, request, pk: int):
        ticket = self.get_object()
        serializer = ResidentReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.reply_as_resident(
            ticket=ticket,
            customer=request.resident.customer,
            organisation=request.organisation,
            message=serializer.validated_data["message"],
            attachment=serializer.validated_data.get("attachment"),
        )
        fresh = self.get_queryset().prefetch_related("messages").get(pk=pk)
        return Response(TicketDetailSerializer(fresh).data)


# -- staff ---------------------------------------------------------------------------------------
@extend_schema(tags=["admin: help"])
class AdminTicketListView(FilteredList, generics.ListAPIView):
    """List help requests

    Newest first, paginated; filter by status, kind, customer and date; search by subject, reference,
    name, email address or customer number; order by date or status.
    """

    permission_classes = [IsStaff]
    serializer_class = StaffTicketSerializer
    filterset_class = TicketFilter
    search_fields = ["subject", "=reference", "name", "email", "customer__customer_number"]
    ordering_fields = ["created_at", "updated_at", "status", "kind"]

    def get_queryset(self):
        return Ticket.objects.prefetch_related("messages")


@extend_schema(tags=["admin: help"])
class AdminTicketDetailView(generics.RetrieveAPIView):
    """Get a help request

    With every message, and where to download each attachment.
    """

    permission_classes = [IsStaff]
    serializer_class = StaffTicketSerializer
    queryset = Ticket.objects.prefetch_related("messages")


@extend_schema(
    tags=["admin: help"],
    responses={(200, "application/pdf"): bytes, (200, "image/png"): bytes, (200, "image/jpeg"): bytes},
)
class AdminAttachmentView(APIView):
    """Download a help request's attachment

    Always as a file (never shown inline), and sandboxed should a browser open it anyway: the
    content was checked on upload, but it comes from outside.
    """

    permission_classes = [IsStaff]

    def get(self, request, pk: int, message_id: int):
        message = get_object_or_404(TicketMessage.objects.exclude(attachment=""), pk=message_id, ticket_id=pk)
        return download_response(message)


class ReplySerializer(serializers.Serializer):
    message = serializers.CharField(max_length=10_000)
    close = serializers.BooleanField(default=False)
    attachment = serializers.FileField(
        required=False,
        help_text="PDF, PNG or JPEG, at most 10 MB; only for a requester with a portal account",
    )


@extend_schema(tags=["admin: help"], request=ReplySerializer, responses={200: StaffTicketSerializer})
class ReplyTicketView(TakesUploads, APIView):
    """Reply to a help request

    The requester gets the answer by email; optionally the request is closed with it. A file is
    sent as multipart/form-data with the answer (checked by its content, as residents' files are)
    and downloaded by the requester from the ticket's page in the portal, so it is refused
    (`no_portal_account`) for a requester without one. Without a file the answer may be JSON.
    """

    permission_classes = [IsStaff]

    def post(self, request, pk: int):
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = services.answer_ticket(
            ticket=get_object_or_404(Ticket, pk=pk),
            organisation=request.organisation,
            staff_user=request.user,
            **serializer.validated_data,
        )
        return Response(
            StaffTicketSerializer(
                Ticket.objects.prefetch_related("messages").get(pk=ticket.pk), context={"request": request}
            ).data
        )


@extend_schema(tags=["admin: help"], request=None, responses={200: TicketSerializer})
class ReopenTicketView(APIView):
    """Open a closed help request again

    The requester is told by email, as when it was closed; reopening a request that is not closed
    is 409 ``not_closed``.
    """

    permission_classes = [IsStaff]

    def post(self, request, pk: int):
        ticket = services.reopen_ticket(
            ticket=get_object_or_404(Ticket, pk=pk), organisation=request.organisation
        )
        return Response(TicketSerializer(ticket).data)


@extend_schema(tags=["admin: help"], request=None, responses={200: TicketSerializer})
class CloseTicketView(APIView):
    """Close a help request

    The requester is told; closing a closed request is 409 ``already_closed``.
    """

    permission_classes = [IsStaff]

    def post(self, request, pk: int):
        ticket = services.close_ticket(
            ticket=get_object_or_404(Ticket, pk=pk), organisation=request.organisation
        )
        return Response(TicketSerializer(ticket).data)
