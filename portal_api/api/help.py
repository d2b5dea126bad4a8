"""Help and contact: anyone may ask (/api/support/), the resident reads and answers their own
requests (/api/portal/tickets/); the FAQ for anyone. The rules are the support app's."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_uploads import TakesUploads
from core.features import requires_feature
from memberships.permissions import ImpersonationEnded, IsResident, NotImpersonating
from support import selectors, services
from support.api.serializers import TicketDetailSerializer, TicketSerializer
from support.models import Ticket
from support.throttles import TicketThrottle

from .base import ResidentMixin, resident_of

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


@extend_schema(tags=["help"], responses={200: {"type": "array", "items": {"type": "object"}}})
class FaqView(APIView):
    """Get the frequently asked questions

    In the request's language, grouped by category and ordered (no login).
    """

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    def get(self, request):
        return Response(
            selectors.published_faq(
                language=request.LANGUAGE_CODE, fallback=request.organisation.default_language
            )
        )
