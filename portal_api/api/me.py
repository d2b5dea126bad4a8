"""The logged-in resident: account, customer record, language, impersonation marker."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from activity.services import Origin
from core.locale import use_language
from memberships.services.preferences import change_language

from .base import ResidentAPIView


class ImpersonationMarkerSerializer(serializers.Serializer):
    session_id = serializers.IntegerField()
    staff_email = serializers.EmailField()
    expires_at = serializers.DateTimeField()


class CustomerSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer_number = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class ResidentSerializer(serializers.Serializer):
    email = serializers.EmailField()
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    customer = CustomerSummarySerializer()
    impersonation = ImpersonationMarkerSerializer(allow_null=True)


class LanguageSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=settings.LANGUAGES)


def _resident(request) -> dict:
    resident = request.resident
    customer, session = resident.customer, resident.impersonation
    return {
        "email": resident.portal_account.login_email,
        "language": resident.portal_account.language,
        "customer": {
            "id": customer.pk,
            "customer_number": customer.customer_number,
            "name": customer.display_name,
            "kind": customer.kind,
        },
        "impersonation": (
            {"session_id": session.pk, "staff_email": session.staff_email, "expires_at": session.expires_at}
            if session
            else None
        ),
    }


@extend_schema(tags=["portal: account"])
class ResidentMeView(ResidentAPIView):
    """Who is logged in; ``impersonation`` is set when a staff member acts as the resident."""

    @extend_schema(responses={200: ResidentSerializer})
    def get(self, request):
        """Get the logged-in resident"""
        return Response(ResidentSerializer(_resident(request)).data)

    @extend_schema(request=LanguageSerializer, responses={200: ResidentSerializer})
    def patch(self, request):
        """Change your language

        The portal's pages and its emails to you use it from now on.
        """
        serializer = LanguageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        language = serializer.validated_data["language"]
        change_language(
            account=request.resident.portal_account,
            language=language,
            actor_user=request.user,
            impersonating=request.resident.impersonating,
            origin=Origin.of(request),
        )
        use_language(request, language)
        return Response(ResidentSerializer(_resident(request)).data)
