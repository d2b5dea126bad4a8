"""One identity per person across the whole platform (public schema).

What a person may do is decided per organisation, in that organisation's schema
(``memberships``). An identity is only ever created for an email address its owner has confirmed.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalise_email(email: str) -> str:
    """Identities are matched case-insensitively: every stored address is lower case."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email=normalise_email(email))

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalise_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_platform_operator(self, email: str, password: str, **extra):
        return self.create_user(email, password, is_platform_operator=True, **extra)


class User(AbstractBaseUser):
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Platform operators onboard organisations; the role only has effect on the platform domain.
    is_platform_operator = models.BooleanField(_("platform operator"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    # Django's admin and a few helpers probe these; nobody is a Django superuser here.
    is_staff = False
    is_superuser = False

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="user_email_lowercase"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self):
        super().clean()
        self.email = normalise_email(self.email)

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_module_perms(self, app_label) -> bool:
        return False


class PasswordResetRequest(models.Model):
    """A password reset asked for on the platform domain (organisations' domains have their own).

    As ``memberships.AccountEmailRequest`` does there: the request is stored and answered at once,
    the same for every address; a worker decides whether an email goes out (only to platform
    operators), and the periodic sweep handles requests whose task never ran.
    """

    email = models.EmailField(max_length=254)
    language = models.CharField(max_length=8)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(processed_at__isnull=True),
                name="platform_reset_unprocessed",
            ),
            models.Index(
                fields=["processed_at"],
                condition=models.Q(processed_at__isnull=False),
                name="platform_reset_processed",
            ),
        ]

    def __str__(self) -> str:
        return f"platform password reset request {self.pk}"
