"""Staff REST admin: documents (upload, list, detail, download, delete) and who opened them."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.services import Origin
from contracts.models import Contract
from core.api_lists import FilteredList
from core.api_uploads import TakesUploads
from customers.models import Customer
from documents.content import CONTENT_TYPES
from documents.models import Document, DocumentView
from documents.services import add_document, delete_document, record_staff_download
from memberships.permissions import IsStaff, IsStaffOrAdmin

DOCUMENT_RESPONSES = {(200, kind): bytes for kind in CONTENT_TYPES}


class AdminDocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

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
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, document) -> str:
        return f"/api/admin/documents/{document.pk}/download/"


class UploadDocumentSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    contract = serializers.PrimaryKeyRelatedField(
        queryset=Contract.objects.all(), required=False, allow_null=True
    )
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Document.Category.choices, default=Document.Category.OTHER)
    document_date = serializers.DateField()
    file = serializers.FileField()

    def validate(self, data):
        contract = data.get("contract")
        if contract is not None and contract.customer_id != data["customer"].pk:
            raise serializers.ValidationError({"contract": [_("This contract belongs to another customer.")]})
        return data


class DocumentViewSerializer(serializers.ModelSerializer):
    user_email = serializers.CharField(source="user.email", allow_null=True, default=None)
    impersonated_by_email = serializers.CharField(
        source="impersonated_by.email", allow_null=True, default=None
    )

    class Meta:
        model = DocumentView
        fields = ["viewed_at", "user_email", "impersonated_by_email", "ip"]


@extend_schema(tags=["admin: documents"])
class AdminDocumentListView(TakesUploads, FilteredList, generics.ListAPIView):
    """List documents

    The documents shared with customers, paginated; filter by customer, contract and category,
    search by title, file name or customer number.
    """

    serializer_class = AdminDocumentSerializer
    filterset_fields = ["customer", "contract", "category"]
    search_fields = ["title", "filename", "customer__customer_number"]
    ordering_fields = ["document_date", "created_at", "title"]
    ordering = ["-document_date", "-id"]

    def get_queryset(self):
        return Document.objects.all()

    def get_permissions(self):
        return [IsStaffOrAdmin()] if self.request.method == "POST" else [IsStaff()]

    @extend_schema(request=UploadDocumentSerializer, responses={201: AdminDocumentSerializer})
    def post(self, request):
        """Share a document with a customer

        Upload the file as multipart/form-data with its title, category, date, customer and
        (optionally) contract; the resident sees it in the portal.
        """
        serializer = UploadDocumentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        document = add_document(
            customer=data["customer"],
            contract=data.get("contract"),
            title=data["title"],
            category=data["category"],
            document_date=data["document_date"],
            content=data["file"].read(),
            filename=data["file"].name,
        )
        return Response(AdminDocumentSerializer(document).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["admin: documents"])
@extend_schema_view(
    get=extend_schema(
        summary="Get a document",
        description="A document shared with a customer: title, category, date and file.",
    ),
    delete=extend_schema(
        summary="Delete a document",
        description="For staff and administrators; the file is removed once the deletion is committed.",
    ),
)
class AdminDocumentDetailView(generics.RetrieveDestroyAPIView):
    """A document shared with a customer."""

    serializer_class = AdminDocumentSerializer
    queryset = Document.objects.all()

    def get_permissions(self):
        return [IsStaffOrAdmin()] if self.request.method == "DELETE" else [IsStaff()]

    def perform_destroy(self, instance):
        delete_document(document=instance)


@extend_schema(tags=["admin: documents"], responses=DOCUMENT_RESPONSES)
class AdminDocumentDownloadView(APIView):
    """Download a document

    The stored file; the opening is in the customer's activity log (as staff, not as the resident).
    """

    permission_classes = [IsStaff]

    def get(self, request, pk: int):
        document = generics.get_object_or_404(Document.objects.select_related("customer"), pk=pk)
        record_staff_download(
            customer=document.customer,
            staff_user=request.user,
            origin=Origin.of(request),
            data={"document": document.pk, "title": document.title},
        )
        response = FileResponse(
            document.file.open("rb"),
            content_type=document.content_type,
            as_attachment=True,
            filename=document.filename,
        )
        response["Cache-Control"] = "private, no-store"
        return response


@extend_schema(tags=["admin: documents"])
class AdminDocumentViewsView(FilteredList, generics.ListAPIView):
    """List who opened a document

    Who opened this document, and when (also staff acting as the resident); search by email
    address, order by date.
    """

    permission_classes = [IsStaff]
    serializer_class = DocumentViewSerializer
    search_fields = ["user__email", "impersonated_by__email"]
    queryset = DocumentView.objects.none()  # the model for the document's filters; see get_queryset
    ordering_fields = ["viewed_at"]
    ordering = ["-viewed_at", "-id"]

    def get_queryset(self):
        document = generics.get_object_or_404(Document, pk=self.kwargs["pk"])
        return document.views.select_related("user", "impersonated_by")
