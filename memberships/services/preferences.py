"""A resident's own preferences on the portal account."""

from __future__ import annotations

from django.db import transaction

from activity.models import ActivityEvent
from activity.services import Origin, record_event

from ..models import PortalAccount


@transaction.atomic
def change_language(
    *, account: PortalAccount, language: str, actor_user, impersonating: bool, origin: Origin | None = None
) -> PortalAccount:
    if account.language != language:
        previous, account.language = account.language, language
        account.save(update_fields=["language"])
        record_event(
            customer=account.customer,
            kind=ActivityEvent.Kind.LANGUAGE_CHANGED,
            actor=ActivityEvent.Actor.IMPERSONATING_STAFF if impersonating else ActivityEvent.Actor.RESIDENT,
            actor_user=actor_user,
            origin=origin,
            data={"from": previous, "to": language},
        )
    return account
