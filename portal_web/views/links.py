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
from credentials.throttles import AuthIPThrottle
from customers.api.details import EmailChangeThrottle
from customers.details import confirm_email_change
from memberships.selectors import invitation_details
from memberships.services import passwords, registration
from memberships.services.staff import accept_staff_invitation

from .. import throttling
from ..forms import ActivateForm, NewPasswordForm, apply_errors


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


def reset_page(request, token: str, *, templates: str = "portal"):
    """The link of a reset email; on the platform domain (``templates="accounts/platform"``) too."""
    form = NewPasswordForm(request.POST or None)
    throttled = throttling.check_post(request, [AuthIPThrottle])
    if throttled:
        form.add_error(None, throttled.message)
    elif request.method == "POST" and form.is_valid():
        try:
            passwords.reset_password(
                organisation=getattr(request, "organisation", None),
                raw_token=token,
                new_password=form.cleaned_data["new_password"],
                origin=Origin.of(request),
                fallback_language=request.LANGUAGE_CODE,
            )
        except RuleViolation as exc:
            apply_errors(form, exc)  # the token's error is not a field's: shown once, above the form
        else:
            return render(
                request,
                f"{templates}/notice.html",
                {
                    "title": _("Password changed"),
                    "login": True,
                    "text": _("Your password was changed. Log in with your new password."),
                },
            )
    response = render(
        request,
        f"{templates}/password_form.html",
        {"form": form, "title": _("Choose a new password"), "messages_page": "password"},
    )
    return throttling.respond(response, throttled)


def activate_page(request, token: str):
    try:
        details = registration.invitation_needs_password(raw_token=token)
    except RuleViolation as exc:
        return render(
            request,
            "portal/notice.html",
            {"title": _("This link cannot be used"), "text": exc.message, "error": True},
        )
    form = ActivateForm(
        request.POST if request.method == "POST" else None, needs_password=details["needs_password"]
    )
    throttled = throttling.check_post(request, [AuthIPThrottle])
    if throttled:
        form.add_error(None, throttled.message)
    elif request.method == "POST" and form.is_valid():
        try:
            registration.accept_portal_invitation(
                organisation=request.organisation,
                raw_token=token,
                password=form.cleaned_data.get("password") or None,
                language=request.LANGUAGE_CODE,
                origin=Origin.of(request),
            )
        except RuleViolation as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "portal/notice.html",
                {
                    "title": _("Your account is active"),
                    "login": True,
                    "text": _("Your account is active. You can log in now."),
                },
            )
    response = render(request, "portal/activate.html", {"form": form, "details": details})
    return throttling.respond(response, throttled)


def staff_invitation_page(request, token: str):
    try:
        needs_password = invitation_details(raw_token=token)["needs_password"]
    except RuleViolation:
        needs_password = True  # the service says what is wrong with the link when it is posted
    form = ActivateForm(request.POST if request.method == "POST" else None, needs_password=needs_password)
    throttled = throttling.check_post(request, [AuthIPThrottle])
    if throttled:
        form.add_error(None, throttled.message)
    elif request.method == "POST" and form.is_valid():
        try:
            accept_staff_invitation(raw_token=token, password=form.cleaned_data.get("password") or None)
        except RuleViolation as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "portal/notice.html",
                {
                    "title": _("Invitation accepted"),
                    "text": _("You can now log in to the administration with this email address."),
                },
            )
    response = render(
        request, "portal/password_form.html", {"form": form, "title": _("Accept the invitation")}
    )
    return throttling.respond(response, throttled)


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
