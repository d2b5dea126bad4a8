"""Help and contact (anyone, or the logged-in resident), the resident's tickets, FAQ, and the staff side."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.features import requires_feature
from credentials.throttles import AuthIPThrottle
from memberships.permissions import IsStaff, IsStaffOrAdmin
from memberships.selectors import confirmed_portal_account
from portal_api.api.base import ResidentMixin

from .. import selectors, services
from ..models import FaqCategory, FaqEntry, Ticket, TicketMessage

HelpFeature = requires_feature("help_requests")


class NewTicketSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Ticket.Kind.choices)
    subject = serializers.CharField(max_length=200)
    message = serializers.CharField(max_length=10_000)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True, help_text="Required when not logged in.")
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


def _resident(request):
    """The resident behind the credentials, if any (help requests are also open to visitors)."""
    user = request.user
    if not (user and user.is_authenticated) or getattr(request.auth, "impersonated_by_id", None):
        return None
    account = confirmed_portal_account(user=user)
    return account.customer if account else None


@extend_schema(
    tags=["help"],
    request={"application/json": NewTicketSerializer, "multipart/form-data": NewTicketSerializer},
    responses={201: TicketSerializer},
)
class NewTicketView(APIView):
    """Send a message to customer service. Visitors give their name and email address."""

    permission_classes = [HelpFeature]
    throttle_classes = [AuthIPThrottle]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

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
            customer=_resident(request),
            name=data.get("name", ""),
            email=data.get("email", ""),
            attachment=data.get("attachment"),
        )
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["portal: help"])
class ResidentTicketListView(ResidentMixin, generics.ListAPIView):
    serializer_class = TicketSerializer

    def get_queryset(self):
        return selectors.customer_tickets(customer=self.request.customer)


@extend_schema(tags=["portal: help"])
class ResidentTicketDetailView(ResidentMixin, generics.RetrieveAPIView):
    serializer_class = TicketDetailSerializer

    def get_queryset(self):
        return selectors.customer_tickets(customer=self.request.customer).prefetch_related("messages")


@extend_schema(tags=["help"], responses={200: {"type": "array", "items": {"type": "object"}}})
class FaqView(APIView):
    """Frequently asked questions in the request's language, grouped and ordered (no login)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    def get(self, request):
        return Response(
            selectors.published_faq(
                language=request.LANGUAGE_CODE, fallback=request.organisation.default_language
            )
        )


# -- staff ---------------------------------------------------------------------------------------
@extend_schema(
    tags=["admin: help"],
    parameters=[
        OpenApiParameter("status", str),
        OpenApiParameter("kind", str),
        OpenApiParameter("search", str),
    ],
)
class AdminTicketListView(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = TicketDetailSerializer

    def get_queryset(self):
        queryset = Ticket.objects.prefetch_related("messages")
        params = self.request.query_params
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        if params.get("kind"):
            queryset = queryset.filter(kind=params["kind"])
        if params.get("search"):
            queryset = queryset.filter(subject__icontains=params["search"]) | queryset.filter(
                reference__iexact=params["search"]
            )
        return queryset


@extend_schema(tags=["admin: help"])
class AdminTicketDetailView(generics.RetrieveAPIView):
    permission_classes = [IsStaff]
    serializer_class = TicketDetailSerializer
    queryset = Ticket.objects.prefetch_related("messages")


class ReplySerializer(serializers.Serializer):
    message = serializers.CharField(max_length=10_000)
    close = serializers.BooleanField(default=False)


@extend_schema(tags=["admin: help"], request=ReplySerializer, responses={200: TicketDetailSerializer})
class ReplyTicketView(APIView):
    """Answer the requester by email; optionally close the ticket."""

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
            TicketDetailSerializer(Ticket.objects.prefetch_related("messages").get(pk=ticket.pk)).data
        )


@extend_schema(tags=["admin: help"], request=None, responses={200: TicketSerializer})
class CloseTicketView(APIView):
    permission_classes = [IsStaff]

    def post(self, request, pk: int):
        return Response(TicketSerializer(services.close_ticket(ticket=get_object_or_404(Ticket, pk=pk))).data)


class FaqCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = FaqCategory
        fields = ["id", "names", "position"]


class FaqEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = FaqEntry
        fields = ["id", "category", "questions", "answers", "position", "published"]


class FaqAdminMixin:
    def get_permissions(self):
        return [IsStaff()] if self.request.method in permissions.SAFE_METHODS else [IsStaffOrAdmin()]


@extend_schema(tags=["admin: faq"])
class AdminFaqCategoryListView(FaqAdminMixin, generics.ListAPIView):
    serializer_class = FaqCategorySerializer
    pagination_class = None
    queryset = FaqCategory.objects.all()

    @extend_schema(request=FaqCategorySerializer, responses={201: FaqCategorySerializer})
    def post(self, request):
        category = services.save_faq_category(
            category=None, names=request.data.get("names"), position=int(request.data.get("position") or 0)
        )
        return Response(FaqCategorySerializer(category).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["admin: faq"])
class AdminFaqCategoryDetailView(FaqAdminMixin, APIView):
    @extend_schema(request=FaqCategorySerializer, responses={200: FaqCategorySerializer})
    def put(self, request, pk: int):
        category = services.save_faq_category(
            category=get_object_or_404(FaqCategory, pk=pk),
            names=request.data.get("names"),
            position=int(request.data.get("position") or 0),
        )
        return Response(FaqCategorySerializer(category).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        get_object_or_404(FaqCategory, pk=pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class FaqEntryInput(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=FaqCategory.objects.all())
    questions = serializers.DictField(child=serializers.CharField(allow_blank=True))
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True))
    position = serializers.IntegerField(min_value=0, default=0)
    published = serializers.BooleanField(default=True)


@extend_schema(tags=["admin: faq"])
class AdminFaqEntryListView(FaqAdminMixin, generics.ListAPIView):
    serializer_class = FaqEntrySerializer
    pagination_class = None
    queryset = FaqEntry.objects.all()

    @extend_schema(request=FaqEntryInput, responses={201: FaqEntrySerializer})
    def post(self, request):
        serializer = FaqEntryInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.save_faq_entry(entry=None, **serializer.validated_data)
        return Response(FaqEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["admin: faq"])
class AdminFaqEntryDetailView(FaqAdminMixin, APIView):
    @extend_schema(request=FaqEntryInput, responses={200: FaqEntrySerializer})
    def put(self, request, pk: int):
        serializer = FaqEntryInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.save_faq_entry(entry=get_object_or_404(FaqEntry, pk=pk), **serializer.validated_data)
        return Response(FaqEntrySerializer(entry).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        get_object_or_404(FaqEntry, pk=pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
