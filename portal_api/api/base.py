"""The base of every resident endpoint: a confirmed portal account, in the resident's language."""

from __future__ import annotations

from rest_framework.views import APIView

from core.locale import use_language
from memberships.permissions import IsResident


class ResidentMixin:
    permission_classes = [IsResident]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        use_language(request, request.portal_account.language)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        session = getattr(request, "impersonation", None)
        if session is not None:
            response["X-Impersonation-Session"] = str(session.pk)
            response["Content-Language"] = request.LANGUAGE_CODE
        elif getattr(request, "portal_account", None) is not None:
            response["Content-Language"] = request.LANGUAGE_CODE
        return response


class ResidentAPIView(ResidentMixin, APIView):
    pass
