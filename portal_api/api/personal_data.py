"""Download my data (resident): ask for an archive of everything the portal holds, follow its
progress, download it once with the key from the email."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from memberships.permissions import IsResident, NotImpersonating
from personal_data import services
from personal_data.models import DataExport

from .base import ResidentAPIView


class DataExportSerializer(serializers.ModelSerializer):
    class Meta:
        model = DataExport
        fields = ["id", "status", "progress", "size", "created_at", "ready_at", "expires_at", "downloaded_at"]
        read_only_fields = fields


class LatestExportSerializer(serializers.Serializer):
    latest = DataExportSerializer(allow_null=True)


@extend_schema(tags=["portal: my data"])
class DataExportView(ResidentAPIView):
    """The archive of my data: the latest one, or ask for a new one."""

    permission_classes = [IsResident, NotImpersonating]

    def resident_queryset(self):
        return DataExport.objects.all()

    @extend_schema(responses={200: LatestExportSerializer})
    def get(self, request):
        """Get the latest archive of my data

        Its status (`queued`, `building` with `progress` in per cent, `ready`, `downloaded`,
        `expired`, `failed`) and dates. `latest` is null before the first request.
        """
        latest = self.get_queryset().first()
        return Response(LatestExportSerializer({"latest": latest}).data)

    @extend_schema(request=None, responses={202: DataExportSerializer})
    def post(self, request):
        """Ask for an archive of my data

        It is prepared in the background and announced by email with a link that works once. While
        one is being prepared, asking again answers that one.
        """
        export = services.request_export(account=request.resident.portal_account)
        return Response(DataExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    tags=["portal: my data"],
    parameters=[OpenApiParameter("key", str, required=True, description="The key from the email's link.")],
    responses={
        (200, "application/zip"): OpenApiTypes.BINARY,
        404: OpenApiResponse(
            description="`token_invalid` or `token_used`: no such archive, or used or expired."
        ),
    },
)
class DataExportDownloadView(ResidentAPIView):
    """Download the archive of my data

    Once: the link's key stops working after the download (and when it expires).
    """

    permission_classes = [IsResident, NotImpersonating]

    def get(self, request):
        export = services.claim_download(
            customer=request.resident.customer, raw_key=request.query_params.get("key", "")
        )
        response = FileResponse(
            export.file.open("rb"), as_attachment=True, filename=export.file.name.rsplit("/", 1)[-1]
        )
        response["Content-Type"] = "application/zip"
        response["Cache-Control"] = "no-store"
        return response
