"""Form fields for the portal pages. The rules themselves live in the services; errors they raise
are put back next to the field they name."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.errors import RuleViolation
from support.models import Ticket

from .countries import country_choices

# The longest address the API and the database take (RFC 5321's path limit).
EMAIL_MAX_LENGTH = 254
_SPACES = {" ", "\u00a0", "\u202f", "'", "\u2019"}


def normalise_decimal(value) -> str:
    """A number as typed in nl, fr or en ("1234,5", "1.234,5", "1 234,5", "1234.5") as "1234.5".

    The separator that comes last is the decimal one; spaces and the other separator group digits."""
    text = "".join(char for char in str(value or "").strip() if char not in _SPACES)
    if "," in text and "." in text:
        decimal, grouping = (",", ".") if text.rfind(",") > text.rfind(".") else (".", ",")
        text = text.replace(grouping, "").replace(decimal, ".")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    return text


class LocalDecimalField(forms.DecimalField):
    """Accepts a decimal comma as well as a point, whatever the page's language."""

    def to_python(self, value):
        return super().to_python(normalise_decimal(value) if value not in self.empty_values else value)


def apply_errors(form: forms.Form, exc: RuleViolation) -> None:
    """Attach a service's error to the form: next to the fields it names, else above the form."""
    errors = exc.errors or ({exc.field: [exc.message]} if exc.field else {None: [exc.message]})
    for field, messages in errors.items():
        if isinstance(messages, dict):
            messages = [
                str(m)
                for values in messages.values()
                for m in (values if isinstance(values, list) else [values])
            ]
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(field if field in form.fields else None, str(message))


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class RegisterForm(forms.Form):
    customer_number = forms.CharField(
        label=_("Customer number"), max_length=40, help_text=_("You find it on your invoices.")
    )
    email = forms.EmailField(label=_("Email address on your customer record"), max_length=EMAIL_MAX_LENGTH)
    login_email = forms.EmailField(
        label=_("Log in with another email address"),
        max_length=EMAIL_MAX_LENGTH,
        required=False,
        help_text=_("Only if you want to log in with an address other than the one on your customer record."),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits."),
    )


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class NewPasswordForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    repeat = forms.CharField(
        label=_("Repeat the new password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("repeat"):
            self.add_error("repeat", _("The two passwords differ."))
        return data


class ChangePasswordForm(NewPasswordForm):
    old_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    field_order = ["old_password", "new_password", "repeat"]


class ActivateForm(forms.Form):
    """An invitation's link: a password only for an address that has none yet (then required)."""

    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, needs_password: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_password:
            del self.fields["password"]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class DetailsForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    billing_preference = forms.ChoiceField(
        label=_("Receive invoices by"),
        choices=[("email", _("Email")), ("post", _("Post"))],
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    billing_street = forms.CharField(label=_("Street"), max_length=200)
    billing_house_number = forms.CharField(label=_("House number"), max_length=20, required=False)
    billing_box = forms.CharField(label=_("Box"), max_length=20, required=False)
    billing_postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    billing_city = forms.CharField(label=_("City"), max_length=100)
    billing_country = forms.ChoiceField(label=_("Country"))

    def __init__(self, *args, country: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["billing_country"].choices = country_choices(country)


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(label=_("New email address"), max_length=EMAIL_MAX_LENGTH)
    password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class AdvanceForm(forms.Form):
    contract_id = forms.IntegerField(widget=forms.HiddenInput)
    amount = LocalDecimalField(label=_("Monthly advance (EUR)"), max_digits=10, decimal_places=2)


class TicketForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it about?"), choices=Ticket.Kind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000
    )
    attachment = forms.FileField(
        label=_("Attachment"), required=False, help_text=_("A PDF, PNG or JPEG file.")
    )
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Your email address"), max_length=EMAIL_MAX_LENGTH, required=False)


class TicketReplyForm(forms.Form):
    message = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000
    )
    attachment = forms.FileField(
        label=_("Attachment"), required=False, help_text=_("A PDF, PNG or JPEG file.")
    )
