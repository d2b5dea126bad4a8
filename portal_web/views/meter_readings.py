"""Submit a meter reading (issue 19): for the resident's meters that are not read remotely, with an
optional photo, and the readings they submitted. Rules: consumption.submitted_readings."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from consumption.models import SubmittedReading
from consumption.submitted_readings import Entry, reading_options
from self_service.meter_readings import submit_reading

from ..access import resident_required
from .form_view import FormPageView


class MeterReadingForm(forms.Form):
    meter_id = forms.TypedChoiceField(label=_lazy("Meter"), coerce=int)
    value = forms.DecimalField(
        label=_lazy("Reading"),
        max_digits=20,
        decimal_places=7,
        min_value=0,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    read_on = forms.DateField(
        label=_lazy("Day you read the meter"), widget=forms.DateInput(attrs={"type": "date"})
    )
    photo = forms.FileField(
        label=_lazy("Photo of the meter"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    confirmed = forms.BooleanField(
        label=_lazy("The meter really shows this value (more than we expect)"), required=False
    )


@method_decorator(resident_required, name="dispatch")
class MeterReadingPage(FormPageView):
    template_name = "portal/meter_reading.html"

    def get_form(self):
        self.options = reading_options(
            customer=self.request.resident.customer, organisation=self.request.organisation
        )
        if not self.options:
            return None
        form = MeterReadingForm(
            self.request.POST or None,
            self.request.FILES or None,
            initial={"read_on": timezone.localdate(timezone=self.request.organisation.zone)},
        )
        form.fields["meter_id"].choices = [
            (option["meter_id"], _meter_label(option)) for option in self.options
        ]
        return form

    def perform(self, form):
        return submit_reading(
            customer=self.request.resident.customer,
            user=self.request.user,
            organisation=self.request.organisation,
            entry=Entry(**form.cleaned_data),
        )

    def succeeded(self, reading):
        messages.success(
            self.request,
            _("We received your reading (%(reference)s). We let you know if we cannot accept it.")
            % {"reference": reading.reference},
        )
        return redirect("/meter-readings/")

    def get_context_data(self, form):
        return {
            "page": "consumption",
            "form": form,
            "options": self.options,
            "submitted": _submitted(self.request.resident.customer),
        }


def _submitted(customer) -> list[SubmittedReading]:
    """The resident's latest readings, each with its value as they typed it (1000, not 1E+3)."""
    rows = list(SubmittedReading.objects.for_customer(customer).select_related("meter")[:20])
    for row in rows:
        row.shown = format(row.value.normalize(), "f")
    return rows


def _meter_label(option: dict) -> str:
    last = option["last_reading"]
    label = f"{option['meter_number']} · {option['address']}"
    if last is None:
        return label
    return _("%(meter)s (last reading %(value)s %(unit)s)") % {
        "meter": label,
        "value": format(last["value"].normalize(), "f"),
        "unit": option["unit"],
    }


meter_reading_page = MeterReadingPage.as_view()
