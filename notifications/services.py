"""Sending a notification at most once, and the residents' and organisation's choices."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from communications.models import OutboundEmail
from communications.services import queue_email
from memberships.models import PortalAccount
from tenants.selectors import portal_base_url

from .kinds import COMPARISONS, KINDS, UPDATE_KINDS
from .models import NotificationDefaults, NotificationPreference, SentNotification
from .selectors import wants
from .unsubscribe import make_token, read_token


class UnknownKind(ValueError):
    """A kind that is not in notifications.kinds."""


class UnknownComparison(ValueError):
    """A usage-alert comparison that is not in notifications.kinds.COMPARISONS."""


def _check_comparison(comparison: str | None) -> None:
    if comparison is not None and comparison not in COMPARISONS:
        raise UnknownComparison(comparison)


def notify(*, organisation, account: PortalAccount, kind: str, key: str, context: dict) -> bool:
    """Queue the email of ``kind`` for ``key`` unless it was decided before; True if one was queued.

    The sent-log row and the outbox email are written in one transaction: both or neither. A kind
    the resident turned off is logged too, so turning it on later does not send old news.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                sent = SentNotification.objects.create(key=key, kind=kind, account=account)
        except IntegrityError:
            return False
        if not wants(account, kind):
            return False
        base = portal_base_url(organisation)
        sent.email = queue_email(
            template=f"notification_{kind}",
            to=account.login_email,
            language=account.language,
            organisation=organisation,
            context={
                **context,
                "customer_name": account.customer.display_name,
                "invoices_url": f"{base}/invoices/",
                "transactions_url": f"{base}/transactions/",
                "consumption_url": f"{base}/consumption/",
                "unsubscribe_url": unsubscribe_url(base, account=account, kind=kind),
            },
        )
        sent.save(update_fields=["email"])
    return True


def unsubscribe_url(base: str, *, account: PortalAccount, kind: str) -> str:
    """The one-click link (on the portal at ``base``) that turns ``kind`` off for ``account`` only."""
    token = make_token(account=account, kind=kind)
    return f"{base}/notifications/unsubscribe/{token}/"


def send_update(
    *,
    organisation,
    customer_id: int | None,
    kind: str,
    template: str,
    to: str,
    language: str,
    context: dict,
) -> OutboundEmail | None:
    """A move or ticket update (``kind`` in UPDATE_KINDS), the one rule for both: a customer with a
    portal account gets it only while the kind is on for them, in their account's language, with
    the kind's one-click unsubscribe link; anyone else (no customer, no confirmed account) cannot
    choose, so gets it always. Returns the queued email, or None when the resident turned it off."""
    if kind not in UPDATE_KINDS:
        raise UnknownKind(kind)
    account = (
        PortalAccount.objects.filter(customer_id=customer_id, user__isnull=False).first()
        if customer_id is not None
        else None
    )
    if account is None:
        return queue_email(
            template=template, to=to, language=language, organisation=organisation, context=context
        )
    if not wants(account, kind):
        return None
    return queue_email(
        template=template,
        to=to,
        language=account.language,
        organisation=organisation,
        context={
            **context,
            "unsubscribe_url": unsubscribe_url(portal_base_url(organisation), account=account, kind=kind),
        },
    )


@transaction.atomic
def set_preferences(
    *,
    account: PortalAccount,
    choices: dict[str, bool],
    usage_threshold: int | None = None,
    usage_comparison: str | None = None,
) -> None:
    """Store the resident's choice for each kind named (the others keep theirs), and their
    usage-alert threshold in percent and comparison (last_year, similar_homes, both) if given."""
    _check_comparison(usage_comparison)
    for kind, enabled in choices.items():
        if kind not in KINDS:
            raise UnknownKind(kind)
        NotificationPreference.objects.update_or_create(
            account=account, kind=kind, defaults={"enabled": bool(enabled)}
        )
    usage = {
        field: value
        for field, value in (("threshold", usage_threshold), ("comparison", usage_comparison))
        if value is not None
    }
    if usage:
        NotificationPreference.objects.update_or_create(
            account=account,
            kind="usage_alert",
            defaults=usage,
            create_defaults={**usage, "enabled": wants(account, "usage_alert")},
        )


@transaction.atomic
def set_defaults(
    *,
    enabled: dict[str, bool] | None = None,
    reminder_days: int | None = None,
    usage_threshold: int | None = None,
    usage_comparison: str | None = None,
) -> NotificationDefaults:
    """The organisation's defaults, for residents who did not choose (staff preferences)."""
    _check_comparison(usage_comparison)
    NotificationDefaults.objects.get_or_create(pk=1)
    defaults = NotificationDefaults.objects.select_for_update().get(pk=1)
    if enabled is not None:
        unknown = set(enabled) - set(KINDS)
        if unknown:
            raise UnknownKind(sorted(unknown)[0])
        defaults.enabled = {**defaults.enabled, **{kind: bool(on) for kind, on in enabled.items()}}
    if reminder_days is not None:
        defaults.reminder_days = reminder_days
    if usage_threshold is not None:
        defaults.usage_threshold = usage_threshold
    if usage_comparison is not None:
        defaults.usage_comparison = usage_comparison
    defaults.save()
    return defaults


def unsubscribe_target(token: str) -> tuple[PortalAccount, str] | None:
    """The account and kind a link is for, or None if it is not valid here."""
    found = read_token(token)
    if found is None:
        return None
    account = PortalAccount.objects.select_related("customer").filter(pk=found[0]).first()
    return (account, found[1]) if account is not None else None


def unsubscribe(*, token: str) -> bool | None:
    """Turn off the link's kind for the link's account: True if it was on, False if already off,
    None for a link that is not valid here (RFC 8058: the POST of a one-click unsubscribe)."""
    target = unsubscribe_target(token)
    if target is None:
        return None
    account, kind = target
    was_on = wants(account, kind)
    set_preferences(account=account, choices={kind: False})
    return was_on
