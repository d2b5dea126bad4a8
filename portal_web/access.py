"""Who is looking at a page: the resident behind the session, and any impersonation."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.locale import use_language
from memberships.selectors import confirmed_portal_account
from memberships.services.impersonation import session_impersonation

# The language a staff member picked while impersonating: kept in their browser session only, so
# the customer's stored choice never changes behind their back.
IMPERSONATION_LANGUAGE_KEY = "impersonation_language"


def load_resident(request) -> bool:
    """Attach portal_account, customer and impersonation to the request; False when not a resident."""
    request.portal_account = request.customer = request.impersonation = None
    if not request.user.is_authenticated or getattr(request, "organisation", None) is None:
        return False
    impersonation = session_impersonation(request.session)
    if impersonation is False:
        logout(request)
        messages.info(request, _("The impersonation session has ended."))
        return False
    account = confirmed_portal_account(user=request.user)
    if account is None:
        return False
    request.portal_account, request.customer, request.impersonation = account, account.customer, impersonation
    language = account.language
    if impersonation is not None:
        language = request.session.get(IMPERSONATION_LANGUAGE_KEY) or language
    use_language(request, language)
    return True


def resident_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not load_resident(request):
            return redirect(f"/login/?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def safe_target(request, target: str | None, default: str) -> str:
    """``target`` when it stays on this host (a path or this host's URL), else ``default``."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def safe_next(request, default: str = "/overview/", *, field: str = "next") -> str:
    """Where a form sends the visitor afterwards (``?next=`` or the form's field), never off-site."""
    return safe_target(request, request.POST.get(field) or request.GET.get(field), default)
