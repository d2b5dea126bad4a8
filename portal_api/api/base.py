"""The base of every resident endpoint: the resident behind the request, their rows only, their language.

Before any permission runs, ``ResidentMixin`` asks memberships.residents who the resident is (the
same function the pages use) and keeps the answer as ``request.resident`` (a ``ResidentContext``:
portal account, customer, impersonation, language); ``IsResident`` then only checks that there is
one. Every queryset a resident view hands out goes through ``get_queryset()``, which narrows it to
the resident's customer (core.scoping): a view declares its ``queryset`` or builds it in
``resident_queryset()``, and cannot forget the scoping (tests/test_resident_scoping.py).

Every resident GET goes through portal_api.read_cache here as well: once the resident is known,
allowed and not throttled, an answer kept under the current data versions (or a 304) ends the
request before the view runs; a fresh 200 JSON answer is kept on the way out.
"""

from __future__ import annotations

from rest_framework.views import APIView

from core.locale import use_language
from memberships import residents
from memberships.permissions import ImpersonationEnded, IsResident
from memberships.residents import ResidentContext
from portal_api import read_cache
from tenants import data_versions


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
    # False for answers that change without any write (portal_api.read_cache).
    read_cache = True
    _cached_read: read_cache.CachedRead | None = None
    _served_from_cache = False

    def perform_authentication(self, request):
        super().perform_authentication(request)
        request.resident = resident_of(request)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        use_language(request, request.resident.language)
        self._cached_read = read_cache.plan(request=request, view=self)
        if self._cached_read is not None:
            answer = read_cache.cached_answer(request=request, read=self._cached_read)
            if answer is not None:
                raise read_cache.ServedFromCache(answer)

    def read_cache_vary(self, request) -> str | None:
        """What else the answer depends on besides the data versions (read_cache.plan); None when
        it cannot be named, and the answer is then built afresh."""
        return ""

    def handle_exception(self, exc):
        if isinstance(exc, read_cache.ServedFromCache):
            self._served_from_cache = True
            return exc.response
        return super().handle_exception(exc)

    def kept_object(self):
        """``get_object()`` kept under the data versions, for what residents open again and again
        (a download): the same scoping, without its query while nothing was written."""
        view = type(self)
        return data_versions.remembered(
            f"resident_object:{view.__module__}.{view.__qualname__}",
            self.get_object,
            self.request.resident.customer.pk,
            *sorted(self.kwargs.items()),
        )

    def get_queryset(self):
        """The view's rows, only ever those of the resident's customer."""
        return self.resident_queryset().for_customer(self.request.resident.customer)

    def resident_queryset(self):
        """The rows before scoping: the view's ``queryset``, or what a view builds (a selector)."""
        return super().get_queryset()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._cached_read is not None:
            if not self._served_from_cache:
                read_cache.keep(read=self._cached_read, response=response)
            read_cache.label(read=self._cached_read, response=response)
        resident = getattr(request, "resident", None)
        if resident is not None:
            if resident.impersonation is not None:
                response["X-Impersonation-Session"] = str(resident.impersonation.pk)
            response["Content-Language"] = request.LANGUAGE_CODE
        return response


class ResidentAPIView(ResidentMixin, APIView):
    pass
