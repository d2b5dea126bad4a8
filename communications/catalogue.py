"""Every email the portal sends, with the variables its template may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

COMMON_VARIABLES = ("organisation_name", "portal_url", "support_email")


@dataclass(frozen=True)
class EmailKind:
    key: str
    label: str
    variables: tuple[str, ...]


CATALOGUE: dict[str, EmailKind] = {
    kind.key: kind
    for kind in (
        EmailKind(
            "staff_invitation", _("Invitation of a staff member"), ("accept_url", "role", "expires_at")
        ),
        EmailKind(
            "portal_invitation",
            _("Invitation of a customer to the portal"),
            ("activation_url", "customer_name", "customer_number", "expires_at"),
        ),
        EmailKind(
            "registration_confirmation",
            _("Confirm the email address after registering"),
            ("confirm_url", "customer_name", "customer_number", "expires_at", "existing_identity"),
        ),
        EmailKind(
            "registration_address_in_use",
            _("Registration with an address already used for another customer"),
            ("customer_number",),
        ),
        EmailKind(
            "registration_notice",
            _("Notice to the customer's address that a portal account was registered"),
            ("customer_name", "customer_number", "login_email"),
        ),
        EmailKind("password_reset", _("Password reset link"), ("reset_url", "expires_at")),
        EmailKind("password_changed", _("Notice that the password was changed"), ()),
        EmailKind(
            "advance_changed",
            _("Confirmation of a changed advance payment"),
            ("customer_name", "contract_number", "previous_amount", "amount", "currency"),
        ),
        EmailKind(
            "account_reset", _("Notice that the portal account was reset"), ("customer_name", "register_url")
        ),
    )
}
