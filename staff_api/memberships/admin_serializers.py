from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from activity.models import ActivityEvent
from memberships.models import ImpersonationSession, PortalAccount, StaffMembership
from personal_data.models import DeletionRequest
from personal_data.selectors import latest_deletion


class AccountDeletionSummarySerializer(serializers.Serializer):
    """The customer's latest request to delete the portal account (staff_api.personal_data has all)."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=DeletionRequest.Status.choices)
    requested_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)


class PortalCardSerializer(serializers.Serializer):
    """The customer portal tab of a customer: account state, and what staff can do about it."""

    customer_id = serializers.IntegerField()
    customer_number = serializers.CharField()
    customer_name = serializers.CharField()
    customer_email = serializers.EmailField(allow_blank=True)
    has_account = serializers.BooleanField()
    status = serializers.ChoiceField(choices=PortalAccount.Status.choices)
    portal_email = serializers.EmailField(allow_null=True)
    email_confirmed = serializers.BooleanField()
    email_confirmed_at = serializers.DateTimeField(allow_null=True)
    registration_date = serializers.DateTimeField(allow_null=True)
    last_login_at = serializers.DateTimeField(allow_null=True)
    language = serializers.CharField(allow_null=True)
    account_deletion = AccountDeletionSummarySerializer(
        allow_null=True, help_text="The latest request to delete the portal account, if any."
    )

    @staticmethod
    def for_customer(customer) -> dict:
        account = getattr(customer, "portal_account", None)
        return {
            "account_deletion": latest_deletion(customer=customer),
            "customer_id": customer.pk,
            "customer_number": customer.customer_number,
            "customer_name": customer.display_name,
            "customer_email": customer.email,
            "has_account": account is not None,
            "status": account.status if account else PortalAccount.Status.NO_ACCOUNT,
            "portal_email": account.login_email if account else None,
            "email_confirmed": bool(account and account.email_confirmed_at),
            "email_confirmed_at": account.email_confirmed_at if account else None,
            "registration_date": account.registered_at if account else None,
            "last_login_at": account.last_login_at if account else None,
            "language": account.language if account else None,
        }


class ActivityEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = ActivityEvent
        fields = [
            "id",
            "created_at",
            "kind",
            "kind_label",
            "actor",
            "actor_email",
            "ip",
            "user_agent",
            "data",
        ]


class InviteCustomerSerializer(serializers.Serializer):
    email = serializers.EmailField(
        max_length=254, required=False, help_text="Sets the customer's email address first."
    )


class StartImpersonationSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ImpersonationSerializer(serializers.ModelSerializer):
    is_live = serializers.BooleanField(read_only=True)

    class Meta:
        model = ImpersonationSession
        fields = [
            "id",
            "customer",
            "staff_email",
            "reason",
            "started_at",
            "expires_at",
            "ended_at",
            "ended_by",
            "is_live",
        ]


class StartedImpersonationSerializer(serializers.Serializer):
    session = ImpersonationSerializer()
    key = serializers.CharField(
        help_text="Use as `Authorization: Token <key>` on the resident API until it expires."
    )
    portal_url = serializers.CharField(
        help_text="Open in a browser to see the portal as the customer; the key travels in the URL fragment, "
        "which browsers never send to a server."
    )


class StaffMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffMembership
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "can_impersonate",
            "status",
            "invited_at",
            "accepted_at",
        ]
        read_only_fields = ["id", "email", "status", "invited_at", "accepted_at"]


PEOPLE_ROLES = [
    choice for choice in StaffMembership.Role.choices if choice[0] != StaffMembership.Role.INTEGRATION
]


class InviteStaffSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=PEOPLE_ROLES, default=StaffMembership.Role.STAFF)
    can_impersonate = serializers.BooleanField(default=False)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)


class UpdateStaffSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PEOPLE_ROLES, required=False)
    can_impersonate = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(
        choices=[StaffMembership.Status.ACTIVE, StaffMembership.Status.DISABLED], required=False
    )
