"""Helpers shared by the membership use cases."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from tenants.selectors import portal_base_url

from ..errors import MembershipError

User = get_user_model()

# A hash to check a password against when there is nothing real to check, so that a miss costs
# the same as a wrong password.
_DUMMY_HASH = make_password("not-a-real-password-only-for-constant-time")


def spend_one_password_check(password: str) -> None:
    check_password(password, _DUMMY_HASH)


def portal_link(organisation, path: str) -> str:
    """An absolute link into the organisation's own portal domain."""
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
