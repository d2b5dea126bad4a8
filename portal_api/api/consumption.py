"""The resident's consumption: per service, by year and by month, compared, with costs when enabled."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from consumption import reports, selectors
from contracts.energy_services import SERVICE_CHOICES

from .base import ResidentAPIView


class LocationsField(serializers.CharField):
    """A comma-separated list of location ids; empty means all of the resident's locations."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not text or not text.strip():
            return None
        try:
            return sorted({int(part) for part in text.split(",") if part.strip()})
        except ValueError as exc:
            raise serializers.ValidationError(_("Give location ids separated by commas.")) from exc


class YearQuery(serializers.Serializer):
    service = serializers.ChoiceField(choices=SERVICE_CHOICES)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    locations = LocationsField(required=False, allow_blank=True, allow_null=True, default=None)


class MonthQuery(YearQuery):
    month = serializers.IntegerField(min_value=1, max_value=12)


class CompareQuery(serializers.Serializer):
    service = serializers.ChoiceField(choices=SERVICE_CHOICES)
    mode = serializers.ChoiceField(choices=["year", "month", "range"])
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    other_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    month = serializers.IntegerField(min_value=1, max_value=12, required=False)
    other_month = serializers.IntegerField(
        min_value=1,
        max_value=12,
        required=False,
        help_text="Month mode: the month to compare with (default: the same month; other_year defaults to year - 1)",
    )
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    other_start = serializers.DateField(required=False)
    locations = LocationsField(required=False, allow_blank=True, allow_null=True, default=None)

    def validate(self, data):
        mode = data["mode"]
        needed = {
            "year": ("year", "other_year"),
            "month": ("year", "month"),
            "range": ("start", "end", "other_start"),
        }[mode]
        missing = [name for name in needed if data.get(name) is None]
        if missing:
            raise serializers.ValidationError(
                {name: [_("Required for this comparison.")] for name in missing}
            )
        if mode == "range":
            if data["end"] < data["start"]:
                raise serializers.ValidationError({"end": [_("The end is before the start.")]})
            if (data["end"] - data["start"]).days > 366:
                raise serializers.ValidationError({"end": [_("Compare at most one year of days.")]})
        return data


class PointSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM for months, YYYY-MM-DD for days")
    value = serializers.DecimalField(
        max_digits=21,
        decimal_places=7,
        allow_null=True,
        help_text="null: no actual data. At least three decimals, and every stored one beyond (up to seven)",
    )
    no_data = serializers.BooleanField()
    future = serializers.BooleanField()
    completeness = serializers.FloatField(help_text="Share of the period's intervals with actual data")


class TotalSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=21, decimal_places=7, allow_null=True)
    periods_with_data = serializers.IntegerField()
    periods = serializers.IntegerField()
    completeness = serializers.FloatField()
    complete = serializers.BooleanField(help_text="Every reading of the period is in, and the period is over")
    missing_days = serializers.IntegerField(
        help_text="Days (up to today) without all their readings; in a year, each month's missing share of its days"
    )


class SeriesSerializer(serializers.Serializer):
    service = serializers.CharField()
    unit = serializers.CharField(allow_null=True)
    points = PointSerializer(many=True)
    total = TotalSerializer()


class YearSeriesSerializer(SeriesSerializer):
    year = serializers.IntegerField()
    costs = serializers.DictField(required=False, help_text="Only with cost visualisation on")
    similar_customers = serializers.DictField(required=False, help_text="Only with cost visualisation on")


class MonthSeriesSerializer(SeriesSerializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    costs = serializers.DictField(
        required=False, help_text="Only with cost visualisation on: per day, actual or estimated"
    )


class PeriodSerializer(serializers.Serializer):
    points = PointSerializer(many=True)
    total = TotalSerializer()
    costs = serializers.DictField(
        required=False,
        help_text="Only with cost visualisation on: per month (year mode) or per day, actual or estimated",
    )


class ComparisonSerializer(serializers.Serializer):
    service = serializers.CharField()
    unit = serializers.CharField(allow_null=True)
    mode = serializers.CharField()
    current = PeriodSerializer()
    other = PeriodSerializer()
    change_percentage = serializers.FloatField(
        allow_null=True, help_text="null unless both periods are complete (a gap would make it up)"
    )


class ProfilePointSerializer(serializers.Serializer):
    x = serializers.DateTimeField()
    y = serializers.DecimalField(max_digits=20, decimal_places=7)


class MeterProfileSerializer(serializers.Serializer):
    meter_number = serializers.CharField()
    location = serializers.CharField()
    points = ProfilePointSerializer(many=True)


class RegisterProfileSerializer(serializers.Serializer):
    service = serializers.CharField()
    unit = serializers.CharField(allow_null=True)
    meters = MeterProfileSerializer(many=True)


class ServiceLocationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    address = serializers.CharField()


class ServiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    unit = serializers.CharField()
    locations = ServiceLocationSerializer(many=True)


class ConsumptionView(ResidentAPIView):
    query_serializer: type[serializers.Serializer] = YearQuery

    def query(self, request) -> dict:
        serializer = self.query_serializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return {
            **serializer.validated_data,
            "customer": request.resident.customer,
            "organisation": request.organisation,
        }


@extend_schema(tags=["portal: consumption"], responses={200: ServiceSerializer(many=True)})
class ServicesView(ResidentAPIView):
    """List your measured services

    The services measured at your locations, with their unit and locations.
    """

    def get(self, request):
        return Response(selectors.available_services(customer=request.resident.customer))


@extend_schema(tags=["portal: consumption"], parameters=[YearQuery], responses={200: YearSeriesSerializer})
class YearView(ConsumptionView):
    """Get a year of consumption

    Twelve monthly values; with cost visualisation on, also costs, estimates and similar customers.
    """

    def get(self, request):
        return Response(reports.year_report(**self.query(request)))


@extend_schema(tags=["portal: consumption"], parameters=[MonthQuery], responses={200: MonthSeriesSerializer})
class MonthView(ConsumptionView):
    """Get a month of consumption

    The daily values of one month; with cost visualisation on, also daily costs and estimates.
    """

    query_serializer = MonthQuery

    def get(self, request):
        return Response(reports.month_report(**self.query(request)))


@extend_schema(tags=["portal: consumption"], parameters=[CompareQuery], responses={200: ComparisonSerializer})
class CompareView(ConsumptionView):
    """Compare two periods of consumption

    A year against any other year, a month against any other month (by default the same month a
    year earlier), or two ranges. The change is given only when both periods are complete.
    With cost visualisation on, each period carries its costs and estimates.
    """

    query_serializer = CompareQuery

    def get(self, request):
        return Response(reports.comparison_report(**self.query(request)))


@extend_schema(
    tags=["portal: consumption"], parameters=[MonthQuery], responses={200: RegisterProfileSerializer}
)
class RegisterProfileView(ConsumptionView):
    """Get a month of meter readings

    Per meter, the last actual register reading of each day (x: date, y: meter reading).
    """

    query_serializer = MonthQuery

    def get(self, request):
        return Response(reports.register_report(**self.query(request)))
