"""The consumption page's download: the same file as the API's (consumption.downloads), for the period
and services chosen in the form; a wrong period shows the consumption page's message instead."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _lazy

from consumption import downloads
from contracts.energy_services import SERVICE_CHOICES

from ..access import resident_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DownloadForm(forms.Form):
    start = forms.DateField(label=_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    service = forms.MultipleChoiceField(
        label=_lazy("Services"), choices=SERVICE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    file_format = forms.ChoiceField(
        label=_lazy("File"), choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")], initial="csv"
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            problem = downloads.period_problem(data["start"], data["end"])
            if problem:
                self.add_error("end", problem)
        return data


@resident_required
def consumption_download(request):
    form = DownloadForm(request.GET)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("/consumption/")
    data = form.cleaned_data
    services = tuple(sorted(data["service"] or {code for code, _label in SERVICE_CHOICES}))
    selection = downloads.Selection(data["start"], data["end"], services)
    customer = request.resident.customer
    name = f"consumption-{selection.first.isoformat()}-{selection.last.isoformat()}"
    if data["file_format"] == "xlsx":
        response = HttpResponse(
            downloads.xlsx_bytes(customer=customer, selection=selection), content_type=XLSX
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = StreamingHttpResponse(
        downloads.csv_chunks(customer=customer, selection=selection), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
