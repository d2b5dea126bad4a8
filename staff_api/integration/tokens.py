"""Staff administrators manage the billing system's integration identities and their tokens."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from integration import services
from memberships.models import StaffMembership
from memberships.permissions import IsStaffAdmin


class IntegrationTokenSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name")

    class Meta:
        model = StaffMembership
        fields = ["id", "name", "status", "accepted_at"]


class CreateTokenSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=200, help_text="What uses it, e.g. “Billing system (production)”."
    )


class CreatedTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    key = serializers.CharField(
        help_text="Shown once. Send as `Authorization: Token <key>` to /api/integration/."
    )
    expires_at = serializers.DateTimeField()


@extend_schema(tags=["admin: integration"])
class IntegrationTokenListView(APIView):
    """Integration identities: the billing system's keys to the integration API (administrators)."""

    permission_classes = [IsStaffAdmin]

    @extend_schema(responses={200: IntegrationTokenSerializer(many=True)})
    def get(self, request):
        """List the integration tokens"""
        memberships = StaffMembership.objects.filter(role=StaffMembership.Role.INTEGRATION).order_by(
            "-accepted_at"
        )
        return Response(IntegrationTokenSerializer(memberships, many=True).data)

    @extend_schema(request=CreateTokenSerializer, responses={201: CreatedTokenSerializer})
    def post(self, request):
        """Create an integration token

        The answer holds the key, shown this once: send it as `Authorization: Token <key>` to the
        integration API.
        """
        serializer = CreateTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.create_integration_token(
            organisation=request.organisation, name=serializer.validated_data["name"]
        )
        return Response(
            CreatedTokenSerializer(
                {
                    "id": created.membership.pk,
                    "name": created.membership.full_name,
                    "key": created.raw,
                    "expires_at": created.token.expires_at,
                }
            ).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["admin: integration"], responses={204: None})
class IntegrationTokenDetailView(APIView):
    """Revoke an integration token

    Its keys stop working at once; the identity stays in the list, disabled.
    """

    permission_classes = [IsStaffAdmin]

    def delete(self, request, membership_id: int):
        membership = get_object_or_404(
            StaffMembership, pk=membership_id, role=StaffMembership.Role.INTEGRATION
        )
        services.revoke_integration_token(membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
