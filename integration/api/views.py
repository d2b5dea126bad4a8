"""The billing-system import API, and staff management of integration tokens."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import RuleViolation
from core.parsers import load_json, too_large
from memberships.models import StaffMembership
from memberships.permissions import IsIntegration, IsStaffAdmin

from .. import importing, services
from ..models import ImportRun, PortalChange
from ..schemas import ImportRequest, ImportResponse

MAX_IMPORT_BYTES = 200 * 1024 * 1024


@extend_schema(
    tags=["integration"],
    request=ImportRequest,
    responses={
        200: ImportResponse,
        413: OpenApiResponse(description="The body is larger than 200 MB (`request_too_large`): split it."),
    },
)
class ImportView(APIView):
    """Import customers, contracts, meters, tariffs, invoices and more

    Bulk upsert keyed by external id. Bad rows are listed with their errors; good rows are saved.

    Authenticate with an integration token (`/api/admin/integration/tokens/`). The body may be large
    (10,000 invoices with their lines in one call); it is read with its own limit of 200 MB.
    """

    permission_classes = [IsIntegration]
    max_body_bytes = MAX_IMPORT_BYTES  # core.input_guard refuses more before it is read

    def post(self, request):
        if request.content_type.split(";")[0].strip() != "application/json":
            raise RuleViolation(
                _("Send the rows as application/json."), code="unsupported_media_type", http_status=415
            )
        body = request._request.read(MAX_IMPORT_BYTES + 1)
        if len(body) > MAX_IMPORT_BYTES:
            raise too_large(MAX_IMPORT_BYTES)
        payload = load_json(body)  # valid UTF-8 JSON, not too deep, no text with refused characters
        if not isinstance(payload, dict):
            raise RuleViolation(_("The body must be a JSON object with lists of rows."), code="parse_error")
        unknown = sorted(set(payload) - set(importing.ENTITIES))
        if unknown:
            raise RuleViolation(
                _("Unknown lists: %(names)s.") % {"names": ", ".join(unknown)},
                code="unknown_entity",
                field=unknown[0],
            )
        return Response(importing.run_import(payload=payload, actor_email=request.user.email))


class ImportRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRun
        fields = ["id", "started_at", "finished_at", "actor_email", "summary", "error_count"]


@extend_schema(tags=["integration"])
class ImportRunListView(APIView):
    """List the latest imports

    The latest 50 imports and what they did (for integration identities and administrators).
    """

    permission_classes = [IsIntegration | IsStaffAdmin]

    @extend_schema(responses={200: ImportRunSerializer(many=True)})
    def get(self, request):
        return Response(ImportRunSerializer(ImportRun.objects.all()[:50], many=True).data)


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


class PortalChangeSerializer(serializers.ModelSerializer):
    class Meta:
        from ..models import PortalChange

        model = PortalChange
        fields = ["id", "kind", "customer_external_id", "customer_number", "data", "created_at"]


@extend_schema(
    tags=["integration"],
    parameters=[
        OpenApiParameter(
            "after", int, description="Only changes with a higher id (the last one you processed)"
        ),
        OpenApiParameter("limit", int, description="At most this many (default 500, at most 5000)"),
    ],
    responses={200: PortalChangeSerializer(many=True)},
)
class PortalChangesView(APIView):
    """List the changes made in the portal

    What residents and staff changed in the portal, in order: details, advance payments, moves.

    The billing system reads from its last processed id so that portal changes are not overwritten.
    """

    permission_classes = [IsIntegration]

    def get(self, request):

        try:
            after = int(request.query_params.get("after", 0))
            limit = min(max(int(request.query_params.get("limit", 500)), 1), 5000)
        except ValueError as exc:
            raise RuleViolation(
                _("after and limit are whole numbers."), code="invalid", field="after"
            ) from exc
        rows = PortalChange.objects.filter(pk__gt=after).order_by("pk")[:limit]
        return Response(PortalChangeSerializer(rows, many=True).data)
