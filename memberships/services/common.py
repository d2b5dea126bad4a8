"""Helpers shared by the membership use cases."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from tenants.selectors import base_url_for_host, portal_base_url

from ..errors import MembershipError

User = get_user_model()


def portal_link(organisation, path: str) -> str:
    """An absolute link into the organisation's own portal domain (None: the platform domain)."""
    if organisation is None:
        return f"{base_url_for_host(settings.PLATFORM_DOMAIN)}{path}"
    return f"{portal_base_url(organisation)}{path}"


def checked_password(password: str, *, email: str, full_name: str = "", field: str = "password") -> str:
    """The password if Django's validators accept it; a field error otherwise."""
    candidate = User(email=email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise MembershipError(" ".join(exc.messages), code="password_invalid", field=field) from exc
    return password


def checked_email(email: str, *, field: str = "email", max_length: int = 254) -> str:
    """The address if it fits the database column (254 characters); a field error otherwise."""
    try:
        MaxLengthValidator(max_length)(email)
    except ValidationError as exc:
        raise MembershipError(" ".join(exc.messages), code="invalid", field=field) from exc
    return email


def supported_language(code: str | None) -> str | None:
    code = (code or "").lower().split("-")[0]
    return code if code in {value for value, _label in settings.LANGUAGES} else None


def customer_language(customer, organisation) -> str:
    return supported_language(getattr(customer, "language", "")) or organisation.default_language
