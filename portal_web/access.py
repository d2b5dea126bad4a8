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
from memberships.residents import IMPERSONATION_LANGUAGE_KEY, ImpersonationEnded, resolve_resident

__all__ = ["IMPERSONATION_LANGUAGE_KEY", "load_resident", "resident_required", "safe_next", "safe_target"]


def load_resident(request) -> bool:
    """Keep the resident behind the session as ``request.resident`` (memberships.residents, as the
    API does) and answer in their language; False when the visitor is not a resident.

    An impersonation that has ended logs the browser out.
    """
    request.resident = None
    if getattr(request, "organisation", None) is None:
        return False
    try:
        resident = resolve_resident(user=request.user, session=request.session)
    except ImpersonationEnded:
        logout(request)
        messages.info(request, _("The impersonation session has ended."))
        return False
    if resident is None:
        return False
    request.resident = resident
    use_language(request, resident.language)
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
