"""Staff REST admin: documents (upload, list) and who opened them."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import filters, generics, serializers, status
from rest_framework.response import Response

from contracts.models import Contract
from customers.models import Customer
from memberships.permissions import IsStaff, IsStaffOrAdmin

from ..models import Document, DocumentView
from ..services import add_document


class AdminDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = [
            "id",
            "external_id",
            "customer",
            "contract",
            "title",
            "category",
            "document_date",
            "filename",
            "content_type",
            "size",
            "created_at",
        ]
        read_only_fields = ["id", "external_id", "filename", "content_type", "size", "created_at"]


class UploadDocumentSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    contract = serializers.IntegerField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Document.Category.choices, default=Document.Category.OTHER)
    document_date = serializers.DateField()
    file = serializers.FileField()


class DocumentViewSerializer(serializers.ModelSerializer):
    user_email = serializers.CharField(source="user.email", default=None)
    impersonated_by_email = serializers.CharField(source="impersonated_by.email", default=None)

    class Meta:
        model = DocumentView
        fields = ["viewed_at", "user_email", "impersonated_by_email", "ip"]


@extend_schema(tags=["admin: documents"])
class AdminDocumentListView(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = AdminDocumentSerializer
    filter_backends = [DjangoFilterBackend, filters.SearchFilter]
    filterset_fields = ["customer", "contract", "category"]
    search_fields = ["title", "filename"]

    def get_queryset(self):
        return Document.objects.all()

    def get_permissions(self):
        return [IsStaffOrAdmin()] if self.request.method == "POST" else [IsStaff()]

    @extend_schema(request=UploadDocumentSerializer, responses={201: AdminDocumentSerializer})
    def post(self, request):
        serializer = UploadDocumentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = get_object_or_404(Customer, pk=data["customer"])
        contract = (
            get_object_or_404(Contract, pk=data["contract"], customer=customer)
            if data.get("contract")
            else None
        )
        document = add_document(
            customer=customer,
            contract=contract,
            title=data["title"],
            category=data["category"],
            document_date=data["document_date"],
            content=data["file"].read(),
            filename=data["file"].name,
        )
        return Response(AdminDocumentSerializer(document).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["admin: documents"])
class AdminDocumentViewsView(generics.ListAPIView):
    """Who opened this document, and when."""

    permission_classes = [IsStaff]
    serializer_class = DocumentViewSerializer

    def get_queryset(self):
        document = get_object_or_404(Document, pk=self.kwargs["pk"])
        return document.views.select_related("user", "impersonated_by")
