"""Log in, register, confirm, reset and activate: the pages around the account flows."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import continue_after_password_change, log_in, log_out
from activity.services import Origin
from config.errors import RuleViolation
from configuration.models import GeneralPreferences, PortalPreferences
from configuration.site import effective_branding
from credentials.login_throttle import LoginThrottled
from credentials.services import authenticate_access_token
from credentials.throttles import AUTH_THROTTLES, AuthIPThrottle
from customers.api.details import EmailChangeThrottle
from customers.details import confirm_email_change
from memberships.models import AccountEmailRequest
from memberships.selectors import invitation_details
from memberships.services import passwords, registration
from memberships.services.impersonation import (
    SESSION_KEY,
    live_session_for_token,
    session_impersonation,
    stop_impersonation,
)
from memberships.services.preferences import change_language
from memberships.services.staff import accept_staff_invitation

from .. import throttling
from ..access import IMPERSONATION_LANGUAGE_KEY, load_resident, resident_required, safe_next
from ..branding import css_variables
from ..forms import (
    ActivateForm,
    ChangePasswordForm,
    EmailForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
    apply_errors,
)


def home(request):
    load_resident(request)
    return render(request, "portal/home.html", {"page": "home"})


def login_page(request):
    form = LoginForm(request.POST or None)
    not_confirmed = False
    throttled = None
    if request.method == "POST" and form.is_valid():
        try:
            # Failed logins are limited inside log_in, over the whole platform and the API alike.
            result = log_in(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                issue_token=False,
            )
        except LoginThrottled as exc:
            throttled = throttling.Throttled(wait=exc.wait)
            form.add_error(None, exc.message)
        except RuleViolation as exc:
            not_confirmed = exc.code == "email_not_confirmed"
            form.add_error(None, exc.message)
        else:
            if result.context.get("portal_account") is None:
                logout(request)
                form.add_error(None, _("This portal is for residents. Staff use the administration."))
            else:
                return redirect(safe_next(request))
    response = render(
        request,
        "portal/login.html",
        # Kept through a failed attempt (the form posts it back), and only when it stays on this host.
        {"form": form, "not_confirmed": not_confirmed, "page": "login", "next": safe_next(request, "")},
    )
    return throttling.respond(response, throttled)


@require_POST
def logout_page(request):
    """Always the accounts' logout: it ends an impersonation of this browser session (its
    ImpersonationSession and the access token behind it), logs a resident's own logout, and ends
    the session. A staff member who was acting as the customer is told the impersonation stopped."""
    impersonating = load_resident(request) and request.impersonation is not None
    log_out(request=request)
    request.portal_account = request.customer = request.impersonation = None
    if impersonating:
        return render(
            request,
            "portal/notice.html",
            {"title": _("Impersonation stopped"), "text": _("You are no longer logged in as the customer.")},
        )
    messages.success(request, _("You are logged out."))
    return redirect("/")


def register_page(request):
    form = RegisterForm(request.POST or None)
    throttled = throttling.check_post(request, AUTH_THROTTLES, email_field="email")
    if throttled:
        form.add_error(None, throttled.message)
    elif request.method == "POST" and form.is_valid():
        try:
            registration.register_resident(
                organisation=request.organisation,
                customer_number=form.cleaned_data["customer_number"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                login_email=form.cleaned_data["login_email"] or None,
                # The page's language is only a fallback: the customer record's language wins, as in the API.
                fallback_language=request.LANGUAGE_CODE,
                origin=Origin.of(request),
            )
        except RuleViolation as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "portal/notice.html",
                {
                    "title": _("Check your email"),
                    "page": "register",
                    "text": _(
                        "Almost done: we sent you an email. Click the link in it to confirm your address and activate your account."
                    ),
                },
            )
    response = render(request, "portal/register.html", {"form": form, "page": "register"})
    return throttling.respond(response, throttled)


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


def email_request_page(request, kind: str):
    form = EmailForm(request.POST or None)
    titles = {
        AccountEmailRequest.Kind.RESEND_CONFIRMATION: (
            _("Send the confirmation email again"),
            _(
                "If this address has a registration waiting for confirmation, we sent a new confirmation email."
            ),
        ),
        AccountEmailRequest.Kind.PASSWORD_RESET: (
            _("I forgot my password"),
            _("If this address has an account with us, we sent a link to choose a new password."),
        ),
    }
    title, done = titles[kind]
    throttled = throttling.check_post(request, AUTH_THROTTLES, email_field="email")
    if throttled:
        form.add_error(None, throttled.message)
    elif request.method == "POST" and form.is_valid():
        passwords.request_account_email(
            kind=kind,
            email=form.cleaned_data["email"],
            language=request.LANGUAGE_CODE,
            origin=Origin.of(request),
        )
        return render(request, "portal/notice.html", {"title": title, "text": done})
    response = render(request, "portal/email_request.html", {"form": form, "title": title})
    return throttling.respond(response, throttled)


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
        request, f"{templates}/password_form.html", {"form": form, "title": _("Choose a new password")}
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


@require_POST
def language_page(request):
    form = LanguageForm(request.POST)
    response = redirect(safe_next(request, default="/"))
    if form.is_valid():
        language = form.cleaned_data["language"]
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 86400,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
        if load_resident(request) and request.impersonation is not None:
            # Staff see the portal in the language they choose; the customer's choice stays theirs.
            request.session[IMPERSONATION_LANGUAGE_KEY] = language
        elif request.portal_account is not None:
            change_language(
                account=request.portal_account,
                language=language,
                actor_user=request.user,
                impersonating=False,
                origin=Origin.of(request),
            )
    return response


@resident_required
def password_page(request):
    if request.impersonation is not None:
        messages.error(request, _("This cannot be changed while logged in as the customer."))
        return redirect("/my-details/")
    form = ChangePasswordForm(request.POST or None)
    throttled = throttling.check_post(request, [AuthIPThrottle])
    if throttled:
        form.add_error(None, throttled.message)
    elif request.method == "POST" and form.is_valid():
        try:
            user = passwords.change_password(
                organisation=request.organisation,
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                origin=Origin.of(request),
            )
        except RuleViolation as exc:
            apply_errors(form, exc)
        else:
            continue_after_password_change(request=request, user=user, issue_token=False)
            messages.success(request, _("Your password was changed."))
            return redirect("/my-details/")
    response = render(
        request,
        "portal/password_form.html",
        {"form": form, "title": _("Change my password"), "page": "my_details"},
    )
    return throttling.respond(response, throttled)


def start_impersonation_page(request):
    """Staff open the portal as the customer with the key the admin API gave them.

    The key arrives in the URL fragment (never sent to a server); a small script copies it into
    this form, and the staff member confirms with a button, so CSRF protection stays in place."""
    if request.method != "POST":
        return render(
            request, "portal/impersonation_start.html", {"title": _("Open the portal as the customer")}
        )
    token = authenticate_access_token(request.POST.get("key", ""))
    session = live_session_for_token(token) if token is not None else None
    if session is None:
        return render(
            request,
            "portal/notice.html",
            {
                "title": _("This link cannot be used"),
                "error": True,
                "text": _("This impersonation session has ended."),
            },
            status=403,
        )
    logout(request)
    login(request, token.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_KEY] = session.pk
    return redirect("/overview/")


@require_POST
def stop_impersonation_page(request):
    session = session_impersonation(request.session)
    if session:
        stop_impersonation(session=session, origin=Origin.of(request))
    logout(request)
    request.portal_account = request.customer = request.impersonation = None
    return render(
        request,
        "portal/notice.html",
        {"title": _("Impersonation stopped"), "text": _("You are no longer logged in as the customer.")},
    )


def branding_css(request):
    """The organisation's colours as CSS variables (a file, so the Content-Security-Policy needs no inline styles)."""
    branding = effective_branding(GeneralPreferences.objects.current(), PortalPreferences.objects.current())
    css = ":root{" + "".join(f"{name}:{value};" for name, value in css_variables(branding).items()) + "}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable"  # the URL carries the configuration version
    )
    return response
