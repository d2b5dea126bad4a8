from __future__ import annotations

from django.http import HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from configuration.pages import PAGES
from configuration.site import cached_site

from .serializers import PortalSiteSerializer


@extend_schema(
    tags=["portal"],
    parameters=[
        OpenApiParameter("page", str, enum=list(PAGES), description="Include this page's active messages")
    ],
    responses={200: PortalSiteSerializer, 304: None},
)
class PortalSiteView(APIView):
    """Get this portal's site settings

    Everything a portal page needs for this domain (no login): branding, contact, features, messages.
    Answers carry an ETag; send it back as If-None-Match to get 304 when nothing changed.
    """

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    def get(self, request):
        payload, etag = cached_site(
            organisation=request.organisation,
            page=request.query_params.get("page") or None,
            language=request.LANGUAGE_CODE,
            routing_version=getattr(request, "routing_version", None),
        )
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = HttpResponseNotModified()
        else:
            response = Response(payload)
        response["ETag"] = etag
        response["Cache-Control"] = "no-cache"
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
