"""Organisations (tenants) and their portal domains, in the public schema."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from .features import default_features, resolve_features

SLUG_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9-]{1,39}$",
    _("Use 2 to 40 lower-case letters, digits or hyphens, starting with a letter."),
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known IANA time zone."), params={"value": value})


def language_choices():
    return settings.LANGUAGES


class Organisation(TenantMixin):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    class PortalStatus(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=40, unique=True, validators=[SLUG_VALIDATOR])
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    suspension_reason = models.CharField(_("suspension reason"), max_length=500, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    portal_status = models.CharField(
        _("portal status"), max_length=20, choices=PortalStatus.choices, default=PortalStatus.ACTIVE
    )
    features = models.JSONField(_("feature flags"), default=default_features, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Brussels", validators=[validate_time_zone]
    )
    default_language = models.CharField(_("default language"), max_length=5, default="nl")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Schemas are created by tenants.provisioning (template clone or migrations), inside the
    # onboarding transaction, never as a side effect of save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    @property
    def portal_is_active(self) -> bool:
        return self.portal_status == self.PortalStatus.ACTIVE

    def feature_enabled(self, key: str) -> bool:
        return resolve_features(self.features).get(key, False)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Domain(DomainMixin):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_primary=True),
                name="one_primary_domain_per_organisation",
            ),
        ]


class SpareSchema(models.Model):
    """A schema made ahead of time from the template, renamed to a new organisation's on onboarding."""

    name = models.CharField(max_length=63, unique=True)
    template_version = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class StatusChange(models.Model):
    """A suspension or reactivation of an organisation: who did it, when and why (kept for audits)."""

    class Action(models.TextChoices):
        SUSPENDED = "suspended", _("Suspended")
        REACTIVATED = "reactivated", _("Reactivated")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="status_changes")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.EmailField(_("by"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.action}"


class SchemaMove(models.Model):
    """An organisation's schema moved to another node of a Citus cluster: asked, run, and how it went."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        MOVING = "moving", _("Moving")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    IN_PROGRESS = (Status.QUEUED, Status.MOVING)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="schema_moves")
    source_node = models.CharField(_("from node"), max_length=255)
    target_node = models.CharField(_("to node"), max_length=255)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.EmailField(_("requested by"), blank=True)  # empty: the management command
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(status__in=["queued", "moving"]),
                name="one_schema_move_in_progress_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.source_node} -> {self.target_node} ({self.status})"
