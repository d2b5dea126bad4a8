"""Residents registering with their customer number, confirming, and accepting invitations."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import is_password_usable, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.hashing import hash_like
from accounts.models import normalise_email
from activity.models import ActivityEvent
from activity.services import Origin, record_event
from communications.services import queue_email
from credentials.models import OneTimeToken
from credentials.services import (
    TokenError,
    check_one_time_token,
    consume_one_time_token,
    issue_one_time_token,
    revoke_one_time_tokens,
    subject_id,
)
from customers.models import Customer

from ..errors import MembershipError
from ..models import AddressInUseRegistration, PortalAccount
from ..selectors import login_secrets
from .common import checked_email, checked_password, customer_language, portal_link, supported_language

User = get_user_model()
Actor = ActivityEvent.Actor
Kind = ActivityEvent.Kind


def _not_possible() -> MembershipError:
    return MembershipError(
        _(
            "We cannot register an account with this customer number and email address. Check both "
            "on one of your invoices, or contact us."
        ),
        code="registration_not_possible",
    )


def send_confirmation(*, account: PortalAccount, organisation) -> None:
    """A fresh confirmation link for a registration that is not confirmed yet."""
    issued = issue_one_time_token(
        purpose=OneTimeToken.Purpose.CONFIRMATION,
        subject=f"portal_account:{account.pk}",
        email=account.login_email,
    )
    customer = account.customer
    queue_email(
        template="registration_confirmation",
        to=account.login_email,
        language=account.language,
        organisation=organisation,
        context={
            "confirm_url": portal_link(organisation, f"/confirm/{issued.raw}"),
            "customer_name": customer.display_name,
            "customer_number": customer.customer_number,
            "expires_at": issued.token.expires_at,
            "existing_identity": User.objects.filter(email=account.login_email).exists(),
        },
    )


def registration_language(*, customer, organisation, language: str | None, fallback: str | None) -> str:
    """An explicit choice, else the customer record's language, else the visitor's, else the organisation's."""
    return (
        supported_language(language)
        or supported_language(getattr(customer, "language", ""))
        or supported_language(fallback)
        or organisation.default_language
    )


def _notify_record_address(*, customer, organisation, login: str, language: str) -> None:
    if login != normalise_email(customer.email):
        queue_email(
            template="registration_notice",
            to=normalise_email(customer.email),
            language=language,
            organisation=organisation,
            context={
                "customer_name": customer.display_name,
                "customer_number": customer.customer_number,
                "login_email": login,
            },
        )


def _reference_hash(login: str) -> str | None:
    """What a login with this address is checked against first: its identity's password, else the
    newest pending registration's here."""
    identity = User.objects.filter(email=login).values_list("password", flat=True).first()
    if identity and is_password_usable(identity):
        return identity
    return login_secrets(login)[0]


@transaction.atomic
def register_resident(
    *,
    organisation,
    customer_number: str,
    email: str,
    password: str,
    login_email: str | None = None,
    language: str | None = None,
    fallback_language: str | None = None,
    origin: Origin | None = None,
) -> None:
    """Register with the customer number and the email address on the customer record.

    The answer is the same whether or not the login address already has an identity (here or in
    another organisation) or a portal account of another customer here; what differs is only in
    the email sent to that address. Nothing is linked to an identity until the address is
    confirmed. ``language`` is an explicit choice; without it the customer record's language is
    used, then ``fallback_language`` (the visitor's).
    """
    # Hashing first costs the same whatever the outcome; made like the address's existing secret,
    # so that a login checks both with one hash (accounts.hashing).
    pending_hash = hash_like(password, _reference_hash(normalise_email(login_email or email)))
    customer = _registering_customer(customer_number, email)
    login = checked_email(
        normalise_email(login_email or email), field="login_email" if login_email else "email"
    )
    checked_password(password, email=login, full_name=customer.display_name)
    account = _unregistered_account(customer)
    language = registration_language(
        customer=customer, organisation=organisation, language=language, fallback=fallback_language
    )
    now = timezone.now()
    address_taken = (
        PortalAccount.objects.filter(login_email__iexact=login).exclude(customer=customer).exists()
    )
    register = _register_with_address_in_use if address_taken else _register_login
    register(
        organisation=organisation,
        customer=customer,
        own_pending=account,
        login=login,
        pending_hash=pending_hash,
        language=language,
        now=now,
    )
    _notify_record_address(customer=customer, organisation=organisation, login=login, language=language)
    record_event(
        customer=customer,
        kind=Kind.REGISTERED,
        actor=Actor.ANONYMOUS,
        origin=origin,
        data={"login_email": login, **({"address_in_use": True} if address_taken else {})},
    )


