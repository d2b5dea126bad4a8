from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsPlatformOperator(BasePermission):
    """Operators act only on the platform domain (public schema)."""

    message = _("Only platform operators may use this API.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and getattr(user, "is_platform_operator", False)
            and getattr(request, "organisation", None) is None
            and connection.schema_name == "public"
        )
