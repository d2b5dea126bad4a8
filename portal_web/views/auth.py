"""Log in and out, register, ask for account emails, change the password, impersonation, branding."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from activity.services import Origin
from configuration.models import GeneralPreferences, PortalPreferences
from configuration.site import effective_branding
from core.errors import RuleViolation
from credentials.login_throttle import LoginThrottled
from credentials.services import authenticate_access_token
from credentials.throttles import AUTH_THROTTLES, AuthIPThrottle
from memberships.models import AccountEmailRequest
from memberships.services import passwords, registration
from memberships.services.impersonation import (
    SESSION_KEY,
    live_session_for_token,
    session_impersonation,
    stop_impersonation,
)
from memberships.services.login import continue_after_password_change, log_in, log_out
from memberships.services.preferences import change_language

from .. import throttling
from ..access import IMPERSONATION_LANGUAGE_KEY, load_resident, resident_required, safe_next
from ..branding import css_variables
from ..forms import (
    ChangePasswordForm,
    EmailForm,
    LanguageForm,
    LoginForm,
    RegisterForm,
)
from .form_view import FormPageView


def home(request):
    load_resident(request)
    return render(request, "portal/home.html", {"page": "home"})


class LoginPage(FormPageView):
    """Failed logins are limited inside log_in, over the whole platform and the API alike, so this
    page counts nothing itself: a throttled login comes back from the service."""

    template_name = "portal/login.html"
    form_class = LoginForm
    not_confirmed = False

    def perform(self, form):
        result = log_in(
            request=self.request,
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
        )
        if result.context.get("portal_account") is None:
            log_out(request=self.request)  # the token the login issued ends with the session
            raise RuleViolation(_("This portal is for residents. Staff use the administration."))

    def refused(self, form, exc):
        if isinstance(exc, LoginThrottled):
            self.throttled = throttling.Throttled(wait=exc.wait)
        self.not_confirmed = exc.code == "email_not_confirmed"
        form.add_error(None, exc.message)

    def succeeded(self, result):
        return redirect(safe_next(self.request))

    def get_context_data(self, form):
        # ``next`` is kept through a failed attempt (the form posts it back), and only when it stays on this host.
        return {
            "form": form,
            "not_confirmed": self.not_confirmed,
            "page": "login",
            "next": safe_next(self.request, ""),
        }


login_page = LoginPage.as_view()


@require_POST
def logout_page(request):
    """Always the accounts' logout: it ends an impersonation of this browser session (its
    ImpersonationSession and the access token behind it), logs a resident's own logout, and ends
    the session. A staff member who was acting as the customer is told the impersonation stopped."""
    impersonating = load_resident(request) and request.resident.impersonating
    log_out(request=request)
    request.resident = None
    if impersonating:
        return render(
            request,
            "portal/notice.html",
            {"title": _("Impersonation stopped"), "text": _("You are no longer logged in as the customer.")},
        )
    messages.success(request, _("You are logged out."))
    return redirect("/")


class RegisterPage(FormPageView):
    template_name = "portal/register.html"
    form_class = RegisterForm
    throttles = AUTH_THROTTLES
    throttle_email_field = "email"

    def perform(self, form):
        registration.register_resident(
            organisation=self.request.organisation,
            customer_number=form.cleaned_data["customer_number"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            login_email=form.cleaned_data["login_email"] or None,
            # The page's language is only a fallback: the customer record's language wins, as in the API.
            fallback_language=self.request.LANGUAGE_CODE,
            origin=Origin.of(self.request),
        )

    def succeeded(self, result):
        text = _(
            "Almost done: we sent you an email. Click the link in it to confirm your address and activate your account."
        )
        return self.notice(_("Check your email"), text, page="register")

    def get_context_data(self, form):
        return {"form": form, "page": "register"}


register_page = RegisterPage.as_view()


class EmailRequestPage(FormPageView):
    """Send the confirmation email again, or a password reset link: the same answer whether the
    address is known or not."""

    template_name = "portal/email_request.html"
    form_class = EmailForm
    throttles = AUTH_THROTTLES
    throttle_email_field = "email"

    def dispatch(self, request, kind: str):
        self.kind = kind
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
        self.title, self.done = titles[kind]
        return super().dispatch(request, kind)

    def perform(self, form):
        passwords.request_account_email(
            kind=self.kind,
            email=form.cleaned_data["email"],
            language=self.request.LANGUAGE_CODE,
            origin=Origin.of(self.request),
        )

    def succeeded(self, result):
        return self.notice(self.title, self.done)

    def get_context_data(self, form):
        # The forgotten-password page shows the "password" messages; the resend page has none.
        messages_page = "password" if self.kind == AccountEmailRequest.Kind.PASSWORD_RESET else None
        return {"form": form, "title": self.title, "messages_page": messages_page}


email_request_page = EmailRequestPage.as_view()


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
        if load_resident(request) and request.resident.impersonating:
            # Staff see the portal in the language they choose; the customer's choice stays theirs.
            request.session[IMPERSONATION_LANGUAGE_KEY] = language
        elif request.resident is not None:
            change_language(
                account=request.resident.portal_account,
                language=language,
                actor_user=request.user,
                impersonating=False,
                origin=Origin.of(request),
            )
    return response


@method_decorator(resident_required, name="dispatch")
class PasswordPage(FormPageView):
    template_name = "portal/password_form.html"
    form_class = ChangePasswordForm
    throttles = (AuthIPThrottle,)
    success_message = _lazy("Your password was changed.")
    success_url = "/my-details/"

    def dispatch(self, request, *args, **kwargs):
        if request.resident.impersonating:
            messages.error(request, _("This cannot be changed while logged in as the customer."))
            return redirect("/my-details/")
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        user = passwords.change_password(
            organisation=self.request.organisation,
            user=self.request.user,
            old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password"],
            origin=Origin.of(self.request),
        )
        continue_after_password_change(request=self.request, user=user, issue_token=False)

    def get_context_data(self, form):
        return {
            "form": form,
            "title": _("Change my password"),
            "page": "my_details",
            "messages_page": "password",
        }


password_page = PasswordPage.as_view()


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
    request.resident = None
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
