"""Move-in requests (a 7-step draft anyone can start) and move-out requests of residents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import CustomerOwnedQuerySet


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    # A move-out processed by staff before its date: completed by a periodic task once the day is over.
    SCHEDULED = "scheduled", _("Scheduled")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    # A move-out that staff called off before it was completed (only move-outs are cancelled).
    CANCELLED = "cancelled", _("Cancelled")
    # Staff could not record a reading (e.g. below one stored since): the resident is asked to
    # correct it (``readings_refused`` says which and why) and sends it again, which submits it anew.
    CORRECTION = "correction", _("Reading to correct")


MOVE_IN_STATUSES = [choice for choice in RequestStatus.choices if choice[0] != RequestStatus.CANCELLED]


class MoveInRequest(models.Model):
    """A new resident's move-in, saved step by step as a server-side draft."""

    # The draft is reached with a secret key the client keeps; only its hash is stored.
    key_hash = models.CharField(max_length=64, unique=True)
    # The key stops working after this (settings.MOVE_IN_DRAFT_KEY_DAYS); the emailed link gives a new one.
    key_expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=MOVE_IN_STATUSES, default=RequestStatus.DRAFT)
    language = models.CharField(max_length=5, default="nl")
    # Validated data of each completed step, e.g. {"1": {"location_id": 4}, "2": {...}}.
    steps = models.JSONField(default=dict)
    location = models.ForeignKey(
        "contracts.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(blank=True)
    # Copied from step 2 so that due move-in readings can be found with an index, not by reading JSON.
    move_in_date = models.DateField(null=True, blank=True)
    # Move-in readings are recorded once the move-in day has begun (ingestion refuses the future).
    readings_recorded_at = models.DateTimeField(null=True, blank=True)
    # Readings that could not be recorded: kept for staff once approved, or (status correction) the
    # ones the applicant is asked to correct, with the reason in their language.
    readings_refused = models.JSONField(default=list, blank=True)
    # Set when a logged-in resident reports the move: approval reuses this customer record.
    existing_customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="move_ins"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.CharField(max_length=500, blank=True)
    created_customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "-submitted_at"], name="movein_status"),
            models.Index(
                fields=["move_in_date"],
                condition=models.Q(status="approved", readings_recorded_at__isnull=True),
                name="movein_readings_due",
            ),
        ]

    def __str__(self) -> str:
        return f"move-in {self.pk} ({self.status})"


class MeterPhoto(models.Model):
    """A photo of a meter on the moving day, proving the reading."""

    move_in = models.ForeignKey(
        MoveInRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    move_out = models.ForeignKey(
        "MoveOutRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    meter = models.ForeignKey("consumption.Meter", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="moves/")
    content_type = models.CharField(max_length=40)
    uploaded_at = models.DateTimeField(default=timezone.now)

    customer_path = "move_out__customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(move_in__isnull=False) ^ models.Q(move_out__isnull=False),
                name="photo_of_one_request",
            )
        ]

    def __str__(self) -> str:
        return f"photo of meter {self.meter_id}"


class MoveOutRequest(models.Model):
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="move_outs")
    contract_location = models.ForeignKey(
        "contracts.ContractLocation", on_delete=models.PROTECT, related_name="move_outs"
    )
    move_out_date = models.DateField(_("move-out date"))
    readings = models.JSONField(default=list)  # [{"meter_id": 1, "meter_number": "...", "value": "123.4"}]
    forwarding_address = models.JSONField(default=dict)
    language = models.CharField(max_length=5, default="nl")
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.CharField(max_length=500, blank=True)
    # When the final readings were recorded, the contract closed and the final invoice asked for.
    completed_at = models.DateTimeField(null=True, blank=True)
    # Readings the consumption ingestion refused when a scheduled move-out was completed, or (status
    # correction) the ones the resident is asked to correct, with the reason in their language.
    readings_refused = models.JSONField(default=list, blank=True)
    # Staff called it off (the resident is emailed the reason); kept as the record of who and why.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancellation_reason = models.CharField(max_length=500, blank=True)

    customer_path = "customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract_location"],
                # Equalities, not IN: PostgreSQL prints an IN list in a form that does not read back the
                # same, and the DDL snapshot of new schemas must reproduce every index exactly.
                condition=models.Q(status="submitted")
                | models.Q(status="scheduled")
                | models.Q(status="correction"),
                name="one_open_move_out_per_location",
            )
        ]
        indexes = [
            models.Index(
                fields=["move_out_date"], condition=models.Q(status="scheduled"), name="moveout_scheduled"
            )
        ]

    def __str__(self) -> str:
        return f"move-out {self.pk} ({self.status})"
