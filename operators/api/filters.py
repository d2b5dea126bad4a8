"""Filters of the operator's list of organisations (declarative: a bad value is a 400 naming it)."""

from __future__ import annotations

import django_filters

from tenants.models import Organisation, StatusChange


class OrganisationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Organisation.Status.choices)
    portal_status = django_filters.ChoiceFilter(choices=Organisation.PortalStatus.choices)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Organisation
        fields = ["status", "portal_status", "created_after", "created_before"]


class StatusChangeFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=StatusChange.Action.choices)

    class Meta:
        model = StatusChange
        fields = ["action"]
