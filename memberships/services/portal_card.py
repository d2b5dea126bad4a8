"""What staff do from a customer's portal card: resend, reset the password, reset the account."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import ActivityEvent
from activity.services import Origin, record_event
from communications.services import queue_email
from credentials.services import revoke_one_time_tokens, revoke_user_access_tokens

from ..errors import MembershipError
from ..models import ImpersonationSession, PortalAccount
from .common import portal_link
from .passwords import send_password_reset
from .registration import send_confirmation

Actor = ActivityEvent.Actor
Kind = ActivityEvent.Kind


def _account(customer, *, lock: bool = False) -> PortalAccount:
    queryset = PortalAccount.objects.select_related("customer", "user")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    account = queryset.filter(customer=customer).first()
    if account is None:
        raise MembershipError(_("This customer has no portal account."), code="no_account", http_status=409)
    return account


@transaction.atomic
def resend_confirmation(*, organisation, customer, staff_user, origin: Origin | None = None) -> None:
    account = _account(customer, lock=True)
    if account.status != PortalAccount.Status.NOT_CONFIRMED:
        raise MembershipError(
            _("This portal account is already confirmed."), code="already_confirmed", http_status=409
        )
    send_confirmation(account=account, organisation=organisation)
    record_event(
        customer=customer,
        kind=Kind.CONFIRMATION_SENT,
        actor=Actor.STAFF,
        actor_user=staff_user,
        origin=origin,
    )


@transaction.atomic
def send_reset_link(*, organisation, customer, staff_user, origin: Origin | None = None) -> None:
    account = _account(customer)
    if account.status != PortalAccount.Status.ACTIVE:
        raise MembershipError(
            _("This portal account is not confirmed yet; resend the confirmation instead."),
            code="not_confirmed",
            http_status=409,
        )
    send_password_reset(
        user=account.user,
        organisation=organisation,
        language=account.language,
        actor=Actor.STAFF,
        actor_user=staff_user,
        origin=origin,
    )


@transaction.atomic
def reset_account(*, organisation, customer, staff_user, origin: Origin | None = None) -> None:
    """Delete the portal account completely; the customer has to register again."""
    account = _account(customer, lock=True)
    now = timezone.now()
    live = ImpersonationSession.objects.filter(customer=customer, ended_at__isnull=True)
    for session in live.select_related("access_token"):
        if session.access_token is not None:
            session.access_token.delete()
    live.update(ended_at=now, ended_by="account_reset")
    if account.user is not None:
        revoke_user_access_tokens(user=account.user)
        revoke_one_time_tokens(subject=f"user:{account.user_id}")
    revoke_one_time_tokens(subject=f"portal_account:{account.pk}")
    revoke_one_time_tokens(subject=f"customer:{customer.pk}")
    login_email, language, had_identity = account.login_email, account.language, account.user_id is not None
    account.delete()
    record_event(
        customer=customer,
        kind=Kind.ACCOUNT_RESET,
        actor=Actor.STAFF,
        actor_user=staff_user,
        origin=origin,
        data={"login_email": login_email, "was_confirmed": had_identity},
    )
    queue_email(
        template="account_reset",
        to=login_email,
        language=language,
        organisation=organisation,
        context={
            "customer_name": customer.display_name,
            "register_url": portal_link(organisation, "/register"),
        },
    )
