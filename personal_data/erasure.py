"""Removing a resident's portal account and the personal data the organisation does not need to keep.

Runs inside the deletion's transaction (personal_data.deletion.confirm_deletion), in the
organisation's schema. What goes: the portal account and its login here, the identity's tokens,
one-time links, browser sessions and reset requests here (unless the identity is also staff here), notification
choices and the sent-log, data archives with their files (after commit), move-in drafts of the
person, the pending registrations of the customer, the phone number the resident entered in the
portal, the outbox's copies of the emails to the address; in the customer's activity log the IP
addresses, browsers and the resident's address. What stays: the customer record, contracts,
invoices, payments, meter readings and consumption (billing and accounting law), and the activity
log's events themselves.

The identity (``accounts.User``, public schema, shared by every organisation) is deleted only when
nothing refers to it any more, in any schema: no membership elsewhere, no platform operator, no row
of any table (found through the database catalogue, so a new table cannot be forgotten).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from communications.models import OutboundEmail
from core.storage import delete_after_commit
from credentials.models import AccessToken, OneTimeToken
from credentials.services import delete_user_sessions
from integration.changes import record_change
from integration.models import PortalChange
from memberships.models import (
    AccountEmailRequest,
    AddressInUseRegistration,
    ImpersonationSession,
    PortalAccount,
    StaffMembership,
)
from memberships.services.impersonation import stop_impersonation
from moves.move_in import delete_drafts_of
from notifications.models import NotificationPreference, SentNotification

from .models import DataExport

User = get_user_model()
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+$")


def email_hash(email: str) -> str:
    """A keyed hash of an address: staff can tell whether two requests came from one address
    without the address being kept."""
    return hmac.new(settings.SECRET_KEY.encode(), email.strip().lower().encode(), "sha256").hexdigest()


@dataclass
class Erased:
    removed: dict = field(default_factory=dict)
    identity_deleted: bool = False


def _count(erased: Erased, name: str, number: int) -> None:
    if number:
        erased.removed[name] = erased.removed.get(name, 0) + number


def _end_credentials(erased: Erased, account: PortalAccount, *, staff_here: bool) -> None:
    customer, user = account.customer, account.user
    for session in ImpersonationSession.objects.select_for_update(of=("self",)).filter(
        customer=customer, ended_at__isnull=True
    ):
        stop_impersonation(session=session, by="account_deleted")
    subjects = [f"portal_account:{account.pk}", f"customer:{customer.pk}"]
    if user is not None and not staff_here:
        _count(erased, "api_tokens", AccessToken.objects.filter(user=user).delete()[0])
        _count(erased, "sessions", delete_user_sessions(user=user))
        subjects.append(f"user:{user.pk}")
    if not staff_here:
        # Reset and resend requests keep the address and an IP for 30 days: not past the account.
        requests = AccountEmailRequest.objects.filter(email__iexact=account.login_email)
        _count(erased, "account_requests", requests.delete()[0])
    deleted, _rows = OneTimeToken.objects.filter(subject__in=subjects).delete()
    _count(erased, "one_time_links", deleted)
    _count(
        erased,
        "pending_registrations",
        AddressInUseRegistration.objects.filter(customer=customer).delete()[0],
    )


def _forget_exports(erased: Erased, customer) -> None:
    exports = list(DataExport.objects.for_customer(customer).select_for_update())
    for export in exports:
        if export.file:
            delete_after_commit(export.file.name, storage=export.file.storage)
    DataExport.objects.filter(pk__in=[export.pk for export in exports]).delete()
    _count(erased, "data_exports", len(exports))


def _entered_phone(customer) -> bool:
    """The customer's phone number is the one the resident last entered in the portal."""
    latest = (
        ActivityEvent.objects.for_customer(customer)
        .filter(kind=ActivityEvent.Kind.DETAILS_CHANGED, data__changes__has_key="phone")
        .first()
    )
    return bool(latest and customer.phone and latest.data["changes"]["phone"].get("to") == customer.phone)


def _forget_entered_details(erased: Erased, customer) -> None:
    if not _entered_phone(customer):
        return
    previous = customer.phone
    customer.phone = ""
    customer.save(update_fields=["phone", "updated_at"])
    record_change(
        kind=PortalChange.Kind.CUSTOMER_DETAILS,
        customer=customer,
        data={"changes": {"phone": {"from": previous, "to": ""}}, "reason": "portal_account_deleted"},
    )
    _count(erased, "contact_details", 1)


def _scrubbed(value, addresses: set[str], phone: str):
    if isinstance(value, dict):
        return {key: _scrubbed(item, addresses, phone) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, addresses, phone) for item in value]
    if isinstance(value, str) and (value.strip().lower() in addresses or (phone and value == phone)):
        return ""
    return value


