"""My bank account (resident): the account advances are collected from and the direct-debit mandate."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from activity.services import Origin
from customers.models import BankAccount
from memberships.permissions import IsResident, NotImpersonating
from self_service import bank_account

from .base import ResidentAPIView

PASSWORD = {"max_length": 256, "trim_whitespace": False, "style": {"input_type": "password"}}


class BankAccountSerializer(serializers.Serializer):
    iban = serializers.CharField(help_text="Masked: country, check digits and the last four characters.")
    account_holder = serializers.CharField()
    mandate_status = serializers.ChoiceField(choices=BankAccount.MandateStatus.choices)
    mandate_reference = serializers.CharField()
    mandate_signed_on = serializers.DateField(allow_null=True)
    mandate_withdrawn_on = serializers.DateField(allow_null=True)


class BankAccountInput(serializers.Serializer):
    iban = serializers.CharField(max_length=42)
    account_holder = serializers.CharField(max_length=200)
    password = serializers.CharField(**PASSWORD)


class MandateInput(serializers.Serializer):
    consent = serializers.BooleanField()
    password = serializers.CharField(**PASSWORD)


class _BankView(ResidentAPIView):
    def get_permissions(self):
        # Reading is allowed to staff acting as the resident; changing is the resident's own business.
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [IsResident()]
        return [IsResident(), NotImpersonating()]

    def _common(self, request) -> dict:
        return {
            "organisation": request.organisation,
            "customer": request.resident.customer,
            "account": request.resident.portal_account,
            "actor_user": request.user,
            "origin": Origin.of(request),
        }


@extend_schema(tags=["portal: my details"])
class BankAccountView(_BankView):
    """The bank account advance payments are collected from, and the direct-debit mandate."""

    @extend_schema(responses={200: BankAccountSerializer})
    def get(self, request):
        """Get your bank account"""
        return Response(BankAccountSerializer(bank_account.bank_account_of(request.resident.customer)).data)

    @extend_schema(request=BankAccountInput, responses={200: BankAccountSerializer})
    def put(self, request):
        """Change your bank account

        Needs your password. The IBAN must be valid and in the SEPA area; an active mandate follows
        the new account. Sent to the billing system; you and customer service get an email.
        """
        serializer = BankAccountInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = bank_account.change_bank_account(**self._common(request), **serializer.validated_data)
        return Response(BankAccountSerializer(result).data)


@extend_schema(tags=["portal: my details"])
class MandateView(_BankView):
    """The SEPA direct-debit mandate on your bank account."""

    @extend_schema(request=MandateInput, responses={200: BankAccountSerializer})
    def post(self, request):
        """Give a direct-debit mandate

        Needs your explicit consent and your password; the mandate gets a new reference and today's
        date as its signature date.
        """
        serializer = MandateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = bank_account.give_mandate(**self._common(request), **serializer.validated_data)
        return Response(BankAccountSerializer(result).data)

    @extend_schema(request=None, responses={200: BankAccountSerializer})
    def delete(self, request):
        """Withdraw your direct-debit mandate"""
        result = bank_account.withdraw_mandate(**self._common(request))
        return Response(BankAccountSerializer(result).data)
