"""My bank account page: change the account advances are collected from, give or withdraw the
direct-debit mandate. Three small forms on one page; the posted one (its ``form`` field) goes
through the flow. Refused while staff act as the resident, as in the API."""

from __future__ import annotations

from django import forms
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from activity.services import Origin
from core.errors import RuleViolation
from self_service import bank_account

from ..access import resident_required
from .form_view import FormPageView

PASSWORD_WIDGET = forms.PasswordInput(attrs={"autocomplete": "current-password"})


class BankAccountForm(forms.Form):
    iban = forms.CharField(
        label=_lazy("IBAN"),
        max_length=42,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}),
        help_text=_lazy("An account in the SEPA area, for example BE71 0961 2345 6769."),
    )
    account_holder = forms.CharField(label=_lazy("Account holder"), max_length=200)
    password = forms.CharField(label=_lazy("Current password"), widget=PASSWORD_WIDGET)


class MandateForm(forms.Form):
    consent = forms.BooleanField(
        label=_lazy(
            "I authorise the organisation to collect my advance payments and invoices from this account "
            "by SEPA direct debit, and my bank to debit it. I can ask my bank for a refund within 8 weeks "
            "of a debit."
        ),
        required=False,
    )
    password = forms.CharField(label=_lazy("Current password"), widget=PASSWORD_WIDGET)


class WithdrawForm(forms.Form):
    """Nothing to fill in: the button is the decision."""


FORMS = {"account": BankAccountForm, "mandate": MandateForm, "withdraw": WithdrawForm}
SUCCESS = {
    "account": _lazy("Your bank account was changed."),
    "mandate": _lazy("Direct debit is on."),
    "withdraw": _lazy("Direct debit is stopped."),
}


@method_decorator(resident_required, name="dispatch")
class BankAccountPage(FormPageView):
    template_name = "portal/bank_account.html"
    success_url = "/my-details/bank-account/"

    def dispatch(self, request, *args, **kwargs):
        kind = request.POST.get("form") if request.method == "POST" else None
        self.kind = kind if kind in FORMS else None
        self.forms = {
            name: form_class(request.POST if name == self.kind else None, auto_id=f"{name}-%s")
            for name, form_class in FORMS.items()
        }
        return super().dispatch(request, *args, **kwargs)

    def get_form(self):
        return self.forms.get(self.kind)

    def perform(self, form):
        if self.request.resident.impersonating:
            raise RuleViolation(
                _("This cannot be changed while logged in as the customer."),
                code="not_allowed_during_impersonation",
            )
        common = {
            "organisation": self.request.organisation,
            "customer": self.request.resident.customer,
            "account": self.request.resident.portal_account,
            "actor_user": self.request.user,
            "origin": Origin.of(self.request),
        }
        if self.kind == "account":
            bank_account.change_bank_account(**common, **form.cleaned_data)
        elif self.kind == "mandate":
            bank_account.give_mandate(**common, **form.cleaned_data)
        else:
            bank_account.withdraw_mandate(**common)
        self.success_message = SUCCESS[self.kind]

    def get_context_data(self, form):
        return {
            "page": "my_details",
            "bank": bank_account.bank_account_of(self.request.resident.customer),
            "account_form": self.forms["account"],
            "mandate_form": self.forms["mandate"],
            "withdraw_form": self.forms["withdraw"],
        }


bank_account_page = BankAccountPage.as_view()
