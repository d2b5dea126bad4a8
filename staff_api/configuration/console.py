"""Staff REST admin operations the staff console needs beyond the configuration itself.

The portal's own domains (administrators add and remove them through the operator API's rules,
making one primary stays with operators) and the live preview of an email's wording.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from communications import customisation
from communications.preview import preview_email
from memberships.permissions import IsStaffAdmin
from tenants import selectors as tenant_selectors
from tenants import services as tenant_services
from tenants.serializers import DomainSerializer

from .views import ConfigurationView


class OwnDomainSerializer(serializers.Serializer):
    domain = serializers.CharField(
        max_length=300,
        help_text="Host name only, e.g. mijn.warmtenet.be; point its DNS at the platform first",
    )


class EmailDraftSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=300, allow_blank=True)
    body_text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=100_000)
    body_html = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=100_000, default=""
    )


class EmailPreviewSerializer(serializers.Serializer):
    subject = serializers.CharField()
    body_text = serializers.CharField()
    body_html = serializers.CharField(help_text="The whole email document as sent, branded and sanitised")


class AdminOnly:
    """The portal's domains are the administrators' business; support and staff roles are refused."""

    permission_classes = [IsStaffAdmin]


@extend_schema(tags=["admin: domains"])
class OwnDomainListView(AdminOnly, APIView):
    """The domains this organisation's portal answers on."""

    @extend_schema(responses={200: DomainSerializer(many=True)})
    def get(self, request):
        """List the portal's domains

        The primary domain (the one emails link to) first.
        """
        domains = tenant_selectors.organisation_domains(organisation=request.organisation)
        return Response(DomainSerializer(domains, many=True).data)

    @extend_schema(request=OwnDomainSerializer, responses={201: DomainSerializer})
    def post(self, request):
        """Add a domain to the portal

        Checked as the platform operator's API checks it (a bare host name, not used by any other
        organisation). The portal answers on it at once once its DNS points at the platform.
        Making a domain primary stays with the platform operator.
        """
        serializer = OwnDomainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        domain = tenant_services.add_domain(
            organisation=request.organisation, domain=serializer.validated_data["domain"]
        )
        return Response(DomainSerializer(domain).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["admin: domains"], responses={204: None})
class OwnDomainDetailView(AdminOnly, APIView):
    """Remove a domain from the portal

    The portal stops answering on it. Neither the primary domain nor the last one can be removed.
    """

    def delete(self, request, domain: str):
        tenant_services.remove_own_domain(organisation=request.organisation, domain=domain)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["admin: emails"], request=EmailDraftSerializer, responses={200: EmailPreviewSerializer})
class EmailPreviewView(ConfigurationView):
    """Preview an email's wording as it will be sent

    Renders the wording sent (not saved) exactly as an email is rendered when sent: with the
    portal's branding, sanitised, in the language of the address; sample values fill the variables.
    """

    def post(self, request, key: str, language: str):
        customisation.email_kind(key=key, language=language)
        serializer = EmailDraftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rendered = preview_email(
            organisation=request.organisation, key=key, language=language, **serializer.validated_data
        )
        return Response(
            EmailPreviewSerializer(
                {
                    "subject": rendered.subject,
                    "body_text": rendered.body_text,
                    "body_html": rendered.body_html,
                }
            ).data
        )
