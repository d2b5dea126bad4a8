"""What an identity may do in one organisation (this schema): staff membership."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import CustomerOwnedQuerySet


class StaffMembership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        STAFF = "staff", _("Staff")
        SUPPORT = "support", _("Support")
        INTEGRATION = "integration", _("Integration (billing system)")

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


class PortalAccount(models.Model):
    """A resident's access to the portal, for exactly one customer record of this organisation.

    The row exists from registration on ("not confirmed"); ``user`` is only linked once the login
    address is confirmed, so an unconfirmed registration never creates or touches an identity.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        NOT_CONFIRMED = "not_confirmed", _("Not confirmed")
        NO_ACCOUNT = "no_account", _("No account")

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="portal_account",
        verbose_name=_("customer"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    login_email = models.EmailField(_("portal email address"))
    language = models.CharField(_("preferred language"), max_length=5, default="nl")
    # Until confirmation, the password chosen at registration waits here (hashed). It is only used
    # if the address had no identity yet; an existing identity keeps its own password.
    pending_password = models.CharField(max_length=128, blank=True)
    registered_at = models.DateTimeField(_("registration date"), default=timezone.now)
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)

    customer_path = "customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user"], name="one_portal_account_per_user"),
            models.UniqueConstraint(Lower("login_email"), name="one_portal_account_per_login_email"),
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) | models.Q(email_confirmed_at__isnull=False),
                name="portal_account_linked_only_when_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"portal account of customer {self.customer_id}"

    @property
    def status(self) -> str:
        if self.user_id is not None and self.email_confirmed_at is not None:
            return self.Status.ACTIVE
        return self.Status.NOT_CONFIRMED


class AddressInUseRegistration(models.Model):
    """A registration whose login address already belongs to another portal account here.

    The other account is never touched. The password chosen at registration waits here (hashed),
    as it would on a new registration's ``PortalAccount``, so that logging in with it answers "not
    confirmed" whether or not the address was in use: neither the registration's answer nor a
    later login tells the registrant that the address has an account (see ``memberships.services.login``).
    One row per registering customer; a new registration of that customer replaces it.
    """

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="+")
    login_email = models.EmailField()  # normalised (lower case)
    pending_password = models.CharField(max_length=128)
    registered_at = models.DateTimeField(default=timezone.now)

    customer_path = "customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["login_email", "-registered_at"], name="address_in_use_login")]

    def __str__(self) -> str:
        return f"registration of customer {self.customer_id} with an address in use"


class ImpersonationSession(models.Model):
    """A staff member acting as a resident: audited, time-limited, and stoppable."""

    staff_membership = models.ForeignKey(StaffMembership, on_delete=models.PROTECT, related_name="+")
    staff_email = models.EmailField()
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    # Tokens are also deleted in the public schema (the platform domain), where this table does not
    # exist: the database sets the column to NULL (ON DELETE SET NULL, migration 0005), so Django's
    # delete collector never has to visit this table.
    access_token = models.OneToOneField(
        "credentials.AccessToken",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="impersonation",
    )
    reason = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=20, blank=True)  # "staff", "logout", "expired", "account_reset"
    ip = models.GenericIPAddressField(null=True, blank=True)

    customer_path = "customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.staff_email} as customer {self.customer_id}"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None and self.expires_at > timezone.now()


class AccountEmailRequest(models.Model):
    """A request that may lead to an email (password reset, resend confirmation).

    The request only stores this row, whether or not the address is known, so that neither the
    answer nor its timing tells whether an address is registered; a worker decides what to send.
    Handled rows (they hold an address and an IP) are deleted after ``tasks.ACCOUNT_REQUEST_RETENTION``.
    """

    class Kind(models.TextChoices):
        PASSWORD_RESET = "password_reset", _("Password reset")
        RESEND_CONFIRMATION = "resend_confirmation", _("Resend confirmation")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    email = models.EmailField()
    language = models.CharField(max_length=5)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(processed_at__isnull=True),
                name="account_request_pending",
            ),
            # Handled rows are purged after a retention period (memberships.tasks).
            models.Index(
                fields=["processed_at"],
                condition=models.Q(processed_at__isnull=False),
                name="account_request_processed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.email}"
