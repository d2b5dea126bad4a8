"""The base of every resident endpoint: the resident behind the request, their rows only, their language.

Before any permission runs, ``ResidentMixin`` asks memberships.residents who the resident is (the
same function the pages use) and keeps the answer as ``request.resident`` (a ``ResidentContext``:
portal account, customer, impersonation, language); ``IsResident`` then only checks that there is
one. Every queryset a resident view hands out goes through ``get_queryset()``, which narrows it to
the resident's customer (core.scoping): a view declares its ``queryset`` or builds it in
``resident_queryset()``, and cannot forget the scoping (tests/test_resident_scoping.py).
"""

from __future__ import annotations

from rest_framework.views import APIView

from core.locale import use_language
from memberships import residents
from memberships.permissions import ImpersonationEnded, IsResident
from memberships.residents import ResidentContext


def resident_of(request) -> ResidentContext | None:
    """The resident behind an API request on an organisation's domain, or None."""
    if getattr(request, "organisation", None) is None:
        return None
    try:
        return residents.resolve_resident(
            user=request.user, auth=request.auth, session=getattr(request, "session", None)
        )
    except residents.ImpersonationEnded as ended:
        raise ImpersonationEnded() from ended


class ResidentMixin:
    permission_classes = [IsResident]

    def perform_authentication(self, request):
        super().perform_authentication(request)
        request.resident = resident_of(request)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        use_language(request, request.resident.language)

    def get_queryset(self):
        """The view's rows, only ever those of the resident's customer."""
        return self.resident_queryset().for_customer(self.request.resident.customer)

    def resident_queryset(self):
        """The rows before scoping: the view's ``queryset``, or what a view builds (a selector)."""
        return super().get_queryset()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        resident = getattr(request, "resident", None)
        if resident is not None:
            if resident.impersonation is not None:
                response["X-Impersonation-Session"] = str(resident.impersonation.pk)
            response["Content-Language"] = request.LANGUAGE_CODE
        return response


class ResidentAPIView(ResidentMixin, APIView):
    pass
