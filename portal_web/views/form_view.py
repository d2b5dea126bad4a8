"""The pages' one form flow: throttle → bound form → service → notice, or the page again with errors.

Every form page of the portal does the same: count the post against the API's throttles (so the
browser is no way around them), validate the form, call a service (which opens its own
transaction and raises ``RuleViolation`` for what its rules refuse), then tell the visitor it worked
(a django message and a redirect, or a notice page) or show the form again with the service's
errors next to the fields they name. A page says only what differs: its form, throttles, service
call and what success looks like.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View
from rest_framework.throttling import SimpleRateThrottle

from core.errors import RuleViolation

from .. import throttling
from ..forms import apply_errors


class FormPageView(View):
    """A page with one form. Subclasses set ``template_name`` and ``form_class`` (or override
    ``get_form``), and implement ``perform`` (the service call); ``succeeded`` turns its result into
    the answer (by default ``success_message`` and a redirect to ``success_url``)."""

    template_name: ClassVar[str] = ""
    form_class: ClassVar[type[forms.Form] | None] = None
    throttles: ClassVar[Sequence[type[SimpleRateThrottle]]] = ()
    # The posted field the per-address throttle reads (sign-up and account emails).
    throttle_email_field: ClassVar[str | None] = None
    success_message: ClassVar[str | None] = None
    success_url: ClassVar[str | None] = None

    request: HttpRequest
    throttled: throttling.Throttled | None = None
    status: int = 200

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Like the function views before: any method other than POST shows the page.
        return self.page()

    def page(self) -> HttpResponse:
        form = self.get_form()
        self.throttled = self.check_throttles(form)
        if self.throttled:
            form.add_error(None, self.throttled.message)
        elif self.request.method == "POST" and form is not None and form.is_valid():
            answer = self.submit(form)
            if answer is not None:
                return answer
        response = render(self.request, self.template_name, self.get_context_data(form), status=self.status)
        return throttling.respond(response, self.throttled)

    def get_form(self) -> forms.Form | None:
        """The form, bound on a post; None when the page shows no form (nothing is then counted)."""
        return self.form_class(self.request.POST or None, self.request.FILES or None)

    def check_throttles(self, form: forms.Form | None) -> throttling.Throttled | None:
        if form is None or not self.throttles:
            return None
        return throttling.check_post(self.request, self.throttles, email_field=self.throttle_email_field)

    def submit(self, form: forms.Form) -> HttpResponse | None:
        """Call the service; its refusal goes back onto the form (None: show the page again)."""
        try:
            result = self.perform(form)
        except RuleViolation as exc:
            self.refused(form, exc)
            return None
        return self.succeeded(result)

    def perform(self, form: forms.Form) -> Any:
        raise NotImplementedError

    def refused(self, form: forms.Form, exc: RuleViolation) -> None:
        """A service's error next to the field it names, or above the form."""
        apply_errors(form, exc)

    def succeeded(self, result: Any) -> HttpResponse:
        if self.success_message:
            # Translated now, in the page's language (the class holds a lazy text).
            messages.success(self.request, str(self.success_message))
        return redirect(self.success_url)

    def notice(self, title: str, text: str, **extra: Any) -> HttpResponse:
        """A notice page as the answer to a form that leads nowhere else (an email was sent...)."""
        return render(self.request, "portal/notice.html", {"title": title, "text": text, **extra})

    def get_context_data(self, form: forms.Form | None) -> dict:
        return {"form": form}
