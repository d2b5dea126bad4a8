"""The resident's signed-in devices (/api/portal/devices/): list them, sign one out, sign out all
but the one in use (self_service.devices). Refused while a staff member acts as the resident."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from activity.services import Origin
from credentials.models import AccessToken
from memberships.permissions import IsResident, NotImpersonating
from self_service.devices import CurrentDevice, sign_out_device, sign_out_other_devices, signed_out_message
from self_service.selectors import signed_in_devices
from self_service.user_agents import DEVICE_TYPES
from tenants import data_versions
from tenants.written_tables import LAST_USE

from .base import ResidentAPIView


class DeviceSerializer(serializers.Serializer):
    id = serializers.CharField(
        source="key_id", help_text="The device's key id (its access token's public part)."
    )
    label = serializers.CharField(
        help_text='Browser and system in words: "Firefox 121 · Windows", "API client".'
    )
    browser = serializers.CharField(source="description.browser", help_text="Empty for an API client.")
    os = serializers.CharField(
        source="description.system", help_text="The system, or a named device (iPhone)."
    )
    device_type = serializers.ChoiceField(choices=list(DEVICE_TYPES), source="description.device_type")
    device_type_label = serializers.CharField(source="description.device_type_label")
    ip = serializers.IPAddressField(allow_null=True, help_text="Where it was last used from (or signed in).")
    signed_in_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(help_text="Noted at most every 5 minutes.")
    current = serializers.BooleanField(help_text="The device this request comes from.")


class SignedOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    devices = serializers.IntegerField()
    sessions = serializers.IntegerField()


class DevicesView(ResidentAPIView):
    # A staff member acting as the resident must not see or end the resident's own credentials.
    permission_classes = [IsResident, NotImpersonating]

    def read_cache_vary(self, request) -> str | None:
        """Which device is this one, and the tokens' own version: their last use is written by
        reads, so it does not change the organisation's data version (tenants.data_versions)."""
        schema, table = request.organisation.schema_name, AccessToken._meta.db_table
        found = data_versions.versions(
            data_versions.table_scope(schema, table), data_versions.table_scope(schema, table, LAST_USE)
        )
        return None if found is None else ":".join([str(CurrentDevice.of(request).token_id), *found])


@extend_schema(tags=["portal: devices"], responses={200: DeviceSerializer(many=True)})
class DeviceListView(DevicesView):
    def get(self, request):
        """List my signed-in devices

        Every browser and API client signed in to this portal with my account: this one first
        (`current`), then the most recently used.
        """
        devices = signed_in_devices(
            user=request.resident.portal_account.user, current_token_id=CurrentDevice.of(request).token_id
        )
        return Response(DeviceSerializer(devices, many=True).data)


@extend_schema(
    tags=["portal: devices"],
    responses={
        204: None,
        404: OpenApiResponse(description="`not_found`: no signed-in device of yours here has this id."),
        409: OpenApiResponse(description="`current_device`: the device this request comes from (log out)."),
    },
)
class DeviceDetailView(DevicesView):
    def delete(self, request, key_id: str):
        """Sign out one of my devices

        Its access token stops working and its browser is logged out at once.
        """
        sign_out_device(
            account=request.resident.portal_account,
            key_id=key_id,
            current=CurrentDevice.of(request),
            origin=Origin.of(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["portal: devices"], request=None, responses={200: SignedOutSerializer})
class SignOutOtherDevicesView(DevicesView):
    def post(self, request):
        """Sign out all my other devices

        Every device but the one this request comes from; `devices` and `sessions` say how many
        access tokens and browser sessions ended.
        """
        ended = sign_out_other_devices(
            account=request.resident.portal_account,
            current=CurrentDevice.of(request),
            origin=Origin.of(request),
        )
        return Response(
            {
                "code": "devices_signed_out",
                "detail": signed_out_message(ended.devices),
                "devices": ended.devices,
                "sessions": ended.sessions,
            }
        )