def _registering_customer(customer_number: str, email: str) -> Customer:
    """The customer with this number whose record holds this address (locked); the same refusal
    whichever does not match."""
    customer = (
        Customer.objects.select_for_update().filter(customer_number=(customer_number or "").strip()).first()
    )
    if customer is None or not customer.email or normalise_email(customer.email) != normalise_email(email):
        raise _not_possible()
    return customer


def _unregistered_account(customer: Customer) -> PortalAccount | None:
    """The customer's pending portal account (locked), if any; an active one refuses the registration."""
    account = PortalAccount.objects.select_for_update().filter(customer=customer).first()
    if account is not None and account.status == PortalAccount.Status.ACTIVE:
        raise MembershipError(
            _("This customer number already has a portal account. Log in, or use “I forgot my password”."),
            code="already_registered",
        )
    return account


def _register_login(
    *, organisation, customer, own_pending, login: str, pending_hash: str, language: str, now
) -> None:
    """The login address is free: the account waits for its confirmation, which is sent."""
    AddressInUseRegistration.objects.filter(customer=customer).delete()
    account = own_pending or PortalAccount(customer=customer)
    account.login_email = login
    account.language = language
    account.pending_password = pending_hash
    account.registered_at = now
    account.email_confirmed_at = None
    account.user = None
    account.save()
    send_confirmation(account=account, organisation=organisation)


def _register_with_address_in_use(
    *, organisation, customer, own_pending, login: str, pending_hash: str, language: str, now
) -> None:
    """The login address belongs to another customer's portal account: change nothing of it.

    What the registrant can observe stays as on a new registration: their own earlier pending
    registration is replaced, the chosen password answers "not confirmed" at login (it waits in
    ``AddressInUseRegistration``), and the record address gets the same notice. The address's
    owner is told that someone tried to use it.
    """
    if own_pending is not None:
        revoke_one_time_tokens(subject=f"portal_account:{own_pending.pk}")
        own_pending.delete()
    AddressInUseRegistration.objects.update_or_create(
        customer=customer,
        defaults={"login_email": login, "pending_password": pending_hash, "registered_at": now},
    )
    queue_email(
        template="registration_address_in_use",
        to=login,
        language=language,
        organisation=organisation,
        context={"customer_number": customer.customer_number},
    )


@dataclass(frozen=True)
class Activation:
    account: PortalAccount
    created_identity: bool


def _link_identity(*, account: PortalAccount, password_hash: str | None) -> bool:
    """Attach the confirmed login address to its identity, creating it if there is none."""
    user = User.objects.select_for_update().filter(email=account.login_email).first()
    created = False
    if user is None:
        user = User(email=account.login_email, full_name=account.customer.display_name)
        if password_hash:
            user.password = password_hash
        else:
            user.set_unusable_password()
        user.save()
        created = True
    elif PortalAccount.objects.filter(user=user).exclude(pk=account.pk).exists():
        raise MembershipError(
            _(
                "This email address is already used for another customer account. Register with another address."
            ),
            code="address_in_use",
        )
    account.user = user
    account.email_confirmed_at = timezone.now()
    account.pending_password = ""
    account.save(update_fields=["user", "email_confirmed_at", "pending_password"])
    return created


@transaction.atomic
def confirm_registration(*, raw_token: str, origin: Origin | None = None) -> Activation:
    token = consume_one_time_token(
        raw=raw_token, purpose=OneTimeToken.Purpose.CONFIRMATION, subject_prefix="portal_account:"
    )
    account = (
        PortalAccount.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=subject_id(token))
        .first()
    )
    if account is None or account.login_email != token.email or account.status == PortalAccount.Status.ACTIVE:
        raise TokenError("token_invalid")
    created = _link_identity(account=account, password_hash=account.pending_password)
    record_event(
        customer=account.customer,
        kind=Kind.CONFIRMED,
        actor=Actor.RESIDENT,
        actor_user=account.user,
        origin=origin,
        data={"new_identity": created},
    )
    return Activation(account=account, created_identity=created)


