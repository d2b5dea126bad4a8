"""The resident's choice of notification emails (the same choice as the page under My details)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from notifications.kinds import COMPARISON_CHOICES, KIND_CHOICES, KINDS
from notifications.selectors import preferences_for, usage_comparison_for, usage_threshold_for
from notifications.services import set_preferences

from .base import ResidentAPIView


class NotificationKindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    label = serializers.CharField()
    enabled = serializers.BooleanField()


class NotificationPreferencesSerializer(serializers.Serializer):
    preferences = NotificationKindSerializer(many=True)
    usage_threshold = serializers.IntegerField(
        help_text="Usage alert from this many percent above last year or similar homes."
    )
    usage_comparison = serializers.ChoiceField(
        choices=COMPARISON_CHOICES,
        help_text="What the usage alert compares a month with: the same month last year, the average "
        "of similar homes, or both (an alert when either reaches the threshold).",
    )


class NotificationChoicesInput(serializers.Serializer):
    """Each kind on or off; a kind not sent keeps its current choice."""

    def get_fields(self):
        fields = {key: serializers.BooleanField(required=False) for key in KINDS}
        fields["usage_threshold"] = serializers.IntegerField(min_value=5, max_value=500, required=False)
        fields["usage_comparison"] = serializers.ChoiceField(choices=COMPARISON_CHOICES, required=False)
        return fields


def _answer(account) -> Response:
    preferences = preferences_for(account)
    rows = [
        {"kind": key, "label": str(kind.label), "enabled": preferences[key]} for key, kind in KINDS.items()
    ]
    answer = {
        "preferences": rows,
        "usage_threshold": usage_threshold_for(account),
        "usage_comparison": usage_comparison_for(account),
    }
    return Response(NotificationPreferencesSerializer(answer).data)


@extend_schema(tags=["portal: my details"])
class NotificationPreferencesView(ResidentAPIView):
    """Which notification emails you get; without a choice of yours, the organisation's default."""

    @extend_schema(responses={200: NotificationPreferencesSerializer})
    def get(self, request):
        """Get your notification choices"""
        return _answer(request.resident.portal_account)

    @extend_schema(request=NotificationChoicesInput, responses={200: NotificationPreferencesSerializer})
    def put(self, request):
        """Change your notification choices"""
        serializer = NotificationChoicesInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        choices = dict(serializer.validated_data)
        threshold = choices.pop("usage_threshold", None)
        comparison = choices.pop("usage_comparison", None)
        set_preferences(
            account=request.resident.portal_account,
            choices=choices,
            usage_threshold=threshold,
            usage_comparison=comparison,
        )
        return _answer(request.resident.portal_account)
