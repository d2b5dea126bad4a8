"""How an organisation's portal looks and behaves (tenant schema)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.data_versions import remembered

from .pages import PAGE_CHOICES


class SingletonQuerySet(models.QuerySet):
    def current(self):
        """The one row of this schema, created with defaults on first use; kept under the data
        versions (tenants.data_versions), as most requests ask for it, some twice."""
        return remembered(f"singleton:{self.model._meta.db_table}", self._row)

    def _row(self):
        obj, _created = self.get_or_create(pk=1)
        return obj


class GeneralPreferences(models.Model):
    """The organisation's corporate identity, used by the portal when its toggles say so."""

    logo = models.FileField(_("organisation logo"), upload_to="branding/", blank=True)
    primary_colour = models.CharField(_("primary colour"), max_length=7, default="#0b5394")
    secondary_colour = models.CharField(_("secondary colour"), max_length=7, default="#f1c232")
    updated_at = models.DateTimeField(auto_now=True)

    objects = SingletonQuerySet.as_manager()

    def __str__(self) -> str:
        return "general preferences"


class PortalPreferences(models.Model):
    class AdvanceRange(models.TextChoices):
        FIXED = "fixed", _("Fixed amount around the base advance")
        PERCENTAGE = "percentage", _("Percentage of the base advance")

    use_organisation_logo = models.BooleanField(_("use the organisation's logo"), default=True)
    logo = models.FileField(_("portal logo"), upload_to="branding/", blank=True)
    favicon = models.FileField(_("favicon"), upload_to="branding/", blank=True)
    use_organisation_colours = models.BooleanField(_("use the organisation's colours"), default=True)
    primary_colour = models.CharField(_("primary colour"), max_length=7, blank=True)
    secondary_colour = models.CharField(_("secondary colour"), max_length=7, blank=True)

    support_email = models.EmailField(_("support email address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    support_phone = models.CharField(_("support phone number"), max_length=40, blank=True)
    # The organisation's own terms and privacy statement (https only); empty: the portal's /terms/ and /privacy/.
    terms_url = models.URLField(_("terms and conditions page"), max_length=500, blank=True)
    privacy_url = models.URLField(_("privacy statement page"), max_length=500, blank=True)

    advance_changes_allowed = models.BooleanField(
        _("residents may change their advance payment"), default=False
    )
    advance_range = models.CharField(
        _("advance range"), max_length=12, choices=AdvanceRange.choices, default=AdvanceRange.PERCENTAGE
    )
    advance_fixed_amount = models.DecimalField(
        _("fixed amount (EUR)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    advance_min_percentage = models.DecimalField(
        _("minimum percentage"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    advance_max_percentage = models.DecimalField(
        _("maximum percentage"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    invoices_visible = models.BooleanField(_("invoices visible"), default=True)
    payment_status_visible = models.BooleanField(_("payment status visible"), default=True)
    cost_visualisation = models.BooleanField(_("consumption cost visualisation"), default=False)

    updated_at = models.DateTimeField(auto_now=True)

    objects = SingletonQuerySet.as_manager()

    def __str__(self) -> str:
        return "portal preferences"


class BillingSettings(models.Model):
    """Settings of the billing side that the portal must respect."""

    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    minimum_advance_amount = models.DecimalField(
        _("minimum advance payment"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = SingletonQuerySet.as_manager()

    def __str__(self) -> str:
        return "billing settings"


class PaymentSettings(models.Model):
    """How residents pay an open invoice: the organisation's account, its payment reference scheme
    and, optionally, a payment provider's page (configuration.payment_details checks them)."""

    class ReferenceScheme(models.TextChoices):
        BE_STRUCTURED = "be_structured", _("Belgian structured communication (+++123/4567/89002+++)")
        RF_CREDITOR = "rf_creditor", _("ISO 11649 creditor reference (RF)")
        NONE = "none", _("No structured reference (the invoice number)")

    creditor_name = models.CharField(_("account holder"), max_length=70, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    reference_scheme = models.CharField(
        _("payment reference"), max_length=16, choices=ReferenceScheme.choices, default=ReferenceScheme.NONE
    )
    provider_url_template = models.CharField(_("payment provider page"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SingletonQuerySet.as_manager()

    def __str__(self) -> str:
        return "payment settings"

    @property
    def bank_transfer_possible(self) -> bool:
        return bool(self.creditor_name and self.iban)


class PageMessage(models.Model):
    """A message staff show on one portal page, in rich text, per language."""

    class Kind(models.TextChoices):
        NEUTRAL = "neutral", _("Neutral")
        WARNING = "warning", _("Warning")
        IMPORTANT = "important", _("Important")

    page = models.CharField(_("page"), max_length=30, choices=PAGE_CHOICES)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.NEUTRAL)
    # {"en": "<p>…</p>", "nl": "…"}: sanitised HTML per language; at least one.
    bodies = models.JSONField(_("text per language"), default=dict)
    visible_from = models.DateTimeField(_("visible from"), null=True, blank=True)
    visible_until = models.DateTimeField(_("visible until"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["page", "position", "id"]
        indexes = [models.Index(fields=["page", "position"], name="pagemessage_page")]

    def __str__(self) -> str:
        return f"{self.kind} message on {self.page}"
