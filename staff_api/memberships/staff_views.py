"""Staff REST admin, one member: read, change (StaffDetailView), resend or revoke an invitation."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from memberships.models import StaffMembership
from memberships.permissions import IsStaffAdmin
from memberships.selectors import staff_memberships
from memberships.services import staff

from . import admin_serializers as s
from .admin_views import StaffDetailView


def _member(membership_id: int) -> StaffMembership:
    return get_object_or_404(staff_memberships(), pk=membership_id)


class ResendInvitationSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, required=False, help_text="The email's language; else the organisation's."
    )


_NOT_AN_INVITATION = {409: OpenApiResponse(description="`not_an_invitation`: already accepted.")}


@extend_schema(tags=["admin: staff"])
class StaffMemberView(StaffDetailView):
    """One staff member (administrators): read, change, or revoke a pending invitation."""

    @extend_schema(responses={200: s.StaffMemberSerializer})
    def get(self, request, membership_id: int):
        """Get a staff member

        Their role, impersonation permission and status (invited, active, disabled).
        """
        return Response(s.StaffMemberSerializer(_member(membership_id)).data)

    @extend_schema(request=s.UpdateStaffSerializer, responses={200: s.StaffMemberSerializer})
    def patch(self, request, membership_id: int):
        """Change a staff member

        Their role, whether they may impersonate residents, and whether they are active (disabling
        a member ends their API tokens). Nobody changes their own role or disables themselves.
        """
        return super().patch(request, membership_id)

    @extend_schema(request=None, responses={204: None, **_NOT_AN_INVITATION})
    def delete(self, request, membership_id: int):
        """Revoke an invitation

        Only an invitation not accepted yet: its link stops working and the person leaves the list.
        An active member is disabled instead (PATCH `status`).
        """
        staff.revoke_staff_invitation(membership=_member(membership_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=["admin: staff"],
    request=ResendInvitationSerializer,
    responses={200: s.StaffMemberSerializer, **_NOT_AN_INVITATION},
)
class ResendStaffInvitationView(APIView):
    """Resend an invitation

    A new invitation email with a new link (the earlier link stops working), for an invitation not
    accepted yet.
    """

    permission_classes = [IsStaffAdmin]

    def post(self, request, membership_id: int):
        serializer = ResendInvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = staff.resend_staff_invitation(
            organisation=request.organisation,
            membership=_member(membership_id),
            language=serializer.validated_data.get("language"),
        )
        return Response(s.StaffMemberSerializer(invitation.membership).data)
