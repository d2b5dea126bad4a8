"""One archive of a resident's data, from the request to the single download."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

from core.scoping import CustomerOwnedQuerySet


class DataExport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("data archive", "queued")
        BUILDING = "building", pgettext_lazy("data archive", "being prepared")
        READY = "ready", pgettext_lazy("data archive", "ready")
        DOWNLOADED = "downloaded", pgettext_lazy("data archive", "downloaded")
        EXPIRED = "expired", pgettext_lazy("data archive", "expired")
        FAILED = "failed", pgettext_lazy("data archive", "failed")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        "memberships.PortalAccount", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # per cent
    language = models.CharField(max_length=2)
    file = models.FileField(upload_to="exports/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    objects = CustomerOwnedQuerySet.as_manager()
    customer_path = "customer"

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"export {self.pk} of customer {self.customer_id}: {self.status}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.BUILDING)


class DeletionRequest(models.Model):
    """A resident's request to delete their portal account, from the request to its outcome.

    What stays once the account is gone is only what staff need to answer for it: the customer,
    the dates, the status, the reason the resident chose to give and what was removed (counts). The
    address is kept while the request waits for its emailed confirmation, then only as a keyed hash.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("account deletion", "waiting for confirmation")
        COMPLETED = "completed", pgettext_lazy("account deletion", "deleted")
        CANCELLED = "cancelled", pgettext_lazy("account deletion", "cancelled")
        EXPIRED = "expired", pgettext_lazy("account deletion", "expired")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    # Empty once the account is deleted (the row is the record that stays).
    account = models.ForeignKey(
        "memberships.PortalAccount", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    email = models.EmailField(blank=True)  # only while pending
    email_hash = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=5, default="nl")
    reason = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=10, blank=True)  # "resident" or "staff"
    identity_deleted = models.BooleanField(default=False)
    # What the removal took away, e.g. {"data_exports": 2, "sessions": 1}.
    removed = models.JSONField(default=dict, blank=True)

    objects = CustomerOwnedQuerySet.as_manager()
    customer_path = "customer"

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=models.Q(status="pending"), name="one_pending_deletion"
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="deletion_status")]

    def __str__(self) -> str:
        return f"deletion {self.pk} of customer {self.customer_id}: {self.status}"
