"""Staff admin: the billing system's import runs, with the rows each one refused (staff console)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers

from core.api_lists import FilteredList
from integration.models import ImportRun
from memberships.permissions import IsStaffAdmin


class ImportRunFilter(django_filters.FilterSet):
    # A choice, not a boolean filter: that one ignores a value it cannot read instead of refusing it.
    has_errors = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_has_errors",
        label="Only runs that refused rows (true) or none (false)",
    )
    started_after = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = ImportRun
        fields = ["has_errors", "started_after", "started_before"]

    def filter_has_errors(self, queryset, name: str, value: str):
        return queryset.filter(error_count__gt=0) if value == "true" else queryset.filter(error_count=0)


class RowErrorSerializer(serializers.Serializer):
    entity = serializers.CharField(help_text="The list of the import body, e.g. customers")
    index = serializers.IntegerField(help_text="The row's position in that list (from 0; -1: the list)")
    external_id = serializers.CharField(allow_null=True)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="Per field, what is wrong"
    )


class AdminImportRunSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(help_text="running, succeeded or with_errors")

    class Meta:
        model = ImportRun
        fields = ["id", "started_at", "finished_at", "actor_email", "summary", "error_count", "status"]

    def get_status(self, run: ImportRun) -> str:
        if run.finished_at is None:
            return "running"
        return "with_errors" if run.error_count else "succeeded"


class AdminImportRunDetailSerializer(AdminImportRunSerializer):
    errors = serializers.SerializerMethodField(
        help_text="The refused rows (the first 1000; error_count says how many there were)"
    )

    class Meta(AdminImportRunSerializer.Meta):
        fields = [*AdminImportRunSerializer.Meta.fields, "errors"]

    @extend_schema_field(RowErrorSerializer(many=True))
    def get_errors(self, run: ImportRun) -> list[dict]:
        return RowErrorSerializer(run.errors, many=True).data


@extend_schema(tags=["admin: integration"])
class AdminImportRunListView(FilteredList, generics.ListAPIView):
    """List the import runs

    Every import of the billing system, newest first, paginated with counts; filter on whether a
    run refused rows and on when it started; order by start or number of errors (administrators).
    """

    permission_classes = [IsStaffAdmin]
    serializer_class = AdminImportRunSerializer
    filterset_class = ImportRunFilter
    search_fields = ["actor_email"]
    ordering_fields = ["started_at", "finished_at", "error_count", "id"]
    ordering = ["-started_at", "-id"]

    def get_queryset(self):
        return ImportRun.objects.defer("errors")


@extend_schema(tags=["admin: integration"])
class AdminImportRunDetailView(generics.RetrieveAPIView):
    """Get an import run

    What one import did per list, and each row it refused with the errors per field, so that staff
    can have the billing system's data fixed (administrators).
    """

    permission_classes = [IsStaffAdmin]
    serializer_class = AdminImportRunDetailSerializer
    queryset = ImportRun.objects.all()
