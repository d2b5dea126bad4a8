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
        EmailKind("move_in_resume", _("Link to continue a move-in"), ("resume_url", "expires_at")),
        EmailKind("move_in_submitted", _("Move-in received"), ("address", "move_in_date", "reference")),
        EmailKind(
            "move_in_approved",
            _("Move-in approved"),
            ("customer_name", "address", "move_in_date", "contract_number", "reference", "unsubscribe_url"),
        ),
        EmailKind("move_in_rejected", _("Move-in rejected"), ("reason", "reference")),
        EmailKind(
            "move_in_reading_correction",
            _("Move-in: a meter reading to correct before it can be approved"),
            ("reference", "address", "readings", "correction_url", "expires_at"),
        ),
        EmailKind(
            "move_out_submitted",
            _("Move-out received"),
            ("customer_name", "address", "move_out_date", "reference"),
        ),
        EmailKind(
            "move_out_scheduled",
            _("Move-out confirmed for a day still to come"),
            ("customer_name", "address", "move_out_date", "reference", "unsubscribe_url"),
        ),
        EmailKind(
            "move_out_processed",
            _("Move-out processed"),
            ("customer_name", "address", "move_out_date", "reference", "unsubscribe_url"),
        ),
        EmailKind(
            "move_out_rejected",
            _("Move-out rejected"),
            ("customer_name", "reason", "reference", "unsubscribe_url"),
        ),
        EmailKind(
            "move_out_reading_correction",
            _("Move-out: a final reading to correct before it can be processed"),
            ("customer_name", "reference", "address", "move_out_date", "readings", "correction_url"),
        ),
        EmailKind(
            "move_out_cancelled",
            _("Move-out cancelled by customer service"),
            ("customer_name", "address", "move_out_date", "reason", "reference", "unsubscribe_url"),
        ),
        EmailKind(
            "meter_reading_rejected",
            _("Meter reading submitted from the portal rejected"),
            ("customer_name", "meter_number", "value", "reading_date", "reason", "reference"),
        ),
        EmailKind(
            "ticket_new",
            _("New help request, to customer service"),
            ("reference", "subject", "kind", "name", "message", "admin_url", "has_attachment"),
        ),
        EmailKind(
            "ticket_reply",
            _("A resident's reply on a help request, to customer service"),
            ("reference", "subject", "kind", "name", "message", "admin_url", "has_attachment"),
        ),
        EmailKind(
            "ticket_received", _("Help request received"), ("reference", "subject", "kind", "name", "message")
        ),
        EmailKind(
            "ticket_answered",
            _("Answer to a help request"),
            (
                "reference",
                "subject",
                "kind",
                "name",
                "message",
                "closed",
                "can_reply",
                "ticket_url",
                "help_url",
                "has_attachment",
                "unsubscribe_url",
            ),
        ),
        EmailKind(
            "ticket_closed",
            _("Help request closed"),
            (
                "reference",
                "subject",
                "kind",
                "name",
                "can_reply",
                "ticket_url",
                "help_url",
                "unsubscribe_url",
            ),
        ),
        EmailKind(
            "ticket_reopened",
            _("Help request opened again by customer service"),
            (
                "reference",
                "subject",
                "kind",
                "name",
                "can_reply",
                "ticket_url",
                "help_url",
                "unsubscribe_url",
            ),
        ),
        EmailKind(
            "email_change_confirm",
            _("Confirm a new email address"),
            ("confirm_url", "expires_at", "new_email"),
        ),
        EmailKind("email_change_notice", _("Notice to the old address of an email change"), ("new_email",)),
        EmailKind(
            "email_change_address_in_use",
            _("Notice to an address that already has a login that someone asked to use it"),
            ("new_email",),
        ),
        EmailKind(
            "data_export_ready",
            _("Link to download the archive of a resident's data"),
            ("download_url", "expires_at"),
        ),
        EmailKind(
            "advance_changed",
            _("Confirmation of a changed advance payment"),
            ("customer_name", "contract_number", "previous_amount", "amount", "currency"),
        ),
        EmailKind(
            "bank_account_changed",
            _("Confirmation of a changed bank account or direct debit"),
            (
                "customer_name",
                "customer_number",
                "change",
                "iban",
                "account_holder",
                "mandate_reference",
                "mandate_signed_on",
            ),
        ),
        EmailKind(
            "bank_account_changed_staff",
            _("A customer changed their bank account or direct debit, to customer service"),
            (
                "customer_name",
                "customer_number",
                "change",
                "iban",
                "account_holder",
                "mandate_reference",
                "mandate_signed_on",
            ),
        ),
        EmailKind(
            "notification_invoice_available",
            _("Notification: a new invoice is available"),
            (
                "customer_name",
                "invoice_number",
                "amount",
                "currency",
                "due_date",
                "invoices_url",
                "unsubscribe_url",
            ),
        ),
        EmailKind(
            "notification_settlement_ready",
            _("Notification: a settlement is ready"),
            (
                "customer_name",
                "invoice_number",
                "amount",
                "currency",
                "due_date",
                "invoices_url",
                "unsubscribe_url",
            ),
        ),
        EmailKind(
            "notification_payment_reminder",
            _("Notification: reminder before an invoice is due"),
            (
                "customer_name",
                "invoice_number",
                "amount_open",
                "currency",
                "due_date",
                "invoices_url",
                "unsubscribe_url",
            ),
        ),
        EmailKind(
            "notification_payment_overdue",
            _("Notification: an invoice is overdue"),
            (
                "customer_name",
                "invoice_number",
                "amount_open",
                "currency",
                "due_date",
                "invoices_url",
                "unsubscribe_url",
            ),
        ),
        EmailKind(
            "notification_refund_paid",
            _("Notification: a refund was paid"),
            ("customer_name", "amount", "currency", "refund_date", "transactions_url", "unsubscribe_url"),
        ),
        EmailKind(
            "notification_usage_alert",
            _("Notification: a month's consumption well above last year or similar homes"),
            (
                "customer_name",
                "service",
                "month_date",
                "comparison",
                "value",
                "unit",
                "last_year_value",
                "last_year_change",
                "similar_value",
                "similar_change",
                "change_percentage",
                "threshold",
                "consumption_url",
                "unsubscribe_url",
            ),
        ),
        EmailKind(
            "account_deletion_confirm",
            _("Link to confirm the deletion of a resident's portal account"),
            ("customer_name", "confirm_url", "expires_at", "cancel_url"),
        ),
        EmailKind(
            "account_deleted",
            _("Notice that the resident's portal account was deleted"),
            ("customer_name", "customer_number", "register_url"),
        ),
        EmailKind(
            "account_reset",
            _("Notice that the portal account was reset"),
            ("customer_name", "register_url", "identity_kept"),
        ),
    )
}

# Move and ticket updates, which a resident with a portal account may turn off (notifications'
# kinds move_update and ticket_update): sent to them, the text ends with the one-click
# unsubscribe link, named in the List-Unsubscribe header too (communications.services).
UPDATE_TEMPLATES = frozenset(
    {
        "move_in_approved",
        "move_out_scheduled",
        "move_out_processed",
        "move_out_rejected",
        "move_out_cancelled",
        "ticket_answered",
        "ticket_closed",
        "ticket_reopened",
    }
)
