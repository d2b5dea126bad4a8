"""Contracts, the locations they supply, and their advance-payment plans (tenant schema)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import CustomerOwnedQuerySet

from .energy_services import SERVICE_CHOICES


class Location(models.Model):
    class ConnectionStatus(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        PENDING = "pending", _("Connection pending")
        DISCONNECTED = "disconnected", _("Disconnected")

    class BuildingType(models.TextChoices):
        APARTMENT = "apartment", _("Apartment")
        HOUSE = "house", _("House")
        COMMERCIAL = "commercial", _("Commercial")
        OTHER = "other", _("Other")

    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    street = models.CharField(_("street"), max_length=200)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    box = models.CharField(_("box"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="BE")
    building_type = models.CharField(
        _("building type"), max_length=12, choices=BuildingType.choices, default=BuildingType.APARTMENT
    )
    floor_area_m2 = models.PositiveIntegerField(_("floor area (m²)"), null=True, blank=True)
    connection_status = models.CharField(
        _("connection status"),
        max_length=12,
        choices=ConnectionStatus.choices,
        default=ConnectionStatus.CONNECTED,
    )

    class Meta:
        ordering = ["postal_code", "street", "house_number", "box"]
        indexes = [models.Index(fields=["postal_code", "street"], name="location_address")]

    def __str__(self) -> str:
        return self.one_line

    @property
    def one_line(self) -> str:
        number = " ".join(part for part in (self.house_number, f"bus {self.box}" if self.box else "") if part)
        return " ".join(f"{self.street} {number}, {self.postal_code} {self.city}".split())


class Contract(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    number = models.CharField(_("contract number"), max_length=40, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="contracts")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    locations = models.ManyToManyField(Location, through="ContractLocation", related_name="contracts")
    # Set when a move-out is processed: the billing system owes the final invoice.
    final_invoice_requested_at = models.DateTimeField(_("final invoice requested"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    customer_path = "customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        indexes = [models.Index(fields=["customer", "status"], name="contract_customer")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="contract_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.number


class ContractLocation(models.Model):
    """A location a contract supplies, with the services delivered there."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="contract_locations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="contract_locations")
    services = ArrayField(models.CharField(max_length=20, choices=SERVICE_CHOICES), default=list)
    move_in_date = models.DateField(_("move-in date"), null=True, blank=True)
    move_out_date = models.DateField(_("move-out date"), null=True, blank=True)

    customer_path = "contract__customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "location"], name="one_row_per_contract_location")
        ]
        ordering = ["contract", "location"]

    def __str__(self) -> str:
        return f"{self.contract} @ {self.location}"


class AdvancePaymentPlan(models.Model):
    """The monthly advance of a contract: as agreed, as it is now, and after a settlement."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="advance_plan")
    currency = models.CharField(max_length=3, default="EUR")
    original_amount = models.DecimalField(_("original advance"), max_digits=10, decimal_places=2)
    settlement_amount = models.DecimalField(
        _("advance after settlement"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    current_amount = models.DecimalField(_("current advance"), max_digits=10, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    customer_path = "contract__customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(original_amount__gte=0), name="advance_original_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(current_amount__gte=0), name="advance_current_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"advance of {self.contract}"

    @property
    def base_amount(self):
        """What the allowed range is built around: the settlement's recalculation, else the original."""
        return self.settlement_amount if self.settlement_amount is not None else self.original_amount
