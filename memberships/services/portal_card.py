"""What staff do from a customer's portal card: resend, reset the password, reset the account."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import normalise_email
from activity.models import ActivityEvent
from activity.services import Origin, record_event
from communications.services import queue_email
from credentials.services import delete_user_sessions, revoke_one_time_tokens, revoke_user_access_tokens

from ..errors import MembershipError
from ..models import AddressInUseRegistration, ImpersonationSession, PortalAccount, StaffMembership
from .common import portal_link
from .impersonation import stop_impersonation
from .passwords import send_password_reset
from .registration import send_confirmation

User = get_user_model()
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
    """Delete the portal account completely; the customer has to register again.

    Only the resident side goes: the account, its impersonations, its links, and, unless the
    identity is also an active staff member here, the identity's tokens, password-reset links and
    browser sessions in this organisation. A staff member's own credentials stay (their resident
    access ends with the account). The identity itself is kept: it may be used elsewhere (staff,
    another organisation), so after registering again the resident logs in with the password they
    already have; the reset email says so.
    """
    account = _account(customer, lock=True)
    for session in ImpersonationSession.objects.select_for_update(of=("self",)).filter(
        customer=customer, ended_at__isnull=True
    ):
        stop_impersonation(session=session, origin=origin, by="account_reset", actor_user=staff_user)
    user = account.user
    if (
        user is not None
        and not StaffMembership.objects.filter(user=user, status=StaffMembership.Status.ACTIVE).exists()
    ):
        revoke_user_access_tokens(user=user)
        revoke_one_time_tokens(subject=f"user:{user.pk}")
        delete_user_sessions(user=user)
    revoke_one_time_tokens(subject=f"portal_account:{account.pk}")
    revoke_one_time_tokens(subject=f"customer:{customer.pk}")
    AddressInUseRegistration.objects.filter(customer=customer).delete()
    login_email, language, had_identity = account.login_email, account.language, user is not None
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
            # The login of this address survives the reset: after registering again, the existing
            # password is the one to use (the one chosen when registering is not used).
            "identity_kept": had_identity or User.objects.filter(email=normalise_email(login_email)).exists(),
        },
    )