def pending_account_for(email: str) -> PortalAccount | None:
    return (
        PortalAccount.objects.select_related("customer")
        .filter(login_email__iexact=normalise_email(email), user__isnull=True)
        .first()
    )


@transaction.atomic
def invite_customer(
    *, organisation, customer: Customer, staff_user, email: str | None = None, origin=None
) -> None:
    """Staff send a customer a single-use link to activate a portal account."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if email:
        customer.email = checked_email(normalise_email(email))
        customer.save(update_fields=["email", "updated_at"])
    if not customer.email:
        raise MembershipError(
            _("This customer has no email address. Add one to send an invitation."),
            code="no_email",
            field="email",
        )
    account = PortalAccount.objects.filter(customer=customer).first()
    if account is not None and account.status == PortalAccount.Status.ACTIVE:
        raise MembershipError(
            _("This customer already has an active portal account."), code="already_registered"
        )
    issued = issue_one_time_token(
        purpose=OneTimeToken.Purpose.INVITATION,
        subject=f"customer:{customer.pk}",
        email=normalise_email(customer.email),
    )
    queue_email(
        template="portal_invitation",
        to=issued.token.email,
        language=customer_language(customer, organisation),
        organisation=organisation,
        context={
            "activation_url": portal_link(organisation, f"/activate/{issued.raw}"),
            "customer_name": customer.display_name,
            "customer_number": customer.customer_number,
            "expires_at": issued.token.expires_at,
        },
    )
    record_event(
        customer=customer,
        kind=Kind.INVITATION_SENT,
        actor=Actor.STAFF,
        actor_user=staff_user,
        origin=origin,
        data={"email": issued.token.email},
    )


def invitation_needs_password(*, raw_token: str) -> dict:
    token = check_one_time_token(
        raw=raw_token, purpose=OneTimeToken.Purpose.INVITATION, subject_prefix="customer:"
    )
    customer = Customer.objects.get(pk=subject_id(token))
    return {
        "email": token.email,
        "customer_number": customer.customer_number,
        "needs_password": not User.objects.filter(email=token.email).exists(),
        "expires_at": token.expires_at,
    }


@transaction.atomic
def accept_portal_invitation(
    *, organisation, raw_token: str, password: str | None, language: str | None = None, origin=None
) -> Activation:
    """Activate the portal account the invitation was for; the link proves the address."""
    token = consume_one_time_token(
        raw=raw_token, purpose=OneTimeToken.Purpose.INVITATION, subject_prefix="customer:"
    )
    customer = Customer.objects.select_for_update().filter(pk=subject_id(token)).first()
    if customer is None:
        raise TokenError("token_invalid")
    account = PortalAccount.objects.select_for_update().filter(customer=customer).first()
    if account is not None and account.status == PortalAccount.Status.ACTIVE:
        raise MembershipError(
            _("This customer already has an active portal account."), code="already_registered"
        )
    # One login address per portal account here (a database constraint): refuse before saving
    # rather than fail on it. The link stays usable (nothing is committed) once the clash is solved.
    if PortalAccount.objects.filter(login_email__iexact=token.email).exclude(customer=customer).exists():
        raise MembershipError(
            _(
                "This email address is already used to log in for another customer account. Ask us "
                "to send the invitation to another address."
            ),
            code="address_in_use",
        )
    password_hash = None
    if not User.objects.filter(email=token.email).exists():
        if not password:
            raise MembershipError(_("Choose a password."), code="password_required", field="password")
        checked_password(password, email=token.email, full_name=customer.display_name)
        password_hash = make_password(password)
    account = account or PortalAccount(customer=customer)
    account.login_email = token.email
    account.language = language or customer_language(customer, organisation)
    account.registered_at = timezone.now()
    account.save()
    created = _link_identity(account=account, password_hash=password_hash)
    record_event(
        customer=customer,
        kind=Kind.INVITATION_ACCEPTED,
        actor=Actor.RESIDENT,
        actor_user=account.user,
        origin=origin,
    )
    return Activation(account=account, created_identity=created)
