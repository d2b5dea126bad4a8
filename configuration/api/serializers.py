from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..colours import normalise_colour
from ..models import PageMessage, PortalPreferences
from ..pages import PAGE_CHOICES


class ColourField(serializers.CharField):
    default_error_messages = {"invalid": _("Enter a colour as #rrggbb, e.g. #0b5394.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value == "" and self.allow_blank:
            return ""
        colour = normalise_colour(value)
        if colour is None:
            self.fail("invalid")
        return colour


class WarningSerializer(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    detail = serializers.CharField()


class EmailLinkSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    templates = serializers.DictField(child=serializers.CharField(), help_text="Language -> template URL")


class PortalPreferencesSerializer(serializers.Serializer):
    """Portal preferences. Send files as multipart; JSON for everything else."""

    portal_status = serializers.CharField(read_only=True, help_text="Set by the platform operator.")
    use_organisation_logo = serializers.BooleanField(required=False)
    logo = serializers.FileField(required=False, write_only=True, help_text="PNG, JPG or SVG, at most 500 KB")
    logo_url = serializers.CharField(read_only=True, allow_null=True)
    remove_logo = serializers.BooleanField(required=False, write_only=True)
    favicon = serializers.FileField(required=False, write_only=True, help_text="ICO, at most 100 KB")
    favicon_url = serializers.CharField(read_only=True, allow_null=True)
    remove_favicon = serializers.BooleanField(required=False, write_only=True)
    use_organisation_colours = serializers.BooleanField(required=False)
    primary_colour = ColourField(required=False, allow_blank=True)
    secondary_colour = ColourField(required=False, allow_blank=True)
    support_email = serializers.EmailField(required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True, max_length=200)
    support_phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    advance_changes_allowed = serializers.BooleanField(required=False)
    advance_range = serializers.ChoiceField(choices=PortalPreferences.AdvanceRange.choices, required=False)
    advance_fixed_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, coerce_to_string=True
    )
    advance_min_percentage = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )
    advance_max_percentage = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )
    invoices_visible = serializers.BooleanField(required=False)
    payment_status_visible = serializers.BooleanField(required=False)
    cost_visualisation = serializers.BooleanField(required=False)
    cost_visualisation_available = serializers.BooleanField(read_only=True)
    emails = EmailLinkSerializer(many=True, read_only=True)
    warnings = WarningSerializer(many=True, read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    FILE_FIELDS = ("logo", "favicon")


class GeneralPreferencesSerializer(serializers.Serializer):
    logo = serializers.FileField(required=False, write_only=True, help_text="PNG, JPG or SVG, at most 500 KB")
    logo_url = serializers.CharField(read_only=True, allow_null=True)
    remove_logo = serializers.BooleanField(required=False, write_only=True)
    primary_colour = ColourField(required=False)
    secondary_colour = ColourField(required=False)
    warnings = WarningSerializer(many=True, read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    FILE_FIELDS = ("logo",)


class BillingSettingsSerializer(serializers.Serializer):
    currency = serializers.CharField(read_only=True)
    minimum_advance_amount = serializers.DecimalField(max_digits=10, decimal_places=2)


class PageMessageSerializer(serializers.ModelSerializer):
    page = serializers.ChoiceField(choices=PAGE_CHOICES)
    bodies = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        help_text="Rich text (HTML) per language (en, nl, fr); sanitised against an allow-list when saved.",
    )
    warnings = WarningSerializer(many=True, read_only=True)

    class Meta:
        model = PageMessage
        fields = [
            "id",
            "page",
            "kind",
            "bodies",
            "visible_from",
            "visible_until",
            "position",
            "created_at",
            "updated_at",
            "warnings",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "warnings"]


class PageSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class EmailTemplateSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, read_only=True)
    customised = serializers.BooleanField(read_only=True)
    subject = serializers.CharField(max_length=300, allow_blank=True)
    body_text = serializers.CharField(allow_blank=True, trim_whitespace=False)
    body_html = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    variables = serializers.ListField(child=serializers.CharField(), read_only=True)
    warnings = WarningSerializer(many=True, read_only=True)


class EmailKindSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    variables = serializers.ListField(child=serializers.CharField())
    templates = serializers.DictField(child=serializers.DictField())
