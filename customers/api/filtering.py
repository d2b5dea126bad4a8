"""Filtering for the staff lists of billing data: a bad filter value is a 400, never silently ignored.

django-filter already answers 400 with field errors for a bad filter value; DRF's ordering filter
drops unknown fields without a word, so this one refuses them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import filters
from rest_framework.exceptions import ValidationError


class StrictOrderingFilter(filters.OrderingFilter):
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
