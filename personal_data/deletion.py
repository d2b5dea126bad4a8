"""Delete my account: the resident asks (password), confirms with the emailed link, and the portal
account and the personal data the organisation does not need are removed (personal_data.erasure).

Nothing is deleted by asking, nor by opening the link (mail scanners follow links): only the
confirmation (a POST with the link's token) removes. One waiting request per customer; asking again
sends a new link and the old one stops working. Staff acting as the resident cannot ask. The
customer and its billing data stay; the resident can register again with their customer number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import ActivityEvent
from activity.services import Origin, record_event
from communications.models import OutboundEmail
from communications.services import queue_email
from core.errors import RuleViolation
from credentials.models import OneTimeToken
from credentials.services import TokenError, consume_one_time_token, issue_one_time_token, subject_id
from memberships.models import PortalAccount
from memberships.services.common import portal_link

from .erasure import email_hash, erase_portal_account
from .models import DeletionRequest

Kind, Actor, Status = ActivityEvent.Kind, ActivityEvent.Actor, DeletionRequest.Status
SUBJECT = "account_deletion:"
REASON_MAX = 1000


class NoPendingDeletion(RuleViolation):
    def __init__(self):
        super().__init__(
            _("There is no deletion request waiting for confirmation."),
            code="no_pending_deletion",
            http_status=404,
        )


def _refuse_impersonation() -> RuleViolation:
    return RuleViolation(
        _("This cannot be done while logged in as the customer."),
        code="not_allowed_during_impersonation",
        http_status=403,
    )


def _pending(customer, *, lock: bool = True) -> DeletionRequest | None:
    queryset = DeletionRequest.objects.for_customer(customer).filter(status=Status.PENDING)
    return (queryset.select_for_update() if lock else queryset).first()


def _close(request: DeletionRequest, status: str, **fields) -> None:
    """A request that is over keeps no address; its link stops working."""
    request.status, request.email = status, ""
    for name, value in fields.items():
        setattr(request, name, value)
    request.save()
    OneTimeToken.objects.filter(subject=f"{SUBJECT}{request.pk}").delete()


def _checked_reason(*, account: PortalAccount, password: str, reason: str, impersonating: bool) -> str:
    if impersonating:
        raise _refuse_impersonation()
    if account.user is None or not account.user.check_password(password or ""):
        raise RuleViolation(
            _("Your current password is not correct."), code="wrong_password", field="password"
        )
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise RuleViolation(
            _("Keep the reason under %(limit)s characters.") % {"limit": REASON_MAX},
            code="max_length",
            field="reason",
        )
    return reason


def _send_link(request: DeletionRequest, account: PortalAccount, *, organisation) -> None:
    """A new link (older ones stop working); the request waits as long as it lives."""
    issued = issue_one_time_token(
        purpose=OneTimeToken.Purpose.ACCOUNT_DELETION,
        subject=f"{SUBJECT}{request.pk}",
        email=account.login_email,
    )
    request.expires_at = issued.token.expires_at
    request.save(update_fields=["expires_at"])
    queue_email(
        template="account_deletion_confirm",
        to=account.login_email,
        language=account.language,
        organisation=organisation,
        context={
            "customer_name": account.customer.display_name,
            "confirm_url": portal_link(organisation, f"/delete-account/confirm/{issued.raw}/"),
            "expires_at": issued.token.expires_at,
            "cancel_url": portal_link(organisation, "/my-details/delete-account/"),
        },
    )


@transaction.atomic
def request_deletion(
    *,
    account: PortalAccount,
    password: str,
    reason: str = "",
    organisation,
    impersonating: bool,
    origin: Origin | None = None,
) -> DeletionRequest:
    """Email the resident a link to confirm the deletion (48 h); nothing is removed yet."""
    reason = _checked_reason(account=account, password=password, reason=reason, impersonating=impersonating)
    customer = account.customer
    request = _pending(customer) or DeletionRequest(customer=customer)
    request.account, request.email = account, account.login_email
    request.email_hash, request.language, request.reason = (
        email_hash(account.login_email),
        account.language,
        reason,
    )
    request.expires_at = timezone.now()  # set from the link
    request.save()
    _send_link(request, account, organisation=organisation)
    record_event(
        customer=customer,
        kind=Kind.DELETION_REQUESTED,
        actor=Actor.RESIDENT,
        actor_user=account.user,
        origin=origin,
        data={"request": request.pk},
    )
    return request


@dataclass(frozen=True)
class Deleted:
    request: DeletionRequest
    identity_deleted: bool


def _request_of_token(raw_token: str) -> tuple[DeletionRequest, PortalAccount]:
    token = consume_one_time_token(
        raw=raw_token, purpose=OneTimeToken.Purpose.ACCOUNT_DELETION, subject_prefix=SUBJECT
    )
    request = (
        DeletionRequest.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=subject_id(token), status=Status.PENDING)
        .first()
    )
    account = (
        PortalAccount.objects.select_for_update(of=("self",))
        .select_related("customer", "user")
        .filter(pk=request.account_id if request else None, customer_id=getattr(request, "customer_id", None))
        .first()
    )
    if request is None or account is None or account.login_email.lower() != request.email.lower():
        # The account was reset, or its address changed, since the link was sent.
        raise TokenError("token_invalid")
    return request, account


@transaction.atomic
def confirm_deletion(*, raw_token: str, organisation, origin: Origin | None = None) -> Deleted:
    """The emailed link's owner confirms: remove the account and the data not kept, in this
    transaction (files after commit), log it, and say goodbye to the address before forgetting it."""
    request, account = _request_of_token(raw_token)
    customer, address, language = account.customer, account.login_email, account.language
    record_event(customer=customer, kind=Kind.DELETION_CONFIRMED, actor=Actor.RESIDENT, origin=origin)
    erased = erase_portal_account(account=account)
    now = timezone.now()
    _close(request, Status.COMPLETED, completed_at=now, removed=erased.removed, account=None)
    request.identity_deleted = erased.identity_deleted
    request.save(update_fields=["identity_deleted"])
    record_event(
        customer=customer,
        kind=Kind.ACCOUNT_DELETED,
        actor=Actor.RESIDENT,
        data={"request": request.pk, "removed": erased.removed},
    )
    queue_email(
        template="account_deleted",
        to=address,
        language=language,
        organisation=organisation,
        context={
            "customer_name": customer.display_name,
            "customer_number": customer.customer_number,
            "register_url": portal_link(organisation, "/register/"),
        },
    )
    return Deleted(request=request, identity_deleted=erased.identity_deleted)


@transaction.atomic
def cancel_deletion(
    *, customer, by: str, actor_user=None, impersonating: bool = False, origin: Origin | None = None
) -> DeletionRequest:
    """Call off the waiting request (the resident, or staff with ``by="staff"``); the link dies."""
    if impersonating:
        raise _refuse_impersonation()
    request = _pending(customer)
    if request is None:
        raise NoPendingDeletion()
    _close(request, Status.CANCELLED, cancelled_at=timezone.now(), cancelled_by=by)
    record_event(
        customer=customer,
        kind=Kind.DELETION_CANCELLED,
        actor=Actor.STAFF if by == "staff" else Actor.RESIDENT,
        actor_user=actor_user,
        origin=origin,
        data={"request": request.pk},
    )
    return request


@transaction.atomic
def expire_deletions(*, now=None) -> int:
    """Requests whose link ran out: expired, without address; and the goodbye emails once sent or
    given up, the last place the address was kept (run hourly in every organisation)."""
    now = now or timezone.now()
    stale = list(
        DeletionRequest.objects.select_for_update().filter(status=Status.PENDING, expires_at__lte=now)
    )
    for request in stale:
        _close(request, Status.EXPIRED)
    OutboundEmail.objects.filter(template="account_deleted").filter(
        Q(sent_at__isnull=False) | Q(gave_up_at__isnull=False)
    ).delete()
    return len(stale)
