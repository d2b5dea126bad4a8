"""My data (resident): ask for an archive of everything the portal holds, follow its progress,
download it once with the key from the email; delete my portal account (ask, cancel, confirm)."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.services import Origin
from credentials.throttles import AuthIPThrottle
from memberships.permissions import IsResident, NotImpersonating
from personal_data import deletion, services
from personal_data.models import DataExport, DeletionRequest

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
    read_cache = False  # answers once, with a file

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


# -- delete my account ---------------------------------------------------------------------------
class DeletionRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeletionRequest
        fields = ["id", "status", "reason", "requested_at", "expires_at", "completed_at", "cancelled_at"]
        read_only_fields = fields


class LatestDeletionSerializer(serializers.Serializer):
    latest = DeletionRequestSerializer(allow_null=True)


class DeletionInputSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    reason = serializers.CharField(max_length=deletion.REASON_MAX, required=False, allow_blank=True)


class DeletionTokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)


class DeletedSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


@extend_schema(tags=["portal: my data"])
class AccountDeletionView(ResidentAPIView):
    """Delete my portal account: the latest request, ask (password), or cancel a waiting one.

    Refused while staff act as the resident (`not_allowed_during_impersonation`)."""

    permission_classes = [IsResident, NotImpersonating]

    def get_throttles(self):
        return [AuthIPThrottle()] if self.request.method == "POST" else []

    def resident_queryset(self):
        return DeletionRequest.objects.all()

    @extend_schema(responses={200: LatestDeletionSerializer})
    def get(self, request):
        """Get my latest account deletion request

        `status`: `pending` (waiting for the emailed confirmation until `expires_at`), `completed`,
        `cancelled` or `expired`. `latest` is null before the first request.
        """
        return Response(LatestDeletionSerializer({"latest": self.get_queryset().first()}).data)

    @extend_schema(request=DeletionInputSerializer, responses={202: DeletionRequestSerializer})
    def post(self, request):
        """Ask to delete my portal account

        Needs the current password (`wrong_password`). Emails a link that confirms the deletion
        (48 hours, once); nothing is deleted before it is used. Asking again sends a new link and
        the old one stops working. Invoices, payments, contracts, meter readings and the customer
        record are kept (billing and accounting law).
        """
        serializer = DeletionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = deletion.request_deletion(
            account=request.resident.portal_account,
            organisation=request.organisation,
            impersonating=request.resident.impersonating,
            origin=Origin.of(request),
            **serializer.validated_data,
        )
        return Response(DeletionRequestSerializer(created).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses={
            200: DeletionRequestSerializer,
            404: OpenApiResponse(description="`no_pending_deletion`: nothing waits for confirmation."),
        },
    )
    def delete(self, request):
        """Cancel my waiting account deletion request

        The emailed link stops working; the account stays.
        """
        cancelled = deletion.cancel_deletion(
            customer=request.resident.customer,
            by="resident",
            actor_user=request.user,
            impersonating=request.resident.impersonating,
            origin=Origin.of(request),
        )
        return Response(DeletionRequestSerializer(cancelled).data)


@extend_schema(tags=["portal: my data"], request=DeletionTokenSerializer, responses={200: DeletedSerializer})
class ConfirmAccountDeletionView(APIView):
    """Confirm the deletion of my portal account

    With the token of the emailed link; no login needed. Deletes the portal account and the
    personal data the organisation does not need to keep, at once; every login and API token of
    the account here ends. `token_invalid`, `token_expired`, `token_used`: the link cannot be used.
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AuthIPThrottle]

    def post(self, request):
        serializer = DeletionTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deletion.confirm_deletion(
            raw_token=serializer.validated_data["token"],
            organisation=request.organisation,
            origin=Origin.of(request),
        )
        return Response({"code": "account_deleted", "detail": _("Your portal account was deleted.")})
