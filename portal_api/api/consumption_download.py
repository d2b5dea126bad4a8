"""Download your consumption (resident): CSV (streamed) or XLSX for a period, services and meters."""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers

from consumption import downloads
from contracts.energy_services import SERVICE_CHOICES
from core.errors import RuleViolation

from .base import ResidentAPIView

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class IdsField(serializers.CharField):
    """Ids separated by commas; empty means all."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not text.strip():
            return None
        try:
            return frozenset(int(part) for part in text.split(",") if part.strip())
        except ValueError as exc:
            raise serializers.ValidationError(_("Give meter ids separated by commas.")) from exc


class DownloadQuery(serializers.Serializer):
    start = serializers.DateField(help_text="First day (ISO date).")
    end = serializers.DateField(help_text="Last day, inclusive; at most three years after the start.")
    file_format = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")
    service = serializers.MultipleChoiceField(choices=SERVICE_CHOICES, required=False)
    meters = IdsField(required=False, allow_blank=True, allow_null=True, max_length=2000, default=None)

    def validate(self, data):
        problem = downloads.period_problem(data["start"], data["end"])
        if problem:
            raise serializers.ValidationError({"end": [problem]})
        return data


def selection_of(data: dict) -> downloads.Selection:
    services = tuple(sorted(data.get("service") or {code for code, _label in SERVICE_CHOICES}))
    return downloads.Selection(data["start"], data["end"], services, data.get("meters"))


@extend_schema(
    tags=["portal: consumption"],
    parameters=[DownloadQuery],
    responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per meter and day."),
        (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY),
    },
)
class ConsumptionDownloadView(ResidentAPIView):
    """Download your consumption

    One row per meter and day with data (date, service, unit, meter, address, value as stored),
    for the days you occupied each address. ``file_format=xlsx`` for a workbook.
    """

    def get(self, request):
        serializer = DownloadQuery(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        selection = selection_of(data)
        customer = request.resident.customer
        if selection.meter_ids is not None and not downloads.meters_are_the_customers(
            customer=customer, selection=selection
        ):
            raise RuleViolation(
                _("Choose meters of your own addresses."), code="unknown_meter", field="meters"
            )
        name = f"consumption-{selection.first.isoformat()}-{selection.last.isoformat()}"
        if data["file_format"] == "xlsx":
            response = HttpResponse(
                downloads.xlsx_bytes(customer=customer, selection=selection), content_type=XLSX
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        response = StreamingHttpResponse(
            downloads.csv_chunks(customer=customer, selection=selection),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
