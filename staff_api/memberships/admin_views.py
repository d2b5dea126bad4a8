"""Staff REST admin: a customer's portal card, its activity log and actions; staff members."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.models import ActivityEvent
from activity.selectors import customer_activity
from activity.services import Origin
from core.api_lists import FilteredList
from customers.models import Customer
from memberships.models import ImpersonationSession, StaffMembership
from memberships.permissions import IsStaff, IsStaffAdmin, IsStaffOrAdmin
from memberships.selectors import staff_memberships
from memberships.services import impersonation, portal_card, registration, staff
from memberships.services.common import portal_link

from . import admin_serializers as s
from . import filters


def _done(code: str, detail: str) -> Response:
    return Response({"code": code, "detail": detail})


class CustomerPortalView(APIView):
    permission_classes = [IsStaff]

    def customer(self, customer_id: int) -> Customer:
        return get_object_or_404(Customer.objects.select_related("portal_account"), pk=customer_id)


@extend_schema(tags=["admin: portal card"], responses={200: s.PortalCardSerializer})
class PortalCardView(CustomerPortalView):
    """Get a customer's portal card

    The state of one customer's portal account, and what staff can do about it.
    """

    def get(self, request, customer_id: int):
        return Response(
            s.PortalCardSerializer(s.PortalCardSerializer.for_customer(self.customer(customer_id))).data
        )


@extend_schema(tags=["admin: portal card"], responses={200: s.ActivityEventSerializer(many=True)})
class PortalActivityView(FilteredList, generics.ListAPIView):
    """List a customer's portal activity

    Every portal event of this customer, newest first, paginated; filter by kind, actor and date,
    search by the acting email address.
    """

    permission_classes = [IsStaff]
    serializer_class = s.ActivityEventSerializer
    filterset_class = filters.ActivityFilter
    # The model for the OpenAPI document's filters (get_queryset needs the request's customer).
    queryset = ActivityEvent.objects.none()
    search_fields = ["actor_email"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        customer = get_object_or_404(Customer, pk=self.kwargs["customer_id"])
        return customer_activity(customer=customer)


@extend_schema(tags=["admin: portal card"], request=s.InviteCustomerSerializer, responses={200: None})
class InviteCustomerView(CustomerPortalView):
    """Invite a customer to the portal

    Emails the customer an invitation to activate a portal account (a new one revokes older ones);
    an email address sent with it becomes the customer's first.
    """

    def post(self, request, customer_id: int):
        serializer = s.InviteCustomerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration.invite_customer(
            organisation=request.organisation,
            customer=self.customer(customer_id),
            staff_user=request.user,
            email=serializer.validated_data.get("email"),
            origin=Origin.of(request),
        )
        return _done("invitation_sent", _("The invitation was sent."))


@extend_schema(tags=["admin: portal card"], request=None, responses={200: None})
class ResendConfirmationAdminView(CustomerPortalView):
    """Resend a customer's confirmation email

    For a registered account whose email address is not confirmed yet; the new link replaces the old.
    """

    def post(self, request, customer_id: int):
        portal_card.resend_confirmation(
            organisation=request.organisation,
            customer=self.customer(customer_id),
            staff_user=request.user,
            origin=Origin.of(request),
        )
        return _done("confirmation_sent", _("A new confirmation email was sent."))


@extend_schema(tags=["admin: portal card"], request=None, responses={200: None})
class SendPasswordResetAdminView(CustomerPortalView):
    """Send a customer a password reset link

    For a confirmed account; the customer chooses a new password with the link.
    """

    def post(self, request, customer_id: int):
        portal_card.send_reset_link(
            organisation=request.organisation,
            customer=self.customer(customer_id),
            staff_user=request.user,
            origin=Origin.of(request),
        )
        return _done("password_reset_sent", _("A password reset link was sent."))


@extend_schema(tags=["admin: portal card"], request=None, responses={200: None})
class ResetPortalAccountView(CustomerPortalView):
    """Reset a customer's portal account

    Deletes the portal account completely; the customer registers again. Logged.
    """

    permission_classes = [IsStaffOrAdmin]

    def post(self, request, customer_id: int):
        portal_card.reset_account(
            organisation=request.organisation,
            customer=self.customer(customer_id),
            staff_user=request.user,
            origin=Origin.of(request),
        )
        return _done("account_reset", _("The portal account was reset."))


@extend_schema(
    tags=["admin: impersonation"],
    request=s.StartImpersonationSerializer,
    responses={201: s.StartedImpersonationSerializer},
)
class StartImpersonationView(CustomerPortalView):
    """Start acting as a customer

    Returns a token that logs in as the customer (needs the impersonation permission); time-limited
    and audited, with the reason given.
    """

    def post(self, request, customer_id: int):
        serializer = s.StartImpersonationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        started = impersonation.start_impersonation(
            staff_membership=request.staff_membership,
            customer=self.customer(customer_id),
            reason=serializer.validated_data.get("reason", ""),
            origin=Origin.of(request),
        )
        return Response(
            s.StartedImpersonationSerializer(
                {
                    "session": started.session,
                    "key": started.raw_token,
                    "portal_url": portal_link(
                        request.organisation, f"/impersonation/start/#key={started.raw_token}"
                    ),
                }
            ).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["admin: impersonation"])
class ImpersonationListView(FilteredList, generics.ListAPIView):
    """List impersonation sessions

    Administrators see all of them, other staff members their own; newest first, paginated; filter
    by customer, running or ended and start date, search by staff email, reason or customer number.
    """

    permission_classes = [IsStaff]
    serializer_class = s.ImpersonationSerializer
    filterset_class = filters.ImpersonationFilter
    queryset = ImpersonationSession.objects.none()  # the model for the document; see get_queryset
    search_fields = ["staff_email", "reason", "customer__customer_number"]
    ordering_fields = ["started_at", "ended_at"]

    def get_queryset(self):
        queryset = ImpersonationSession.objects.order_by("-started_at")
        if request_role(self.request) != StaffMembership.Role.ADMIN:
            queryset = queryset.filter(staff_membership=self.request.staff_membership)
        return queryset


def request_role(request) -> str:
    return request.staff_membership.role


@extend_schema(tags=["admin: impersonation"], request=None, responses={200: s.ImpersonationSerializer})
class StopImpersonationAdminView(APIView):
    """Stop an impersonation session

    Its token stops working. Administrators may stop anyone's, other staff members their own.
    """

    permission_classes = [IsStaff]

    def post(self, request, session_id: int):
        queryset = ImpersonationSession.objects.all()
        if request_role(request) != StaffMembership.Role.ADMIN:
            queryset = queryset.filter(staff_membership=request.staff_membership)
        session = impersonation.stop_impersonation(
            session=get_object_or_404(queryset, pk=session_id), origin=Origin.of(request)
        )
        return Response(s.ImpersonationSerializer(session).data)


@extend_schema(tags=["admin: staff"])
class StaffListView(FilteredList, generics.ListAPIView):
    """List staff members

    The staff members of this organisation, with their roles and status (administrators); filter by
    role, status and impersonation permission, search by email or name, order by email, name or date.
    """

    permission_classes = [IsStaffAdmin]
    serializer_class = s.StaffMemberSerializer
    filterset_class = filters.StaffMemberFilter
    search_fields = ["email", "full_name"]
    ordering_fields = ["email", "full_name", "role", "status", "invited_at", "accepted_at"]

    def get_queryset(self):
        return staff_memberships()

    @extend_schema(request=s.InviteStaffSerializer, responses={201: s.StaffMemberSerializer})
    def post(self, request):
        """Invite a staff member

        Emails an invitation with the role given; the person sets a password (or keeps the one of
        their existing identity) when accepting it.
        """
        serializer = s.InviteStaffSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = staff.invite_staff_member(organisation=request.organisation, **serializer.validated_data)
        return Response(s.StaffMemberSerializer(invitation.membership).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["admin: staff"], request=s.UpdateStaffSerializer, responses={200: s.StaffMemberSerializer}
)
class StaffDetailView(APIView):
    """Change a staff member

    Their role, whether they may impersonate residents, and whether they are active.
    """

    permission_classes = [IsStaffAdmin]

    def patch(self, request, membership_id: int):
        serializer = s.UpdateStaffSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = staff.update_staff_member(
            membership=get_object_or_404(StaffMembership, pk=membership_id),
            acting=request.staff_membership,
            **serializer.validated_data,
        )
        return Response(s.StaffMemberSerializer(membership).data)
