"""Staff REST admin: log a resident or a staff member out everywhere in this organisation."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.services import Origin
from customers.models import Customer
from memberships.permissions import IsStaff, IsStaffAdmin
from memberships.selectors import staff_memberships
from memberships.services import sessions


class LoggedOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    tokens = serializers.IntegerField(help_text="API tokens revoked (impersonation tokens included)")
    sessions = serializers.IntegerField(help_text="Browser sessions ended")


def _answer(ended: sessions.LoggedOut) -> Response:
    detail = _("Logged out everywhere: %(tokens)s API tokens and %(sessions)s browser sessions ended.") % {
        "tokens": ended.tokens,
        "sessions": ended.sessions,
    }
    return Response(
        LoggedOutSerializer(
            {
                "code": "logged_out_everywhere",
                "detail": detail,
                "tokens": ended.tokens,
                "sessions": ended.sessions,
            }
        ).data
    )


@extend_schema(tags=["admin: portal card"], request=None, responses={200: LoggedOutSerializer})
class CustomerLogOutEverywhereView(APIView):
    """Log a customer out everywhere

    Ends every API token and browser session of the customer's portal account on this organisation's
    domain (and any staff member acting as them); recorded in the portal activity log. 404
    `no_account` when the customer has no portal account; 409 `staff_identity` when the same person
    is also a staff member here (an administrator uses the staff member's action instead).
    """

    permission_classes = [IsStaff]

    def post(self, request, customer_id: int):
        customer = get_object_or_404(Customer, pk=customer_id)
        ended = sessions.log_out_customer_everywhere(
            customer=customer, staff_user=request.user, origin=Origin.of(request)
        )
        return _answer(ended)


@extend_schema(tags=["admin: staff"], request=None, responses={200: LoggedOutSerializer})
class StaffLogOutEverywhereView(APIView):
    """Log a staff member out everywhere

    Ends every API token and browser session of the staff member on this organisation's domain, and
    their impersonations (administrators; e.g. a lost laptop). Their sessions on other organisations'
    domains go on.
    """

    permission_classes = [IsStaffAdmin]

    def post(self, request, membership_id: int):
        membership = get_object_or_404(staff_memberships(), pk=membership_id)
        ended = sessions.log_out_staff_everywhere(membership=membership, acting=request.staff_membership)
        return _answer(ended)
