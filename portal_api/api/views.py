from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.features import resolve_features

from .serializers import PortalSiteSerializer


@extend_schema(tags=["portal"], responses={200: PortalSiteSerializer})
class PortalSiteView(APIView):
    """The organisation behind this domain, as the portal's pages need it (no login)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    def get(self, request):
        organisation = request.organisation
        return Response(
            PortalSiteSerializer(
                {
                    "name": organisation.name,
                    "slug": organisation.slug,
                    "portal_status": organisation.portal_status,
                    "default_language": organisation.default_language,
                    "languages": [{"code": code, "name": str(name)} for code, name in settings.LANGUAGES],
                    "time_zone": organisation.time_zone,
                    "features": resolve_features(organisation.features),
                }
            ).data
        )
