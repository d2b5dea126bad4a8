"""A portal domain as both APIs show it: the operator API and the staff API's own-domain screen."""

from __future__ import annotations

from rest_framework import serializers

from .models import Domain


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["domain", "is_primary", "created_at"]
        read_only_fields = fields
