from __future__ import annotations

from rest_framework import serializers


class LanguageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PortalSiteSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    portal_status = serializers.CharField()
    default_language = serializers.CharField()
    languages = LanguageSerializer(many=True)
    time_zone = serializers.CharField()
    features = serializers.DictField(child=serializers.BooleanField())
