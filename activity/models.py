"""The activity log of portal events, per customer (tenant schema)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import CustomerOwnedQuerySet


class ActivityEvent(models.Model):
    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        CONFIRMED = "confirmed", _("Email address confirmed")
        CONFIRMATION_SENT = "confirmation_sent", _("Confirmation email sent")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
        PASSWORD_RESET_DONE = "password_reset_done", _("Password reset")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        INVITATION_SENT = "invitation_sent", _("Invitation sent")
        INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
        ACCOUNT_RESET = "account_reset", _("Portal account reset")
        IMPERSONATION_STARTED = "impersonation_started", _("Impersonation started")
        IMPERSONATION_STOPPED = "impersonation_stopped", _("Impersonation stopped")
        DOCUMENT_VIEWED = "document_viewed", _("Document viewed")
        LANGUAGE_CHANGED = "language_changed", _("Language changed")
        DETAILS_CHANGED = "details_changed", _("Details changed")
        EMAIL_CHANGE_REQUESTED = "email_change_requested", _("Email change requested")
        EMAIL_CHANGED = "email_changed", _("Email address changed")
        ADVANCE_CHANGED = "advance_changed", _("Advance payment changed")
        LOGGED_OUT_EVERYWHERE = "logged_out_everywhere", _("Logged out everywhere")
        DEVICE_SIGNED_OUT = "device_signed_out", _("Signed out a device")
        OTHER_DEVICES_SIGNED_OUT = "other_devices_signed_out", _("Signed out all other devices")
        DELETION_REQUESTED = "deletion_requested", _("Account deletion requested")
        DELETION_CONFIRMED = "deletion_confirmed", _("Account deletion confirmed")
        DELETION_CANCELLED = "deletion_cancelled", _("Account deletion cancelled")
        ACCOUNT_DELETED = "account_deleted", _("Portal account deleted")

    class Actor(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        STAFF = "staff", _("Staff")
        IMPERSONATING_STAFF = "impersonating_staff", _("Staff acting as the resident")
        SYSTEM = "system", _("System")
        ANONYMOUS = "anonymous", _("Anonymous")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="activity")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    actor = models.CharField(max_length=20, choices=Actor.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.EmailField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    customer_path = "customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at", "-id"], name="activity_customer_newest")]

    def __str__(self) -> str:
        return f"{self.kind} for customer {self.customer_id}"
