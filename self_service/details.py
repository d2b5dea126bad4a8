"""My details: a resident's contact details, addresses, preferences, and a confirmed email change."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import normalise_email
from activity.models import ActivityEvent
from activity.services import Origin, record_event
from communications.services import queue_email
from core.errors import RuleViolation
from credentials.models import OneTimeToken
from credentials.services import consume_one_time_token, issue_one_time_token, subject_id
from customers.models import Customer, CustomerAddress
from integration.changes import record_change
from integration.models import PortalChange
from memberships.models import PortalAccount
from memberships.services.common import portal_link
from memberships.services.login_email import (
    address_in_use,
    address_used_by_someone_else,
    move_login_email,
)

User = get_user_model()
ADDRESS_FIELDS = ("street", "house_number", "box", "postal_code", "city", "country")


def details_of(customer: Customer, account) -> dict:
    addresses = {
        address.kind: {name: getattr(address, name) for name in ADDRESS_FIELDS}
        for address in customer.addresses.all()
    }
    return {
        "customer_number": customer.customer_number,
        "kind": customer.kind,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company_name": customer.company_name,
        "vat_number": customer.vat_number,
        "email": account.login_email if account else customer.email,
        "phone": customer.phone,
        "billing_preference": customer.billing_preference,
        "language": account.language if account else customer.language,
        "addresses": {kind: addresses.get(kind) for kind in CustomerAddress.Kind.values},
    }


@transaction.atomic
def update_details(
    *,
    customer: Customer,
    account,
    changes: dict,
    actor_user,
    impersonating: bool,
    origin: Origin | None = None,
) -> dict:
    """Apply the changes; every changed value is logged (old and new) and sent to the billing system."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = details_of(customer, account)
    changed: dict = {}
    for name in ("phone", "billing_preference"):
        if name in changes and getattr(customer, name) != changes[name]:
            changed[name] = {"from": getattr(customer, name), "to": changes[name]}
            setattr(customer, name, changes[name])
    if "language" in changes and before["language"] != changes["language"]:
        changed["language"] = {"from": before["language"], "to": changes["language"]}
        customer.language = changes["language"]
        if account is not None:
            account.language = changes["language"]
            account.save(update_fields=["language"])
    customer.save()
    for kind, address in (changes.get("addresses") or {}).items():
        if address is None:
            if before["addresses"].get(kind) is not None:
                if kind == CustomerAddress.Kind.BILLING:
                    raise RuleViolation(
                        _("A billing address cannot be removed, only changed."),
                        code="required",
                        field="addresses",
                    )
                CustomerAddress.objects.filter(customer=customer, kind=kind).delete()
                changed[f"address_{kind}"] = {"from": before["addresses"][kind], "to": None}
            continue
        if before["addresses"].get(kind) != address:
            CustomerAddress.objects.update_or_create(customer=customer, kind=kind, defaults=address)
            changed[f"address_{kind}"] = {"from": before["addresses"].get(kind), "to": address}
    if changed:
        record_event(
            customer=customer,
            kind=ActivityEvent.Kind.DETAILS_CHANGED,
            actor=ActivityEvent.Actor.IMPERSONATING_STAFF if impersonating else ActivityEvent.Actor.RESIDENT,
            actor_user=actor_user,
            origin=origin,
            data={"changes": changed},
        )
        record_change(kind=PortalChange.Kind.CUSTOMER_DETAILS, customer=customer, data={"changes": changed})
    return details_of(customer, account)


@transaction.atomic
def request_email_change(
    *, account, new_email: str, password: str, organisation, origin: Origin | None = None
) -> None:
    """Send the new address a confirmation link; nothing changes until it is used.

    The answer and the database work are the same whether or not the address already has a login
    somewhere (else a resident could probe addresses): a link is issued either way (it also ends an
    earlier pending change), but an address in use gets a notice instead of the link, and only its
    owner could see that. Confirming refuses an address in use (``address_in_use``).
    """
    user = account.user
    if not user.check_password(password):
        raise RuleViolation(
            _("Your current password is not correct."), code="wrong_password", field="password"
        )
    new_email = normalise_email(new_email)
    if new_email == account.login_email:
        raise RuleViolation(_("This is already your email address."), code="unchanged", field="new_email")
    in_use = address_used_by_someone_else(email=new_email, user_id=user.pk)
    issued = issue_one_time_token(
        purpose=OneTimeToken.Purpose.EMAIL_CHANGE, subject=f"portal_account:{account.pk}", email=new_email
    )
    if in_use:
        queue_email(
            template="email_change_address_in_use",
            to=new_email,
            language=account.language,
            organisation=organisation,
            context={"new_email": new_email},
        )
    else:
        queue_email(
            template="email_change_confirm",
            to=new_email,
            language=account.language,
            organisation=organisation,
            context={
                "confirm_url": portal_link(organisation, f"/confirm-email/{issued.raw}"),
                "expires_at": issued.token.expires_at,
                "new_email": new_email,
            },
        )
    queue_email(
        template="email_change_notice",
        to=account.login_email,
        language=account.language,
        organisation=organisation,
        context={"new_email": new_email},
    )
    record_event(
        customer=account.customer,
        kind=ActivityEvent.Kind.EMAIL_CHANGE_REQUESTED,
        actor=ActivityEvent.Actor.RESIDENT,
        actor_user=user,
        origin=origin,
        data={"to": new_email, **({"address_in_use": True} if in_use else {})},
    )


@transaction.atomic
def confirm_email_change(*, raw_token: str, origin: Origin | None = None) -> str:
    """The new address proved itself: the identity, its logins in every organisation and this
    customer's contact address follow. Refused if someone else took the address meanwhile."""
    token = consume_one_time_token(
        raw=raw_token, purpose=OneTimeToken.Purpose.EMAIL_CHANGE, subject_prefix="portal_account:"
    )
    account = (
        PortalAccount.objects.select_for_update(of=("self",))
        .select_related("customer", "user")
        .filter(pk=subject_id(token))
        .first()
    )
    if account is None or account.user is None:
        raise RuleViolation(
            _("This link is not valid. Ask for a new one."), code="token_invalid", field="token"
        )
    user = User.objects.select_for_update().get(pk=account.user_id)
    if address_used_by_someone_else(email=token.email, user_id=user.pk):
        raise address_in_use("token")
    old = account.login_email
    move_login_email(user=user, email=token.email)
    account.login_email = token.email
    customer = account.customer
    customer.email = token.email
    customer.save(update_fields=["email", "updated_at"])
    record_event(
        customer=customer,
        kind=ActivityEvent.Kind.EMAIL_CHANGED,
        actor=ActivityEvent.Actor.RESIDENT,
        actor_user=user,
        origin=origin,
        data={"from": old, "to": token.email},
    )
    record_change(
        kind=PortalChange.Kind.CUSTOMER_DETAILS,
        customer=customer,
        data={"changes": {"email": {"from": old, "to": token.email}}},
    )
    return token.email
