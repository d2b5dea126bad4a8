"""The page a browser gets from a suspended organisation or an inactive portal (tenants.middleware)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def portal_unavailable(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Every path of the host: the organisation's name, logo and colours, and why nothing else shows.

    The status is the one the API answers with (403 suspended, 503 inactive); never cached, so that
    the portal shows again on the next request once it is back.
    """
    unavailable = request.portal_unavailable
    name = request.organisation.name
    if unavailable.code == "organisation_suspended":
        title = _("This portal has been suspended")
        text = _("The customer portal of {name} is not available.").format(name=name)
    else:
        title = _("This portal is not open at the moment")
        text = _(
            "The customer portal of {name} is not available at the moment. Please try again later."
        ).format(name=name)
    response = render(
        request, "portal/unavailable.html", {"title": title, "text": text}, status=unavailable.status
    )
    response["Cache-Control"] = "no-store"
    return response
