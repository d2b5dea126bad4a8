"""What an identity may do in one organisation (this schema): staff membership."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StaffMembership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        STAFF = "staff", _("Staff")
        SUPPORT = "support", _("Support")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Active")
        DISABLED = "disabled", _("Disabled")

    # Empty until the invitation is accepted: an identity is only linked to a confirmed address.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    can_impersonate = models.BooleanField(_("may impersonate residents"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.INVITED)
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["user"], name="one_staff_membership_per_user"),
            models.UniqueConstraint(Lower("email"), name="one_staff_membership_per_email"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE and self.user_id is not None
