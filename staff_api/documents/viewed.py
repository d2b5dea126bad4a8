"""Staff REST admin: the documents a customer opened in the portal (the portal card's list)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from core.api_lists import FilteredList
from customers.models import Customer
from documents.models import DocumentView
from documents.selectors import customer_document_views
from memberships.permissions import IsStaff


class CustomerDocumentViewSerializer(serializers.ModelSerializer):
    document = serializers.IntegerField(source="document_id")
    title = serializers.CharField(source="document.title")
    category = serializers.CharField(source="document.category")
    document_date = serializers.DateField(source="document.document_date")
    user_email = serializers.CharField(source="user.email", allow_null=True, default=None)
    impersonated_by_email = serializers.CharField(
        source="impersonated_by.email", allow_null=True, default=None
    )

    class Meta:
        model = DocumentView
        fields = [
            "id",
            "document",
            "title",
            "category",
            "document_date",
            "viewed_at",
            "user_email",
            "impersonated_by_email",
        ]


@extend_schema(tags=["admin: portal card"])
class CustomerDocumentViewsView(FilteredList, generics.ListAPIView):
    """List the documents a customer viewed

    Each opening of one of the customer's documents in the portal (also by staff acting as the
    customer), newest first, paginated; search by title or file name, order by date or title.
    """

    permission_classes = [IsStaff]
    serializer_class = CustomerDocumentViewSerializer
    search_fields = ["document__title", "document__filename"]
    ordering_fields = ["viewed_at", "document__title"]
    ordering = ["-viewed_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI document has no customer
            return DocumentView.objects.none()
        customer = get_object_or_404(Customer, pk=self.kwargs["customer_id"])
        return customer_document_views(customer=customer)
