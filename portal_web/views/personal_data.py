"""My data (pages): ask for the archive of everything the portal holds about me, see how far it
got, and download it once with the link from the email (personal_data.services)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import RuleViolation
from personal_data import selectors, services

from ..access import resident_required


def _refuse_impersonation(request):
    messages.error(request, _("This cannot be done while logged in as the customer."))
    return redirect("/my-details/")


@resident_required
def my_data_page(request):
    if request.resident.impersonating:
        return _refuse_impersonation(request)
    if request.method == "POST":
        services.request_export(account=request.resident.portal_account)
        messages.success(request, _("Your archive is being prepared. We will email you when it is ready."))
        return redirect("/my-details/data/")
    latest = selectors.latest_export(customer=request.resident.customer)
    return render(
        request,
        "portal/my_data.html",
        {"latest": latest, "page": "my_details", "refresh": latest is not None and latest.in_progress},
    )


@resident_required
def my_data_download(request, key: str):
    if request.resident.impersonating:
        return _refuse_impersonation(request)
    try:
        export = services.claim_download(customer=request.resident.customer, raw_key=key)
    except RuleViolation as refused:
        messages.error(request, refused.message)
        return redirect("/my-details/data/")
    if not export.file:
        raise Http404
    response = FileResponse(
        export.file.open("rb"), as_attachment=True, filename=export.file.name.rsplit("/", 1)[-1]
    )
    response["Cache-Control"] = "no-store"
    return response
