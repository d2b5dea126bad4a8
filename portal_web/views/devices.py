"""My signed-in devices (page): the browsers and API clients signed in with my account here; sign
one out, or all but this one (self_service.devices, the same services as the API)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from activity.services import Origin
from core.errors import RuleViolation
from self_service.devices import CurrentDevice, sign_out_device, sign_out_other_devices, signed_out_message
from self_service.selectors import signed_in_devices

from ..access import resident_required

PAGE = "/my-details/devices/"


def _sign_out(request) -> None:
    """The POST of one of the page's forms: a device's button, or "all other devices"."""
    account, current, origin = request.resident.portal_account, CurrentDevice.of(request), Origin.of(request)
    try:
        if request.POST.get("action") == "others":
            ended = sign_out_other_devices(account=account, current=current, origin=origin)
            messages.success(request, signed_out_message(ended.devices))
        else:
            ended = sign_out_device(
                account=account, key_id=request.POST.get("device", ""), current=current, origin=origin
            )
            messages.success(request, _("%(device)s was signed out.") % {"device": ended.label})
    except RuleViolation as refused:
        messages.error(request, refused.message)


@resident_required
def devices_page(request):
    if request.resident.impersonating:
        messages.error(request, _("This cannot be done while logged in as the customer."))
        return redirect("/my-details/")
    if request.method == "POST":
        _sign_out(request)
        return redirect(PAGE)
    devices = signed_in_devices(
        user=request.resident.portal_account.user, current_token_id=CurrentDevice.of(request).token_id
    )
    return render(
        request,
        "portal/devices.html",
        {"devices": devices, "others": any(not device.current for device in devices), "page": "my_details"},
    )
