"""The organisation's customers, as known from its billing system (tenant schema)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import CustomerOwnedQuerySet


class Customer(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    class BillingPreference(models.TextChoices):
        EMAIL = "email", _("Email")
        POST = "post", _("Post")

    external_id = models.CharField(_("external id"), max_length=100, unique=True, null=True, blank=True)
    customer_number = models.CharField(_("customer number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=40, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=5, default="nl")
    billing_preference = models.CharField(
        _("billing preference"),
        max_length=10,
        choices=BillingPreference.choices,
        default=BillingPreference.EMAIL,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    customer_path = "pk"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["customer_number"]

    def __str__(self) -> str:
        return f"{self.customer_number} {self.display_name}"

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.COMPANY and self.company_name:
            return self.company_name
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class CustomerAddress(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal address")
        COMPANY = "company", _("Company address")
        BILLING = "billing", _("Billing address")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    street = models.CharField(_("street"), max_length=200)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    box = models.CharField(_("box"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="BE")

    customer_path = "customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "kind"], name="one_address_per_kind")]
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.one_line

    @property
    def one_line(self) -> str:
        number = " ".join(part for part in (self.house_number, f"bus {self.box}" if self.box else "") if part)
        return f"{self.street} {number}, {self.postal_code} {self.city}".replace("  ", " ").strip()


class BankAccount(models.Model):
    """The account advance payments are collected from, and the SEPA direct-debit mandate on it.

    One row per customer: the current state. Earlier accounts and mandates are in the activity log
    and in the changes sent to the billing system; a mandate given again gets a new reference."""

    class MandateStatus(models.TextChoices):
        NONE = "none", _("No direct debit")
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="bank_account")
    iban = models.CharField(_("IBAN"), max_length=34)
    account_holder = models.CharField(_("account holder"), max_length=200)
    mandate_status = models.CharField(
        _("mandate status"), max_length=10, choices=MandateStatus.choices, default=MandateStatus.NONE
    )
    # SEPA allows 35 characters; unique across the organisation, never reused.
    mandate_reference = models.CharField(
        _("mandate reference"), max_length=35, unique=True, null=True, blank=True
    )
    mandate_signed_on = models.DateField(_("mandate signed on"), null=True, blank=True)
    mandate_withdrawn_on = models.DateField(_("mandate withdrawn on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    customer_path = "customer"
    objects = CustomerOwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.customer_id} {self.iban[:4]}…{self.iban[-4:]}"
