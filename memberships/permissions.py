"""Who may call what on an organisation's domain: residents, staff by role, no impersonation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from core.locale import use_language

from . import residents
from .models import StaffMembership
from .residents import ResidentContext
from .selectors import active_staff_membership, confirmed_portal_account


class ImpersonationEnded(exceptions.AuthenticationFailed):
    """The API's answer to memberships.residents.ImpersonationEnded: a 401 like any spent credential."""

    default_detail = _("This impersonation session has ended.")
    default_code = "impersonation_ended"


def is_impersonating(request) -> bool:
    return residents.is_impersonating(auth=request.auth, session=getattr(request, "session", None))


def _resident_account(request):
    """The account of ``request.resident`` when a resident view resolved it, else the user's own
    confirmed portal account (login, password and token views serve residents and staff alike)."""
    resident = getattr(request, "resident", None)
    return resident.portal_account if resident else confirmed_portal_account(user=request.user)


def use_resident_language(request) -> None:
    """Answer a resident in the language stored on their portal account, not the browser's."""
    if getattr(request, "organisation", None) is None or not request.user.is_authenticated:
        return
    account = _resident_account(request)
    if account is not None:
        use_language(request, account.language)


class IsResident(BasePermission):
    """A confirmed portal account of this organisation acts (a pure check).

    Who the resident is was decided before any permission ran: the resident API's base view
    (portal_api.api.base) resolves it with memberships.residents and keeps it as ``request.resident``.
    """

    message = _("This requires a resident's portal account.")
    code = "not_a_resident"

    def has_permission(self, request, view) -> bool:
        return isinstance(getattr(request, "resident", None), ResidentContext)


class NotImpersonating(BasePermission):
    """Password, email address and advance payment stay the resident's own business."""

    message = _("This cannot be changed while logged in as the customer.")
    code = "not_allowed_during_impersonation"

    def has_permission(self, request, view) -> bool:
        resident = getattr(request, "resident", None)
        if resident is not None:
            return not resident.impersonating
        return not is_impersonating(request)


class StaffPermission(BasePermission):
    # People; the billing system's integration identity only reaches the integration API.
    roles: tuple[str, ...] = (
        StaffMembership.Role.ADMIN,
        StaffMembership.Role.STAFF,
        StaffMembership.Role.SUPPORT,
    )
    message = _("This requires a staff role that you do not have.")
    code = "permission_denied"

    def has_permission(self, request, view) -> bool:
        if (
            not (request.user and request.user.is_authenticated)
            or getattr(request, "organisation", None) is None
        ):
            return False
        if is_impersonating(request):
            return False
        membership = getattr(request, "staff_membership", None) or active_staff_membership(user=request.user)
        if membership is None or membership.role not in self.roles:
            return False
        request.staff_membership = membership
        return True


def staff_roles(*roles: str) -> type[StaffPermission]:
    return type("StaffRoles_" + "_".join(roles), (StaffPermission,), {"roles": tuple(roles)})


IsStaff = StaffPermission
IsStaffAdmin = staff_roles(StaffMembership.Role.ADMIN)
IsStaffOrAdmin = staff_roles(StaffMembership.Role.ADMIN, StaffMembership.Role.STAFF)
IsIntegration = staff_roles(StaffMembership.Role.INTEGRATION)
