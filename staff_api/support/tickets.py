"""Help requests as staff answer them; residents and visitors use portal_api.api.help."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_lists import FilteredList
from core.api_uploads import TakesUploads
from core.links import absolute_uri
from memberships.permissions import IsStaff
from support import services
from support.api.serializers import TicketDetailSerializer, TicketMessageSerializer, TicketSerializer
from support.attachments import download_response
from support.models import Ticket, TicketMessage

from .filters import TicketFilter


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
