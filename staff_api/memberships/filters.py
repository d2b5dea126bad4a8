"""Filters of the staff lists of memberships: staff members, impersonations, a portal activity log.

Declarative (django-filter), so that a bad value is a 400 naming the field and the OpenAPI document
lists every filter with its choices.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from activity.models import ActivityEvent
from memberships.models import ImpersonationSession, StaffMembership

PEOPLE_ROLES = [
    choice for choice in StaffMembership.Role.choices if choice[0] != StaffMembership.Role.INTEGRATION
]


class StaffMemberFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=PEOPLE_ROLES)
    status = django_filters.ChoiceFilter(choices=StaffMembership.Status.choices)

    class Meta:
        model = StaffMembership
        fields = ["role", "status", "can_impersonate"]


class ImpersonationFilter(django_filters.FilterSet):
    live = django_filters.BooleanFilter(
        method="filter_live", label="Only sessions still running (true) or ended (false)"
    )
    started_after = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = ImpersonationSession
        fields = ["customer", "live", "started_after", "started_before"]

    def filter_live(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        running = Q(ended_at__isnull=True, expires_at__gt=timezone.now())
        return queryset.filter(running) if value else queryset.exclude(running)


class ActivityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ActivityEvent.Kind.choices)
    actor = django_filters.ChoiceFilter(choices=ActivityEvent.Actor.choices)
    after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = ActivityEvent
        fields = ["kind", "actor", "after", "before"]
