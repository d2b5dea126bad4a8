"""Password reset by email link, password change when logged in, resend of the confirmation.

Resets and changes work on every kind of host: with ``organisation=None`` (the platform domain,
the public schema) nothing of an organisation's tables is touched and links point to the platform
domain.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import normalise_email
from activity.models import ActivityEvent
from activity.services import Origin, record_event
from communications.services import queue_email
from core.publishing import publish
from credentials.models import OneTimeToken
from credentials.services import (
    consume_one_time_token,
    issue_one_time_token,
    revoke_user_access_tokens,
    subject_id,
)

from ..errors import MembershipError
from ..models import AccountEmailRequest, PortalAccount, StaffMembership
from .common import checked_password, portal_link, supported_language
from .registration import pending_account_for, send_confirmation

User = get_user_model()
Actor = ActivityEvent.Actor
Kind = ActivityEvent.Kind


def request_account_email(*, kind: str, email: str, language: str, origin: Origin | None = None) -> None:
    """Store the request; a worker decides whether an email goes out (see AccountEmailRequest)."""
    request = AccountEmailRequest.objects.create(
        kind=kind, email=normalise_email(email)[:254], language=language, ip=(origin or Origin()).ip
    )
    schema_name = connection.schema_name
    transaction.on_commit(lambda: dispatch_account_request(schema_name=schema_name, request_id=request.pk))


def dispatch_account_request(*, schema_name: str, request_id: int) -> bool:
    from ..tasks import process_account_request  # the tasks import this module

    return publish(process_account_request, request_id, schema_name=schema_name)


def request_password_reset(*, organisation, email: str, language: str, origin: Origin | None = None) -> None:
    """Ask for a reset link on this host; answered the same whether or not the address is known."""
    if organisation is None:
        from .platform_reset import request_platform_reset  # platform_reset sends through this module

        request_platform_reset(email=email, language=language, origin=origin)
    else:
        request_account_email(
            kind=AccountEmailRequest.Kind.PASSWORD_RESET, email=email, language=language, origin=origin
        )


def _member_language(user, organisation) -> tuple[str, PortalAccount | None] | None:
    """(language, portal account) when ``user`` may use this organisation's portal; else None."""
    if organisation is None:
        return None
    account = PortalAccount.objects.select_related("customer").filter(user=user).first()
    if account is not None:
        return account.language, account
    if StaffMembership.objects.filter(user=user, status=StaffMembership.Status.ACTIVE).exists():
        return organisation.default_language, None
    return None


def send_password_reset(
    *, user, organisation, language: str, actor: str, actor_user=None, origin=None
) -> None:
    issued = issue_one_time_token(
        purpose=OneTimeToken.Purpose.PASSWORD_RESET, subject=f"user:{user.pk}", email=user.email
    )
    queue_email(
        template="password_reset",
        to=user.email,
        language=language,
        organisation=organisation,
        context={
            "reset_url": portal_link(organisation, f"/reset-password/{issued.raw}"),
            "expires_at": issued.token.expires_at,
        },
    )
    account = (
        PortalAccount.objects.select_related("customer").filter(user=user).first()
        if organisation is not None
        else None
    )
    if account is not None:
        record_event(
            customer=account.customer,
            kind=Kind.PASSWORD_RESET_REQUESTED,
            actor=actor,
            actor_user=actor_user,
            origin=origin,
        )


@transaction.atomic
def process_account_request(*, request_id: int, organisation) -> str:
    request = AccountEmailRequest.objects.select_for_update(skip_locked=True).filter(pk=request_id).first()
    if request is None or request.processed_at is not None:
        return "already_processed"
    outcome = "nothing_to_send"
    if request.kind == AccountEmailRequest.Kind.PASSWORD_RESET:
        user = User.objects.filter(email=request.email, is_active=True).first()
        membership = _member_language(user, organisation) if user else None
        if membership is not None:
            language, _account = membership
            send_password_reset(
                user=user,
                organisation=organisation,
                language=language,
                actor=Actor.ANONYMOUS,
                origin=Origin(ip=request.ip),
            )
            outcome = "sent"
    elif request.kind == AccountEmailRequest.Kind.RESEND_CONFIRMATION:
        account = pending_account_for(request.email)
        if account is not None:
            send_confirmation(account=account, organisation=organisation)
            record_event(
                customer=account.customer,
                kind=Kind.CONFIRMATION_SENT,
                actor=Actor.ANONYMOUS,
                origin=Origin(ip=request.ip),
            )
            outcome = "sent"
    request.processed_at = timezone.now()
    request.outcome = outcome
    request.save(update_fields=["processed_at", "outcome"])
    return outcome


def _language(user, organisation, fallback: str | None) -> str:
    """The member's language here; else the organisation's, or on the platform the visitor's."""
    membership = _member_language(user, organisation)
    if membership is not None:
        return membership[0]
    if organisation is not None:
        return organisation.default_language
    return supported_language(fallback) or settings.LANGUAGE_CODE


def _password_changed(
    *, user, organisation, language: str, origin, actor: str, kind: str, actor_user=None
) -> None:
    revoke_user_access_tokens(user=user)
    queue_email(template="password_changed", to=user.email, language=language, organisation=organisation)
    if organisation is None:
        return
    account = PortalAccount.objects.select_related("customer").filter(user=user).first()
    if account is not None:
        record_event(
            customer=account.customer, kind=kind, actor=actor, actor_user=actor_user or user, origin=origin
        )


@transaction.atomic
def reset_password(
    *,
    organisation,
    raw_token: str,
    new_password: str,
    origin: Origin | None = None,
    fallback_language: str | None = None,
):
    token = consume_one_time_token(
        raw=raw_token, purpose=OneTimeToken.Purpose.PASSWORD_RESET, subject_prefix="user:"
    )
    user = User.objects.select_for_update().get(pk=subject_id(token))
    checked_password(new_password, email=user.email, full_name=user.full_name, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _password_changed(
        user=user,
        organisation=organisation,
        language=_language(user, organisation, fallback_language),
        origin=origin,
        actor=Actor.RESIDENT,
        kind=Kind.PASSWORD_RESET_DONE,
    )
    return user


@transaction.atomic
def change_password(
    *,
    organisation,
    user,
    old_password: str,
    new_password: str,
    origin: Origin | None = None,
    fallback_language: str | None = None,
):
    if not user.check_password(old_password):
        raise MembershipError(
            _("Your current password is not correct."), code="wrong_password", field="old_password"
        )
    checked_password(new_password, email=user.email, full_name=user.full_name, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _password_changed(
        user=user,
        organisation=organisation,
        language=_language(user, organisation, fallback_language),
        origin=origin,
        actor=Actor.RESIDENT,
        kind=Kind.PASSWORD_CHANGED,
    )
    return user
