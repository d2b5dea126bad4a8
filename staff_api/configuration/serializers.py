from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from configuration.colours import normalise_colour
from configuration.models import PageMessage, PaymentSettings, PortalPreferences
from configuration.pages import PAGE_CHOICES
from core.api_warnings import WarningSerializer


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


class StrictBooleanField(serializers.BooleanField):
    """A boolean that a form upload (multipart) must also send: missing is missing, not False."""

    default_empty_html = empty


class FullUpdateSerializer(serializers.Serializer):
    """PUT replaces the whole resource: every setting in ``PUT_REQUIRED`` must be sent.

    Files are not part of it: a logo or favicon stays until a new one is uploaded or
    ``remove_logo``/``remove_favicon`` is sent. PATCH (``partial=True``) changes only what it sends.
    """

    PUT_REQUIRED: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.partial:
            for name in self.PUT_REQUIRED:
                self.fields[name].required = True


class EmailLinkSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    templates = serializers.DictField(child=serializers.CharField(), help_text="Language -> template URL")


class PortalPreferencesSerializer(FullUpdateSerializer):
    """Portal preferences. Send files as multipart; JSON for everything else."""

    portal_status = serializers.CharField(read_only=True, help_text="Set by the platform operator.")
    use_organisation_logo = StrictBooleanField(required=False)
    logo = serializers.FileField(required=False, write_only=True, help_text="PNG, JPG or SVG, at most 500 KB")
    logo_url = serializers.CharField(read_only=True, allow_null=True)
    remove_logo = StrictBooleanField(required=False, write_only=True)
    favicon = serializers.FileField(required=False, write_only=True, help_text="ICO, at most 100 KB")
    favicon_url = serializers.CharField(read_only=True, allow_null=True)
    remove_favicon = StrictBooleanField(required=False, write_only=True)
    use_organisation_colours = StrictBooleanField(required=False)
    primary_colour = ColourField(required=False, allow_blank=True)
    secondary_colour = ColourField(required=False, allow_blank=True)
    support_email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    website = serializers.URLField(required=False, allow_blank=True, max_length=200)
    support_phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    # Optional even for PUT; a PUT without them clears them (PUT replaces every setting).
    terms_url = serializers.URLField(
        allow_blank=True,
        max_length=500,
        default="",
        help_text="https address of the organisation's terms and conditions; empty: the portal's own /terms/ page",
    )
    privacy_url = serializers.URLField(
        allow_blank=True,
        max_length=500,
        default="",
        help_text="https address of the organisation's privacy statement; empty: the portal's own /privacy/ page",
    )
    advance_changes_allowed = StrictBooleanField(required=False)
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
    invoices_visible = StrictBooleanField(required=False)
    payment_status_visible = StrictBooleanField(required=False)
    cost_visualisation = StrictBooleanField(required=False)
    cost_visualisation_available = serializers.BooleanField(read_only=True)
    emails = EmailLinkSerializer(many=True, read_only=True)
    warnings = WarningSerializer(many=True, read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    FILE_FIELDS = ("logo", "favicon")
    PUT_REQUIRED = (
        "use_organisation_logo",
        "use_organisation_colours",
        "primary_colour",
        "secondary_colour",
        "support_email",
        "website",
        "support_phone",
        "advance_changes_allowed",
        "advance_range",
        "advance_fixed_amount",
        "advance_min_percentage",
        "advance_max_percentage",
        "invoices_visible",
        "payment_status_visible",
        "cost_visualisation",
    )


class GeneralPreferencesSerializer(FullUpdateSerializer):
    logo = serializers.FileField(required=False, write_only=True, help_text="PNG, JPG or SVG, at most 500 KB")
    logo_url = serializers.CharField(read_only=True, allow_null=True)
    remove_logo = StrictBooleanField(required=False, write_only=True)
    primary_colour = ColourField(required=False)
    secondary_colour = ColourField(required=False)
    warnings = WarningSerializer(many=True, read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    FILE_FIELDS = ("logo",)
    PUT_REQUIRED = ("primary_colour", "secondary_colour")


class BillingSettingsSerializer(serializers.Serializer):
    currency = serializers.CharField(read_only=True)
    minimum_advance_amount = serializers.DecimalField(max_digits=10, decimal_places=2)


class PaymentSettingsSerializer(serializers.Serializer):
    """How residents pay: the IBAN and BIC are checked (and stored compact) when saved."""

    creditor_name = serializers.CharField(
        required=False, allow_blank=True, max_length=70, help_text="The account holder, as the bank knows it"
    )
    iban = serializers.CharField(required=False, allow_blank=True, max_length=50)
    bic = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="Optional for accounts in the EEA"
    )
    reference_scheme = serializers.ChoiceField(
        choices=PaymentSettings.ReferenceScheme.choices, required=False
    )
    provider_url_template = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=(
            "https address of the payment provider's page, with placeholders {invoice_number}, {amount}, "
            "{reference} and {currency} (each URL-encoded when filled); empty: no Pay now button"
        ),
    )
    placeholders = serializers.ListField(child=serializers.CharField(), read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class PageMessageSerializer(serializers.ModelSerializer):
    page = serializers.ChoiceField(choices=PAGE_CHOICES)
    bodies = serializers.DictField(
        # Like an FAQ answer: room for any message, none for megabytes (the body limit is 2.5 MB).
        child=serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=20_000),
        help_text=(
            "Rich text (HTML) per language (en, nl, fr); sanitised against an allow-list when saved and "
            "again when shown. Colours below WCAG AA on the message type's background are shown in a "
            "readable shade and answered with a low_contrast warning."
        ),
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

    def to_representation(self, instance):
        # Warnings belong to a save; a message read back has none, but the key is always there.
        return {**super().to_representation(instance), "warnings": []}


class PageMessageFilterSerializer(serializers.Serializer):
    page = serializers.ChoiceField(choices=PAGE_CHOICES, required=False)
    kind = serializers.ChoiceField(choices=PageMessage.Kind.choices, required=False)
    search = serializers.CharField(
        required=False, max_length=200, help_text="Words in the text, any language"
    )


class MessagePreviewInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PageMessage.Kind.choices, default=PageMessage.Kind.NEUTRAL)
    html = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        max_length=20_000,
        help_text="The message's rich text in one language, as staff wrote it.",
    )


class MessagePreviewSerializer(serializers.Serializer):
    kind = serializers.CharField()
    html = serializers.CharField(
        help_text="The HTML the resident page shows: sanitised, colours made readable."
    )
    length = serializers.IntegerField(help_text="Visible characters.")
    recommended_length = serializers.IntegerField()
    background = serializers.CharField(help_text="The background of this kind of message on the portal.")
    text_colour = serializers.CharField(help_text="The portal's text colour on that background.")
    warnings = WarningSerializer(many=True)


class PageSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class EmailTemplateSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, read_only=True)
    customised = serializers.BooleanField(read_only=True)
    subject = serializers.CharField(max_length=300, allow_blank=True)
    # Room for any email; none for megabytes (the body limit is 2.5 MB).
    body_text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=100_000)
    body_html = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=100_000
    )
    variables = serializers.ListField(child=serializers.CharField(), read_only=True)
    warnings = WarningSerializer(many=True, read_only=True)


class EmailKindSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    variables = serializers.ListField(child=serializers.CharField())
    templates = serializers.DictField(child=serializers.DictField())
