"""Meters, their readings, and the daily and monthly aggregates residents are shown (tenant schema).

Readings are stored as they come (interval consumption and cumulative register readings, actual or
estimated). Residents only see actual data, through the aggregates, which ingestion keeps up to
date for every day and month a batch touches (late and corrected readings included).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.energy_services import SERVICE_CHOICES
from core.scoping import CustomerOwnedQuerySet


class Unit(models.TextChoices):
    KWH = "kWh", "kWh"
    MWH = "MWh", "MWh"
    GJ = "GJ", "GJ"
    M3 = "m3", "m³"


class Source(models.TextChoices):
    ACTUAL = "a", _("Actual")
    ESTIMATED = "e", _("Estimated")


class Service(models.Model):
    """How this organisation measures one energy service."""

    code = models.CharField(_("service"), max_length=20, choices=SERVICE_CHOICES, unique=True)
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.unit})"


class Meter(models.Model):
    """A meter of one service at one location.

    ``installed_on`` and ``removed_on`` (both optional, days of the organisation's calendar) bound
    the days it is expected to report, so a replaced meter does not halve its successor's
    completeness and no readings are taken outside them.
    """

    INTERVALS = (5, 10, 15, 30, 60)

    external_id = models.CharField(max_length=100, unique=True)
    number = models.CharField(_("meter number"), max_length=40)
    location = models.ForeignKey("contracts.Location", on_delete=models.PROTECT, related_name="meters")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="meters")
    interval_minutes = models.PositiveSmallIntegerField(_("interval (minutes)"), default=15)
    active = models.BooleanField(default=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)

    class Meta:
        ordering = ["number"]
        indexes = [models.Index(fields=["location", "service"], name="meter_location_service")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(removed_on__isnull=True)
                | models.Q(installed_on__isnull=True)
                | models.Q(removed_on__gte=models.F("installed_on")),
                name="meter_removed_after_installed",
            )
        ]

    def __str__(self) -> str:
        return self.number


class IntervalReading(models.Model):
    """Consumption during one interval, starting at ``start``."""

    pk = models.CompositePrimaryKey("meter", "start")
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, db_constraint=True, related_name="+")
    start = models.DateTimeField()
    # Seven decimals for every unit (0.1 Wh in MWh); ingestion refuses more instead of rounding.
    value = models.DecimalField(max_digits=19, decimal_places=7)
    source = models.CharField(max_length=1, choices=Source.choices, default=Source.ACTUAL)

    def __str__(self) -> str:
        return f"{self.meter_id} {self.start}: {self.value}"


class RegisterReading(models.Model):
    """The cumulative meter index at ``taken_at``."""

    pk = models.CompositePrimaryKey("meter", "taken_at")
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="+")
    taken_at = models.DateTimeField()
    value = models.DecimalField(max_digits=20, decimal_places=7)
    source = models.CharField(max_length=1, choices=Source.choices, default=Source.ACTUAL)

    def __str__(self) -> str:
        return f"{self.meter_id} {self.taken_at}: {self.value}"


class DailyConsumption(models.Model):
    """Actual consumption of one meter on one day of the organisation's calendar."""

    pk = models.CompositePrimaryKey("meter", "day")
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    value = models.DecimalField(max_digits=21, decimal_places=7, null=True)
    actual_intervals = models.PositiveIntegerField(default=0)
    expected_intervals = models.PositiveIntegerField()
    register_value = models.DecimalField(max_digits=20, decimal_places=7, null=True)
    register_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.meter_id} {self.day}: {self.value}"


class MonthlyConsumption(models.Model):
    pk = models.CompositePrimaryKey("meter", "month")
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    value = models.DecimalField(max_digits=21, decimal_places=7, null=True)
    actual_intervals = models.PositiveIntegerField(default=0)
    expected_intervals = models.PositiveIntegerField()
    days_with_data = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.meter_id} {self.month:%Y-%m}: {self.value}"


class Tariff(models.Model):
    """Prices of a service, for one contract or (without contract) the organisation's default."""

    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.CASCADE, related_name="tariffs"
    )
    service = models.CharField(_("service"), max_length=20, choices=SERVICE_CHOICES)
    unit_price = models.DecimalField(_("price per unit (excl. VAT)"), max_digits=10, decimal_places=5)
    fixed_monthly = models.DecimalField(
        _("fixed fee per month (excl. VAT)"), max_digits=10, decimal_places=2, default=0
    )
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=6)
    currency = models.CharField(max_length=3, default="EUR")
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["service", "-valid_from"]
        indexes = [models.Index(fields=["service", "valid_from"], name="tariff_service_from")]

    def __str__(self) -> str:
        return f"{self.service} {self.unit_price}/{self.valid_from}"


class SubmittedReading(models.Model):
    """A register reading a resident submitted from the portal for a meter that is not read remotely.

    Checked at entry (``consumption.submitted_readings``); staff accept it (it is then stored as an
    actual ``RegisterReading`` through the ingestion, so the aggregates follow) or reject it with a
    reason the resident is emailed. ``warning`` keeps why it looked implausible when the resident
    confirmed it anyway.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("meter reading", "Submitted")
        ACCEPTED = "accepted", pgettext_lazy("meter reading", "Accepted")
        REJECTED = "rejected", pgettext_lazy("meter reading", "Rejected")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=20, decimal_places=7)
    read_on = models.DateField(_("read on"))
    taken_at = models.DateTimeField()  # the moment it counts (stored with this timestamp once accepted)
    photo = models.FileField(upload_to="readings/", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    warning = models.CharField(max_length=500, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)

    customer_path = "customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="submittedreading_status")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"

    @property
    def reference(self) -> str:
        return f"MR-{self.pk:06d}"
