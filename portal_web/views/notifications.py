"""The resident's choice of notification emails, and the one-click unsubscribe page of each email."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt

from notifications.kinds import COMPARISON_CHOICES, KINDS
from notifications.selectors import preferences_for, usage_comparison_for, usage_threshold_for
from notifications.services import set_preferences, unsubscribe, unsubscribe_target

from ..access import resident_required
from .form_view import FormPageView


class NotificationsForm(forms.Form):
    def __init__(self, *args, initial: dict[str, bool], threshold: int, comparison: str, **kwargs):
        super().__init__(*args, **kwargs)
        for key, kind in KINDS.items():
            self.fields[key] = forms.BooleanField(label=kind.label, required=False, initial=initial[key])
        self.fields["usage_threshold"] = forms.IntegerField(
            label=_lazy("Usage alert from this many percent above the comparison"),
            min_value=5,
            max_value=500,
            initial=threshold,
        )
        self.fields["usage_comparison"] = forms.ChoiceField(
            label=_lazy("Compare a month's consumption with"),
            choices=COMPARISON_CHOICES,
            initial=comparison,
        )


@method_decorator(resident_required, name="dispatch")
class NotificationsPage(FormPageView):
    template_name = "portal/password_form.html"
    success_message = _lazy("Your email choices were saved.")
    success_url = "/my-details/notifications/"

    def get_form(self):
        account = self.request.resident.portal_account
        return NotificationsForm(
            self.request.POST or None,
            initial=preferences_for(account),
            threshold=usage_threshold_for(account),
            comparison=usage_comparison_for(account),
        )

    def perform(self, form):
        choices = dict(form.cleaned_data)
        threshold = choices.pop("usage_threshold")
        comparison = choices.pop("usage_comparison")
        set_preferences(
            account=self.request.resident.portal_account,
            choices=choices,
            usage_threshold=threshold,
            usage_comparison=comparison,
        )

    def get_context_data(self, form):
        return {"form": form, "title": _("Email notifications"), "page": "my_details"}


notifications_page = NotificationsPage.as_view()


@csrf_exempt  # RFC 8058: mail clients POST the one-click unsubscribe without a session; the token decides
def unsubscribe_page(request, token: str):
    """Opening the link only asks (GET); the button, or the mail client's one-click POST, unsubscribes."""
    target = unsubscribe_target(token)
    if target is None:
        return render(
            request,
            "portal/notice.html",
            {"title": _("Link not valid"), "text": _("This unsubscribe link is not valid."), "error": True},
            status=404,
        )
    label = KINDS[target[1]].label
    if request.method != "POST":
        title = _("Stop the emails “%(kind)s”?") % {"kind": label}
        return render(request, "portal/confirm.html", {"title": title, "action": _("Unsubscribe")})
    unsubscribe(token=token)
    text = _(
        "You will no longer receive the emails “%(kind)s”. You can turn them on again in the portal."
    ) % {"kind": label}
    return render(request, "portal/notice.html", {"title": _("Unsubscribed"), "text": text})
