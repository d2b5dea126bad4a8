"""Staff: the organisation's notification defaults (what a resident gets until they choose)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from memberships.permissions import IsStaff, IsStaffOrAdmin
from notifications.kinds import COMPARISON_CHOICES, KIND_CHOICES, KINDS
from notifications.models import NotificationDefaults
from notifications.selectors import organisation_defaults
from notifications.services import set_defaults


class KindDefaultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    label = serializers.CharField()
    enabled = serializers.BooleanField()


class NotificationDefaultsSerializer(serializers.Serializer):
    kinds = KindDefaultSerializer(many=True)
    reminder_days = serializers.IntegerField()
    usage_threshold = serializers.IntegerField()
    usage_comparison = serializers.ChoiceField(
        choices=COMPARISON_CHOICES,
        help_text="What a usage alert compares a month with until the resident chooses: the same "
        "month last year, the average of similar homes, or both.",
    )


class EnabledInput(serializers.Serializer):
    def get_fields(self):
        return {key: serializers.BooleanField(required=False) for key in KINDS}


class NotificationDefaultsInput(serializers.Serializer):
    enabled = EnabledInput(required=False)
    reminder_days = serializers.IntegerField(min_value=0, max_value=30, required=False)
    usage_threshold = serializers.IntegerField(min_value=5, max_value=500, required=False)
    usage_comparison = serializers.ChoiceField(choices=COMPARISON_CHOICES, required=False)


def _answer() -> Response:
    defaults = organisation_defaults()
    kinds = [{"kind": key, "label": str(kind.label), "enabled": defaults[key]} for key, kind in KINDS.items()]
    stored = NotificationDefaults.objects.current()
    answer = {
        "kinds": kinds,
        "reminder_days": stored.reminder_days,
        "usage_threshold": stored.usage_threshold,
        "usage_comparison": stored.usage_comparison,
    }
    return Response(NotificationDefaultsSerializer(answer).data)


@extend_schema(tags=["admin: configuration"])
class NotificationDefaultsView(APIView):
    """Which notification emails residents get until they choose, and how many days before the due
    date the payment reminder goes, and from how many percent above last year or similar homes
    (``usage_comparison``) a usage alert goes. Every staff member may read them; administrators and
    staff change them."""

    def get_permissions(self):
        if self.request.method in permissions.SAFE_METHODS:
            return [IsStaff()]
        return [IsStaffOrAdmin()]

    @extend_schema(responses={200: NotificationDefaultsSerializer})
    def get(self, request):
        """Get the notification defaults"""
        return _answer()

    @extend_schema(request=NotificationDefaultsInput, responses={200: NotificationDefaultsSerializer})
    def patch(self, request):
        """Change the notification defaults"""
        serializer = NotificationDefaultsInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        set_defaults(
            enabled=dict(data["enabled"]) if "enabled" in data else None,
            reminder_days=data.get("reminder_days"),
            usage_threshold=data.get("usage_threshold"),
            usage_comparison=data.get("usage_comparison"),
        )
        return _answer()
