"""The pages behind the links of emails: confirm a registration or a new address, choose a new
password, activate a portal invitation, accept a staff invitation.

Each changes state only on a button press (POST), never on opening the link; the link's token is
checked by the service, which says what is wrong with it.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from activity.services import Origin
from core.errors import RuleViolation
from credentials.throttles import AuthIPThrottle, EmailChangeThrottle
from memberships.selectors import invitation_details
from memberships.services import passwords, registration
from memberships.services.staff import accept_staff_invitation
from self_service.details import confirm_email_change

from .. import throttling
from ..forms import ActivateForm, NewPasswordForm
from .form_view import FormPageView


def confirm_page(request, token: str):
    """Confirming changes state, so it happens on a button press (POST), never on opening the link."""
    throttled = throttling.check_post(request, [AuthIPThrottle])
    if throttled:
        return throttling.notice(request, throttled, back=request.path)
    if request.method == "POST":
        try:
            result = registration.confirm_registration(raw_token=token, origin=Origin.of(request))
        except RuleViolation as exc:
            return render(
                request,
                "portal/notice.html",
                {"title": _("Confirmation failed"), "text": exc.message, "error": True, "resend": True},
            )
        text = (
            _("Your email address is confirmed. You can log in now.")
            if result.created_identity
            else _(
                "Your email address is confirmed. Log in with the password you already use for this address."
            )
        )
        return render(
            request,
            "portal/notice.html",
            {"title": _("Email address confirmed"), "text": text, "login": True},
        )
    return render(
        request,
        "portal/confirm.html",
        {"action": _("Confirm my email address"), "title": _("Confirm your email address")},
    )


class ResetPage(FormPageView):
    """The link of a reset email; on the platform domain (``templates="accounts/platform"``) too."""

    form_class = NewPasswordForm
    throttles = (AuthIPThrottle,)

    def dispatch(self, request, token: str, *, templates: str = "portal"):
        self.token, self.templates = token, templates
        self.template_name = f"{templates}/password_form.html"
        return super().dispatch(request, token)

    def perform(self, form):
        passwords.reset_password(
            organisation=getattr(self.request, "organisation", None),
            raw_token=self.token,
            new_password=form.cleaned_data["new_password"],
            origin=Origin.of(self.request),
            fallback_language=self.request.LANGUAGE_CODE,
        )
        # A refused token's error is not a field's: apply_errors shows it once, above the form.

    def succeeded(self, result):
        return render(
            self.request,
            f"{self.templates}/notice.html",
            {
                "title": _("Password changed"),
                "login": True,
                "text": _("Your password was changed. Log in with your new password."),
            },
        )

    def get_context_data(self, form):
        return {"form": form, "title": _("Choose a new password"), "messages_page": "password"}


reset_page = ResetPage.as_view()


class ActivatePage(FormPageView):
    """A portal invitation: a password is asked only of someone who has no login yet."""

    template_name = "portal/activate.html"
    throttles = (AuthIPThrottle,)

    def dispatch(self, request, token: str):
        self.token = token
        try:
            self.details = registration.invitation_needs_password(raw_token=token)
        except RuleViolation as exc:
            return self.notice(_("This link cannot be used"), exc.message, error=True)
        return super().dispatch(request, token)

    def get_form(self):
        data = self.request.POST if self.request.method == "POST" else None
        return ActivateForm(data, needs_password=self.details["needs_password"])

    def perform(self, form):
        registration.accept_portal_invitation(
            organisation=self.request.organisation,
            raw_token=self.token,
            password=form.cleaned_data.get("password") or None,
            language=self.request.LANGUAGE_CODE,
            origin=Origin.of(self.request),
        )

    def succeeded(self, result):
        text = _("Your account is active. You can log in now.")
        return self.notice(_("Your account is active"), text, login=True)

    def get_context_data(self, form):
        return {"form": form, "details": self.details}


activate_page = ActivatePage.as_view()


class StaffInvitationPage(FormPageView):
    template_name = "portal/password_form.html"
    throttles = (AuthIPThrottle,)

    def dispatch(self, request, token: str):
        self.token = token
        try:
            self.needs_password = invitation_details(raw_token=token)["needs_password"]
        except RuleViolation:
            self.needs_password = True  # the service says what is wrong with the link when it is posted
        return super().dispatch(request, token)

    def get_form(self):
        data = self.request.POST if self.request.method == "POST" else None
        return ActivateForm(data, needs_password=self.needs_password)

    def perform(self, form):
        accept_staff_invitation(raw_token=self.token, password=form.cleaned_data.get("password") or None)

    def succeeded(self, result):
        text = _("You can now log in to the administration with this email address.")
        return self.notice(_("Invitation accepted"), text)

    def get_context_data(self, form):
        return {"form": form, "title": _("Accept the invitation")}


staff_invitation_page = StaffInvitationPage.as_view()


def confirm_email_page(request, token: str):
    throttled = throttling.check_post(request, [EmailChangeThrottle])
    if throttled:
        return throttling.notice(request, throttled, back=request.path)
    if request.method == "POST":
        try:
            email = confirm_email_change(raw_token=token, origin=Origin.of(request))
        except RuleViolation as exc:
            return render(
                request,
                "portal/notice.html",
                {"title": _("Confirmation failed"), "text": exc.message, "error": True},
            )
        return render(
            request,
            "portal/notice.html",
            {
                "title": _("Email address changed"),
                "text": _("You now log in with %(email)s.") % {"email": email},
            },
        )
    return render(
        request,
        "portal/confirm.html",
        {"action": _("Confirm my new email address"), "title": _("Confirm your new email address")},
    )
