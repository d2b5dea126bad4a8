"""A resident's bank account and SEPA direct-debit mandate, outside the move-in wizard.

Changing the account or giving a mandate needs the current password (a stolen session must not
redirect refunds or collections); giving a mandate also needs the explicit consent the SEPA rulebook
asks for. Withdrawing needs neither: it is the resident's right at any time. Each change is logged,
sent to the billing system (``customer_details``, data ``bank_account``) and confirmed by email to
the resident and to the organisation's support address."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iban as iban_numbers
from stdnum.exceptions import ValidationError as NumberError

from activity.models import ActivityEvent
from activity.services import Origin, record_event
from communications.services import queue_email
from configuration.models import PortalPreferences
from core.errors import RuleViolation
from customers.models import BankAccount, Customer
from integration.changes import record_change
from integration.models import PortalChange
from memberships.models import StaffMembership

# Countries of the SEPA scheme (EPC list); their overseas parts use these prefixes too.
SEPA_COUNTRIES = frozenset(
    [
        "AD",
        "AT",
        "BE",
        "BG",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GB",
        "GI",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MC",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "SM",
        "VA",
    ]
)


def checked_iban(value: str) -> str:
    """The IBAN in compact form, or a field error: valid check digits and a SEPA country."""
    try:
        number = iban_numbers.compact(iban_numbers.validate(value))
    except NumberError as exc:
        raise RuleViolation(
            _("This IBAN is not valid: check the number."), code="invalid_iban", field="iban"
        ) from exc
    if number[:2] not in SEPA_COUNTRIES:
        raise RuleViolation(
            _("Direct debit is only possible from an account in the SEPA area."),
            code="iban_outside_sepa",
            field="iban",
        )
    return number


def masked_iban(iban: str) -> str:
    """Country, check digits and the last four characters: enough to recognise the account."""
    if not iban:
        return ""
    return f"{iban[:4]} •••• {iban[-4:]}"


def bank_account_of(customer: Customer) -> dict:
    account = BankAccount.objects.filter(customer=customer).first()
    if account is None:
        return {
            "iban": "",
            "account_holder": "",
            "mandate_status": BankAccount.MandateStatus.NONE,
            "mandate_reference": "",
            "mandate_signed_on": None,
            "mandate_withdrawn_on": None,
        }
    return {
        "iban": masked_iban(account.iban),
        "account_holder": account.account_holder,
        "mandate_status": account.mandate_status,
        "mandate_reference": account.mandate_reference or "",
        "mandate_signed_on": account.mandate_signed_on,
        "mandate_withdrawn_on": account.mandate_withdrawn_on,
    }


def _check_password(user, password: str) -> None:
    if user is None or not user.check_password(password):
        raise RuleViolation(
            _("Your current password is not correct."), code="wrong_password", field="password"
        )


def _support_addresses() -> list[str]:
    """The organisation's support address, else its administrators."""
    address = PortalPreferences.objects.current().support_email
    if address:
        return [address]
    return list(
        StaffMembership.objects.filter(
            role=StaffMembership.Role.ADMIN, status=StaffMembership.Status.ACTIVE
        ).values_list("email", flat=True)
    )


def _tell(*, organisation, customer: Customer, account, what: str, bank: BankAccount) -> None:
    """The resident and the organisation each get a notice; neither sees the full IBAN by email."""
    context = {
        "customer_name": customer.display_name,
        "customer_number": customer.customer_number,
        "change": what,
        "iban": masked_iban(bank.iban),
        "account_holder": bank.account_holder,
        "mandate_reference": bank.mandate_reference or "",
        "mandate_signed_on": bank.mandate_signed_on,
    }
    recipient = account.login_email if account else customer.email
    if recipient:
        queue_email(
            template="bank_account_changed",
            to=recipient,
            language=account.language if account else customer.language,
            organisation=organisation,
            context=context,
        )
    for address in _support_addresses():
        queue_email(
            template="bank_account_changed_staff",
            to=address,
            language=organisation.default_language,
            organisation=organisation,
            context=context,
        )


