"""Who the resident behind a request is: decided here once, for the API and the pages alike.

A request is a resident's when its user has a confirmed portal account in this organisation. It may
be a staff member acting as that resident: with an impersonation token (the API) or in a browser
session opened with an impersonation key (the pages, and the API with that session). An
impersonation that has ended refuses the request outright (``ImpersonationEnded``) rather than
letting it through as the resident. The resident API (portal_api.api.base) and the pages
(portal_web.access) both call ``resolve_resident`` and keep its answer as ``request.resident``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from .errors import MembershipError
from .models import ImpersonationSession, PortalAccount
from .selectors import confirmed_portal_account
from .services.impersonation import live_session_for_token, session_impersonation

if TYPE_CHECKING:
    from customers.models import Customer

# The language a staff member picked while impersonating: kept in their browser session only, so
# the customer's stored choice never changes behind their back.
IMPERSONATION_LANGUAGE_KEY = "impersonation_language"


class ImpersonationEnded(MembershipError):
    code = "impersonation_ended"
    http_status = 401

    def __init__(self):
        super().__init__(_("This impersonation session has ended."))


@dataclass(frozen=True)
class ResidentContext:
    """The resident a request acts for; ``impersonation`` is set when a staff member acts as them."""

    portal_account: PortalAccount
    customer: Customer
    impersonation: ImpersonationSession | None
    language: str

    @property
    def impersonating(self) -> bool:
        return self.impersonation is not None


def _impersonation(*, auth, session) -> ImpersonationSession | None:
    """The live impersonation behind the credentials; raises ImpersonationEnded for one that ended."""
    if getattr(auth, "impersonated_by_id", None) is not None:
        found = live_session_for_token(auth)
        if found is None:
            raise ImpersonationEnded()
        return found
    if auth is not None:  # any other token is the resident's own
        return None
    found = session_impersonation(session)
    if found is False:
        raise ImpersonationEnded()
    return found


def is_impersonating(*, auth=None, session=None) -> bool:
    """Whether the credentials are a staff member's acting as a resident (one that has ended is
    not: the resident views refuse it through ``resolve_resident``)."""
    if getattr(auth, "impersonated_by_id", None) is not None:
        return True
    return auth is None and bool(session_impersonation(session))


def resolve_resident(*, user, auth=None, session=None) -> ResidentContext | None:
    """The resident behind ``user`` with these credentials (``auth``: the API token, if any;
    ``session``: the browser session, if any), or None when the user is no resident here.

    Call it inside the organisation's schema. Raises ImpersonationEnded when the credentials belong
    to an impersonation that is over (it is closed on the way, see memberships.services.impersonation).
    """
    if user is None or not user.is_authenticated:
        return None
    impersonation = _impersonation(auth=auth, session=session)
    account = confirmed_portal_account(user=user)
    if account is None:
        return None
    language = account.language
    if impersonation is not None and auth is None and session is not None:
        language = session.get(IMPERSONATION_LANGUAGE_KEY) or language
    return ResidentContext(
        portal_account=account, customer=account.customer, impersonation=impersonation, language=language
    )
