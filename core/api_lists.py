"""The one standard of every staff and operator list: filters, search and ordering (docs/api.md).

Every list under /api/admin/, /api/platform/ and the import runs takes the same query parameters,
so the staff console's data provider (and any integration) needs one rule for all of them:
``page`` and ``page_size`` (core.pagination), the list's own filters (django-filter: a bad value
is a 400 naming the field), ``search`` and ``ordering``. An unknown ordering field is a 400 here:
DRF's own filter drops it silently and the client would believe the list is ordered.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.exceptions import ValidationError


class StrictOrderingFilter(filters.OrderingFilter):
    """``ordering``, refusing a field the list does not order by."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            allowed = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
            unknown = [term for term in params.split(",") if term.strip().lstrip("-") not in allowed]
            if unknown:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            _("Unknown ordering “%(value)s”; choose from: %(choices)s.")
                            % {"value": unknown[0].strip(), "choices": ", ".join(sorted(allowed))}
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)


class MethodSearchFilter(filters.SearchFilter):
    """``search`` answered by the view's ``search_queryset(queryset, term)``.

    For searches that a list of fields cannot say (a reference like ``MI-12``, a name inside JSON,
    a selector that ranks): documented like any other search.
    """

    def filter_queryset(self, request, queryset, view):
        term = request.query_params.get(self.search_param, "").strip()
        return view.search_queryset(queryset, term) if term else queryset


class FilteredList:
    """Mixin of a list view: its filterset, ``search_fields`` and ``ordering_fields`` declare the rest."""

    filter_backends = [DjangoFilterBackend, filters.SearchFilter, StrictOrderingFilter]


class MethodSearchList:
    """Mixin of a list view whose search is ``search_queryset`` (MethodSearchFilter)."""

    filter_backends = [DjangoFilterBackend, MethodSearchFilter, StrictOrderingFilter]
