"""Records of imports from the billing system (tenant schema)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ImportRun(models.Model):
    """One call of the import API: what it received, what it wrote, which rows it refused."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    actor_email = models.EmailField(blank=True)
    summary = models.JSONField(default=dict)
    error_count = models.PositiveIntegerField(default=0)
    # The refused rows, for staff to read later: [{"entity", "index", "external_id", "errors"}],
    # at most integration.importing.STORED_ERRORS of them (error_count says how many there were).
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"import {self.pk} at {self.started_at}"


class PortalChange(models.Model):
    """Something residents or staff changed in the portal that the billing system must learn.

    The billing system reads these in order (``GET /api/integration/changes/?after=<id>``), so the
    portal's changes are not overwritten by the next import.
    """

    class Kind(models.TextChoices):
        CUSTOMER_DETAILS = "customer_details", "customer_details"
        ADVANCE = "advance", "advance"
        MOVE_IN = "move_in", "move_in"
        MOVE_OUT = "move_out", "move_out"
        METER_READING = "meter_reading", "meter_reading"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    customer_external_id = models.CharField(max_length=100, blank=True)
    customer_number = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.customer_number}"
