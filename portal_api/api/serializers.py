from __future__ import annotations

from rest_framework import serializers


class LanguageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class BrandingSerializer(serializers.Serializer):
    logo_url = serializers.CharField(allow_null=True)
    favicon_url = serializers.CharField(allow_null=True)
    primary_colour = serializers.CharField()
    primary_text_colour = serializers.CharField(
        help_text="White or near-black, whichever reads better on the primary colour."
    )
    secondary_colour = serializers.CharField()


class ContactSerializer(serializers.Serializer):
    support_email = serializers.CharField(allow_blank=True)
    website = serializers.CharField(allow_blank=True)
    support_phone = serializers.CharField(allow_blank=True)
    terms_url = serializers.CharField(allow_blank=True)
    privacy_url = serializers.CharField(allow_blank=True)


class PortalFeaturesSerializer(serializers.Serializer):
    invoices = serializers.BooleanField()
    payment_status = serializers.BooleanField()
    cost_visualisation = serializers.BooleanField()
    advance_changes = serializers.BooleanField()
    move_in = serializers.BooleanField()
    move_out = serializers.BooleanField()
    help_requests = serializers.BooleanField()


class SiteMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["neutral", "warning", "important"])
    html = serializers.CharField(help_text="Sanitised rich text")


class PortalSiteSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    portal_status = serializers.CharField()
    default_language = serializers.CharField()
    language = serializers.CharField()
    languages = LanguageSerializer(many=True)
    time_zone = serializers.CharField()
    branding = BrandingSerializer()
    contact = ContactSerializer()
    features = PortalFeaturesSerializer()
    page = serializers.CharField(allow_null=True)
    messages = SiteMessageSerializer(many=True)