def _addresses_in_log(events: list[ActivityEvent], known: set[str]) -> set[str]:
    """The resident's addresses the log names: the login, and every address an email change or a
    registration of this customer wrote into it."""
    addresses = {address.strip().lower() for address in known if address}
    for event in events:
        if event.actor == ActivityEvent.Actor.STAFF:
            continue
        for key in ("to", "from", "login_email", "email"):
            value = event.data.get(key) if isinstance(event.data, dict) else None
            if isinstance(value, str) and EMAIL_SHAPE.match(value):
                addresses.add(value.strip().lower())
    return addresses


def _anonymise_activity(erased: Erased, account: PortalAccount, *, phone: str) -> set[str]:
    """IP addresses and browsers go from every event of the customer, and the resident's own address
    and identity from the events they caused; staff's own names stay (who did what for them)."""
    customer, user = account.customer, account.user
    events = list(ActivityEvent.objects.for_customer(customer).select_for_update())
    addresses = _addresses_in_log(events, {account.login_email, getattr(user, "email", "")})
    for event in events:
        event.ip, event.user_agent = None, ""
        if (user is not None and event.actor_user_id == user.pk) or (
            event.actor_email.strip().lower() in addresses
        ):
            event.actor_user, event.actor_email = None, ""
        event.data = _scrubbed(event.data, addresses, phone)
    ActivityEvent.objects.bulk_update(events, ["ip", "user_agent", "actor_user", "actor_email", "data"])
    _count(erased, "activity_entries_anonymised", len(events))
    return addresses


def _forget_sent_emails(erased: Erased, addresses: set[str]) -> None:
    """The outbox's copies of the emails to the resident's addresses (and any still waiting: there
    is no account left to write to). Not when such an address is a staff member's login here."""
    in_use = {email.lower() for email in StaffMembership.objects.values_list("email", flat=True)}
    wanted = Q()
    for address in addresses - in_use:
        wanted |= Q(to__iexact=address)
    if wanted:
        _count(erased, "emails", OutboundEmail.objects.filter(wanted).delete()[0])


def _user_references() -> list[tuple[str, str, str]]:
    """Every (schema, table, column) with a foreign key to the identities' table, from the catalogue."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname, a.attname FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(k.conkey) "
            "WHERE k.contype = 'f' AND k.confrelid = %s::regclass",
            [f"{settings.PUBLIC_SCHEMA_NAME}.{User._meta.db_table}"],
        )
        return list(cursor.fetchall())


def identity_still_used(user) -> bool:
    """Anything, in any schema, still refers to the identity (memberships, logs, tokens, decisions)."""
    if user.is_platform_operator:
        return True
    references = _user_references()
    if not references:
        return False
    quote = connection.ops.quote_name
    parts = [
        f"(SELECT 1 FROM {quote(schema)}.{quote(table)} WHERE {quote(column)} = %s LIMIT 1)"  # noqa: S608 - names from the catalogue
        for schema, table, column in references
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " LIMIT 1", [user.pk] * len(parts))
        return cursor.fetchone() is not None


def _delete_identity(user) -> bool:
    """Delete the identity when nothing uses it any more; its public-schema tokens and sessions
    first. The foreign keys are checked at once (not at commit), so a reference that appeared
    meanwhile keeps the identity instead of failing the deletion."""
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        AccessToken.objects.filter(Q(user=user) | Q(impersonated_by=user)).delete()
        delete_user_sessions(user=user)
        OneTimeToken.objects.filter(subject=f"user:{user.pk}").delete()
    if identity_still_used(user):
        return False
    table = connection.ops.quote_name(User._meta.db_table)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                f"DELETE FROM {connection.ops.quote_name(settings.PUBLIC_SCHEMA_NAME)}.{table} WHERE id = %s",  # noqa: S608 - names from _meta
                [user.pk],
            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    except IntegrityError:
        return False
    return True


def erase_portal_account(*, account: PortalAccount) -> Erased:
    """Remove the account and what the portal keeps about the person here (see the module's text).

    Call inside a transaction with the account's row locked; files go after commit."""
    erased = Erased()
    customer, user = account.customer, account.user
    staff_here = user is not None and StaffMembership.objects.filter(user=user).exists()
    _end_credentials(erased, account, staff_here=staff_here)
    _forget_exports(erased, customer)
    _count(erased, "move_in_drafts", delete_drafts_of(customer=customer, email=account.login_email))
    _count(
        erased,
        "notification_choices",
        NotificationPreference.objects.filter(account=account).delete()[0],
    )
    SentNotification.objects.filter(account=account).delete()
    phone = customer.phone if _entered_phone(customer) else ""
    _forget_entered_details(erased, customer)
    addresses = _anonymise_activity(erased, account, phone=phone)
    if not staff_here:
        _forget_sent_emails(erased, addresses)
    account.delete()
    _count(erased, "portal_account", 1)
    if user is not None and not staff_here:
        erased.identity_deleted = _delete_identity(user)
    return erased