def _record(*, customer: Customer, actor_user, origin, what: str, data: dict) -> None:
    record_event(
        customer=customer,
        kind=ActivityEvent.Kind.DETAILS_CHANGED,
        actor=ActivityEvent.Actor.RESIDENT,
        actor_user=actor_user,
        origin=origin,
        data={"bank_account": {"change": what, **data}},
    )
    record_change(
        kind=PortalChange.Kind.CUSTOMER_DETAILS,
        customer=customer,
        data={"bank_account": {"change": what, **data}},
    )


def _locked(customer: Customer) -> BankAccount | None:
    return BankAccount.objects.select_for_update().filter(customer=customer).first()


@transaction.atomic
def change_bank_account(
    *,
    organisation,
    customer: Customer,
    account,
    iban: str,
    account_holder: str,
    password: str,
    actor_user,
    origin: Origin | None = None,
) -> dict:
    """Set the account; an active mandate stays and follows the new account (a SEPA amendment)."""
    _check_password(actor_user, password)
    iban = checked_iban(iban)
    bank = _locked(customer) or BankAccount(customer=customer)
    previous = bank.iban
    if previous == iban and bank.account_holder == account_holder:
        return bank_account_of(customer)
    bank.iban, bank.account_holder = iban, account_holder
    bank.save()
    data = {
        "iban": iban,
        "previous_iban": previous,
        "account_holder": account_holder,
        "mandate_reference": bank.mandate_reference or "",
        "mandate_status": bank.mandate_status,
    }
    _record(customer=customer, actor_user=actor_user, origin=origin, what="account_changed", data=data)
    _tell(organisation=organisation, customer=customer, account=account, what="account_changed", bank=bank)
    return bank_account_of(customer)


def _new_reference(customer: Customer) -> str:
    # Random part: references are never reused, not even after a withdrawal.
    return f"EP{customer.pk}-{secrets.token_hex(6).upper()}"


@transaction.atomic
def give_mandate(
    *,
    organisation,
    customer: Customer,
    account,
    consent: bool,
    password: str,
    actor_user,
    origin: Origin | None = None,
) -> dict:
    """A new mandate on the account on file, signed today in the organisation's time zone."""
    if not consent:
        raise RuleViolation(
            _("Agree to the direct debit mandate to switch it on."), code="consent_required", field="consent"
        )
    _check_password(actor_user, password)
    bank = _locked(customer)
    if bank is None or not bank.iban:
        raise RuleViolation(_("Enter your bank account first."), code="no_bank_account", field="iban")
    if bank.mandate_status == BankAccount.MandateStatus.ACTIVE:
        raise RuleViolation(_("Direct debit is already on."), code="mandate_active", http_status=409)
    bank.mandate_status = BankAccount.MandateStatus.ACTIVE
    bank.mandate_signed_on = timezone.localdate(timezone=organisation.zone)
    bank.mandate_withdrawn_on = None
    bank.mandate_reference = _new_reference(customer)
    bank.save()
    data = {
        "iban": bank.iban,
        "account_holder": bank.account_holder,
        "mandate_reference": bank.mandate_reference,
        "signed_on": bank.mandate_signed_on.isoformat(),
    }
    _record(customer=customer, actor_user=actor_user, origin=origin, what="mandate_given", data=data)
    _tell(organisation=organisation, customer=customer, account=account, what="mandate_given", bank=bank)
    return bank_account_of(customer)


@transaction.atomic
def withdraw_mandate(
    *, organisation, customer: Customer, account, actor_user, origin: Origin | None = None
) -> dict:
    """End the active mandate today; later advances are paid by transfer."""
    bank = _locked(customer)
    if bank is None or bank.mandate_status != BankAccount.MandateStatus.ACTIVE:
        raise RuleViolation(_("There is no direct debit to stop."), code="no_mandate", http_status=409)
    bank.mandate_status = BankAccount.MandateStatus.WITHDRAWN
    bank.mandate_withdrawn_on = timezone.localdate(timezone=organisation.zone)
    bank.save()
    data = {
        "mandate_reference": bank.mandate_reference,
        "withdrawn_on": bank.mandate_withdrawn_on.isoformat(),
    }
    _record(customer=customer, actor_user=actor_user, origin=origin, what="mandate_withdrawn", data=data)
    _tell(organisation=organisation, customer=customer, account=account, what="mandate_withdrawn", bank=bank)
    return bank_account_of(customer)
