"""API tokens and single-use email tokens.

This app is installed in the public schema and in every organisation's schema, so a credential
exists only in the schema of the domain that issued it: presented on another domain it is simply
unknown. Only a hash of each secret is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessToken(models.Model):
    key_id = models.CharField(max_length=24, unique=True)
    secret_hash = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # Where the token was last used from (updated with ``last_used_at``): the resident's list of
    # signed-in devices shows it.
    last_ip = models.GenericIPAddressField(null=True, blank=True)
    # Derived from the password hash when issued: a password change or reset (on any domain)
    # invalidates every token issued before it, without touching other schemas.
    credential_fingerprint = models.CharField(max_length=64, default="")
    # Set on tokens a staff member uses to act as a resident (see memberships.ImpersonationSession).
    impersonated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["user"], name="accesstoken_user")]

    def __str__(self) -> str:
        return f"token {self.key_id} of user {self.user_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class OneTimeToken(models.Model):
    """A secret sent by email that proves control of an address, used at most once."""

    class Purpose(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        CONFIRMATION = "confirmation", _("Email confirmation")
        PASSWORD_RESET = "password_reset", _("Password reset")
        EMAIL_CHANGE = "email_change", _("Email change")
        MOVE_IN_RESUME = "move_in_resume", _("Resume move-in")
        ACCOUNT_DELETION = "account_deletion", _("Account deletion")

    key_id = models.CharField(max_length=24, unique=True)
    secret_hash = models.CharField(max_length=64)
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    # What the token acts on, e.g. "staff:12" or "portal_account:7"; a newer token for the same
    # purpose and subject revokes the older ones.
    subject = models.CharField(max_length=100)
    email = models.EmailField()
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["purpose", "subject"], name="onetimetoken_subject")]

    def __str__(self) -> str:
        return f"{self.purpose} token for {self.subject}"
