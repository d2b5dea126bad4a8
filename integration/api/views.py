"""The billing-system import API (staff manage its tokens in staff_api.integration.tokens)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import RuleViolation
from core.parsers import load_json, too_large
from memberships.permissions import IsIntegration, IsStaffAdmin

from .. import importing
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
