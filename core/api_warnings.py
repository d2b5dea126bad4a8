"""The shape of a warning answered with a save: the value was kept, but staff should look again
(a colour hard to read, an FAQ link that goes nowhere). One component in the API documents."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers


@extend_schema_serializer(component_name="ConfigurationWarning")  # other apps have warnings of their own
class WarningSerializer(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    use = serializers.CharField(
        required=False, help_text="For colour warnings: which use of the colour is hard to read."
    )
    detail = serializers.CharField()
