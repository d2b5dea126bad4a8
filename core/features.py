"""A DRF permission for the organisation's feature flags (set by the platform operator)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


def requires_feature(flag: str) -> type[BasePermission]:
    class FeatureEnabled(BasePermission):
        message = _("This is not offered by this portal.")
        code = "feature_disabled"

        def has_permission(self, request, view) -> bool:
            organisation = getattr(request, "organisation", None)
            return organisation is not None and organisation.feature_enabled(flag)

    FeatureEnabled.__name__ = f"Requires_{flag}"
    return FeatureEnabled
