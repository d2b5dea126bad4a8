"""My data (pages): ask for the archive of everything the portal holds about me, see how far it
got, and download it once with the link from the email (personal_data.services); delete my portal
account and confirm it with the emailed link (personal_data.deletion)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from activity.services import Origin
from core.errors import RuleViolation
from credentials.throttles import AuthIPThrottle
from personal_data import deletion, selectors, services

from .. import throttling
from ..access import resident_required
from .form_view import FormPageView


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


# -- delete my account ---------------------------------------------------------------------------
class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_lazy("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    reason = forms.CharField(
        label=_lazy("Why do you leave the portal?"),
        required=False,
        max_length=deletion.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy("It helps us improve the portal; it is kept with the record of the deletion."),
    )


class CancelForm(forms.Form):
    """Nothing to fill in: the button is the decision."""


@method_decorator(resident_required, name="dispatch")
class DeleteAccountPage(FormPageView):
    """What is removed and what is kept, then the password: an email with the confirmation link."""

    template_name = "portal/delete_account.html"
    throttles = (AuthIPThrottle,)
    success_url = "/my-details/delete-account/"

    def dispatch(self, request, *args, **kwargs):
        if request.resident.impersonating:
            return _refuse_impersonation(request)
        self.cancelling = request.method == "POST" and request.POST.get("form") == "cancel"
        return super().dispatch(request, *args, **kwargs)

    def get_form(self):
        data = self.request.POST if self.request.method == "POST" else None
        return CancelForm(data) if self.cancelling else DeleteAccountForm(data)

    def perform(self, form):
        resident, origin = self.request.resident, Origin.of(self.request)
        if self.cancelling:
            deletion.cancel_deletion(
                customer=resident.customer, by="resident", actor_user=self.request.user, origin=origin
            )
            self.success_message = _lazy("Your deletion request was cancelled. Your account stays.")
            return
        deletion.request_deletion(
            account=resident.portal_account,
            organisation=self.request.organisation,
            impersonating=resident.impersonating,
            origin=origin,
            **form.cleaned_data,
        )
        self.success_message = _lazy(
            "We sent you an email. Open its link and confirm to delete your account; nothing is deleted before."
        )

    def get_context_data(self, form):
        latest = selectors.latest_deletion(customer=self.request.resident.customer)
        pending = latest if latest is not None and latest.status == latest.Status.PENDING else None
        return {
            "page": "my_details",
            "form": form if not self.cancelling else DeleteAccountForm(),
            "pending": pending,
        }


delete_account_page = DeleteAccountPage.as_view()


def confirm_deletion_page(request, token: str):
    """The emailed link: opening it only asks; the button (POST) deletes (mail scanners follow links)."""
    throttled = throttling.check_post(request, [AuthIPThrottle])
    if throttled:
        return throttling.notice(request, throttled, back=request.path)
    if request.method != "POST":
        return render(request, "portal/delete_account_confirm.html", {})
    try:
        deletion.confirm_deletion(
            raw_token=token, organisation=request.organisation, origin=Origin.of(request)
        )
    except RuleViolation as exc:
        return render(
            request,
            "portal/notice.html",
            {"title": _("The account was not deleted"), "text": exc.message, "error": True},
        )
    logout(request)
    return render(
        request,
        "portal/notice.html",
        {
            "title": _("Your portal account was deleted"),
            "text": _(
                "Your invoices, contracts and meter readings stay with us as the law requires. "
                "You can register again at any time with your customer number."
            ),
        },
    )
