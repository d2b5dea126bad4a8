"""My details (resident): contact details, addresses, billing preference, language, email change."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.services import Origin
from core.locale import use_language
from credentials.throttles import EmailChangeThrottle
from customers.models import Customer, CustomerAddress
from memberships.permissions import IsResident, NotImpersonating
from self_service import details

from .base import ResidentAPIView


class AddressInput(serializers.Serializer):
    street = serializers.CharField(max_length=200)
    house_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    box = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=20)
    city = serializers.CharField(max_length=100)
    country = serializers.RegexField(r"^[A-Z]{2}$", default="BE")


class AddressesInput(serializers.Serializer):
    personal = AddressInput(required=False, allow_null=True)
    company = AddressInput(required=False, allow_null=True)
    billing = AddressInput(required=False, allow_null=True)


class DetailsInput(serializers.Serializer):
    phone = serializers.RegexField(r"^\+?[0-9 ./()-]{6,20}$", required=False, allow_blank=True)
    billing_preference = serializers.ChoiceField(choices=Customer.BillingPreference.choices, required=False)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    addresses = AddressesInput(required=False)


class DetailsSerializer(serializers.Serializer):
    customer_number = serializers.CharField()
    kind = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    company_name = serializers.CharField()
    vat_number = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()
    billing_preference = serializers.CharField()
    language = serializers.CharField()
    addresses = serializers.DictField(child=AddressInput(allow_null=True))


class EmailChangeSerializer(serializers.Serializer):
    # The column's length: Django's email validator alone lets 320 characters through.
    new_email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})


@extend_schema(tags=["portal: my details"])
class MyDetailsView(ResidentAPIView):
    """The resident's own customer record: name, contact details, addresses, billing preference."""

    @extend_schema(responses={200: DetailsSerializer})
    def get(self, request):
        """Get your details"""
        resident = request.resident
        return Response(
            DetailsSerializer(details.details_of(resident.customer, resident.portal_account)).data
        )

    @extend_schema(request=DetailsInput, responses={200: DetailsSerializer})
    def patch(self, request):
        """Change your details

        Only what is sent changes; an address sent as null is removed. Each change is in the
        customer's activity log and in the changes the billing system pulls.
        """
        serializer = DetailsInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "addresses" in changes:
            changes["addresses"] = {
                kind: (dict(value) if value else None)
                for kind, value in changes["addresses"].items()
                if kind in CustomerAddress.Kind.values
            }
        result = details.update_details(
            customer=request.resident.customer,
            account=request.resident.portal_account,
            changes=changes,
            actor_user=request.user,
            impersonating=request.resident.impersonating,
            origin=Origin.of(request),
        )
        if "language" in changes:
            use_language(request, changes["language"])
        return Response(DetailsSerializer(result).data)


@extend_schema(tags=["portal: my details"], request=EmailChangeSerializer, responses={202: None})
class EmailChangeView(ResidentAPIView):
    """Change your email address

    Needs your password. The change takes effect when the new address confirms the link sent to it.
    """

    permission_classes = [IsResident, NotImpersonating]
    throttle_classes = [EmailChangeThrottle]

    def post(self, request):
        serializer = EmailChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        details.request_email_change(
            account=request.resident.portal_account,
            organisation=request.organisation,
            origin=Origin.of(request),
            **serializer.validated_data,
        )
        return Response(
            {
                "code": "confirmation_sent",
                "detail": _("Confirm the change with the link sent to the new address."),
            },
            status=status.HTTP_202_ACCEPTED,
        )


class TokenInput(serializers.Serializer):
    token = serializers.CharField(max_length=200)


@extend_schema(tags=["auth"], request=TokenInput, responses={200: None})
class ConfirmEmailChangeView(APIView):
    """Confirm a new email address

    With the token of the link sent to the new address (no login needed).
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [EmailChangeThrottle]

    def post(self, request):
        serializer = TokenInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = details.confirm_email_change(
            raw_token=serializer.validated_data["token"], origin=Origin.of(request)
        )
        return Response(
            {"code": "email_changed", "detail": _("Your email address was changed."), "email": email}
        )
