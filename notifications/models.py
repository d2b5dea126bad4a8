"""The organisation's defaults, each resident's choices, and the log that sends nothing twice."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import CustomerOwnedQuerySet

from .kinds import (
    COMPARISON_CHOICES,
    DEFAULT_REMINDER_DAYS,
    DEFAULT_USAGE_COMPARISON,
    DEFAULT_USAGE_THRESHOLD,
)


class NotificationDefaultsManager(models.Manager):
    def current(self) -> NotificationDefaults:
        """The organisation's row, or the defaults unsaved: reading never writes."""
        return self.filter(pk=1).first() or self.model(pk=1)


class NotificationDefaults(models.Model):
    """One row per organisation: which kinds a resident gets until they choose, and when reminders go."""

    # kind → on or off; a kind not named here uses its default (notifications.kinds).
    enabled = models.JSONField(default=dict, blank=True)
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder days before the due date"), default=DEFAULT_REMINDER_DAYS
    )
    usage_threshold = models.PositiveSmallIntegerField(
        _("usage alert threshold in percent"), default=DEFAULT_USAGE_THRESHOLD
    )
    # Against what a usage alert measures a month (no CHECK in the database: added to an existing
    # table, which Citus cannot do with a constraint in one statement; the choices are checked on input).
    usage_comparison = models.CharField(
        _("usage alert compares with"),
        max_length=20,
        choices=COMPARISON_CHOICES,
        default=DEFAULT_USAGE_COMPARISON,
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = NotificationDefaultsManager()

    def __str__(self) -> str:
        return f"notification defaults ({self.reminder_days} days)"


class NotificationPreference(models.Model):
    """A resident's own choice for one kind; without a row the organisation's default applies."""

    account = models.ForeignKey(
        "memberships.PortalAccount", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    enabled = models.BooleanField()
    # Only for usage_alert: the resident's threshold in percent (empty: the organisation's).
    threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    # Only for usage_alert: last_year, similar_homes or both (empty: the organisation's).
    comparison = models.CharField(max_length=20, choices=COMPARISON_CHOICES, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    customer_path = "account__customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "kind"], name="one_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind}: {'on' if self.enabled else 'off'}"


class SentNotification(models.Model):
    """One row per notification decided: sent, or left out by the resident's choice.

    ``key`` names the kind and the object (and the due date for reminders); it is unique, so a
    second run of the daily task, or two at once, never sends the same notification again.
    """

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=40)
    account = models.ForeignKey("memberships.PortalAccount", on_delete=models.CASCADE, related_name="+")
    # Outbox emails are also deleted in the public schema, where this table does not exist: the
    # database sets the column to NULL (ON DELETE SET NULL, migration 0002), so Django's delete
    # collector never has to visit this table.
    email = models.ForeignKey(
        "communications.OutboundEmail", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    customer_path = "account__customer"
    objects = CustomerOwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.key
