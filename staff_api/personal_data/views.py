"""Account deletions as staff see them: who asked, when, what came of it and what was removed.

A request keeps no address once it is over (personal_data.deletion), so neither does this list.
Staff may call off a request that waits for the resident's confirmation; deleting is the resident's
own act (there is no staff shortcut)."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.services import Origin
from core.api_lists import FilteredList
from memberships.permissions import IsStaff, IsStaffOrAdmin
from personal_data import deletion, selectors
from personal_data.models import DeletionRequest


class DeletionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeletionRequest.Status.choices)
    requested_after = django_filters.IsoDateTimeFilter(field_name="requested_at", lookup_expr="gte")
    requested_before = django_filters.IsoDateTimeFilter(field_name="requested_at", lookup_expr="lt")

    class Meta:
        model = DeletionRequest
        fields = ["status", "customer", "requested_after", "requested_before"]


class StaffDeletionSerializer(serializers.ModelSerializer):
    customer_number = serializers.CharField(source="customer.customer_number", read_only=True)
    customer_name = serializers.CharField(source="customer.display_name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = DeletionRequest
        fields = [
            "id",
            "customer",
            "customer_number",
            "customer_name",
            "status",
            "status_label",
            "reason",
            "requested_at",
            "expires_at",
            "completed_at",
            "cancelled_at",
            "cancelled_by",
            "identity_deleted",
            "removed",
        ]
        read_only_fields = fields


@extend_schema(tags=["admin: account deletions"])
class AdminDeletionListView(FilteredList, generics.ListAPIView):
    """List account deletion requests

    Newest first, paginated; filter by status, customer and date; search by customer number or
    name. No email address: a request that is over keeps none.
    """

    permission_classes = [IsStaff]
    serializer_class = StaffDeletionSerializer
    filterset_class = DeletionFilter
    search_fields = ["=customer__customer_number", "customer__last_name", "customer__company_name"]
    ordering_fields = ["requested_at", "status"]

    def get_queryset(self):
        return selectors.deletion_requests()


@extend_schema(tags=["admin: account deletions"])
class AdminDeletionDetailView(generics.RetrieveAPIView):
    """Get an account deletion request

    With what the deletion removed (counts per kind) and whether the identity went too.
    """

    permission_classes = [IsStaff]
    serializer_class = StaffDeletionSerializer

    def get_queryset(self):
        return selectors.deletion_requests()


@extend_schema(
    tags=["admin: account deletions"],
    request=None,
    responses={
        200: StaffDeletionSerializer,
        404: OpenApiResponse(description="`no_pending_deletion`: the request does not wait any more."),
    },
)
class AdminCancelDeletionView(APIView):
    """Cancel a waiting account deletion request

    For a resident who changed their mind by phone: the emailed link stops working, the account
    stays; logged in the customer's activity.
    """

    permission_classes = [IsStaffOrAdmin]

    def post(self, request, pk: int):
        found = get_object_or_404(selectors.deletion_requests(), pk=pk)
        if found.status != DeletionRequest.Status.PENDING:
            raise deletion.NoPendingDeletion()
        cancelled = deletion.cancel_deletion(
            customer=found.customer, by="staff", actor_user=request.user, origin=Origin.of(request)
        )
        return Response(StaffDeletionSerializer(cancelled).data)
