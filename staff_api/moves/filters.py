"""Filters of the staff's move-in and move-out queues (declarative: a bad value is a 400 naming it).

``search`` stays in the views: a reference like ``MI-12`` and the applicant's name inside the step
data are no field list.
"""

from __future__ import annotations

import django_filters

from moves.models import MOVE_IN_STATUSES, MoveInRequest, MoveOutRequest, RequestStatus

# Drafts are never listed to staff.
LISTED_MOVE_IN_STATUSES = [choice for choice in MOVE_IN_STATUSES if choice[0] != RequestStatus.DRAFT]
LISTED_MOVE_OUT_STATUSES = [choice for choice in RequestStatus.choices if choice[0] != RequestStatus.DRAFT]


class MoveInFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LISTED_MOVE_IN_STATUSES)
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    move_in_from = django_filters.DateFilter(field_name="move_in_date", lookup_expr="gte")
    move_in_until = django_filters.DateFilter(field_name="move_in_date", lookup_expr="lte")

    class Meta:
        model = MoveInRequest
        fields = ["status", "submitted_after", "submitted_before", "move_in_from", "move_in_until"]


class MoveOutFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LISTED_MOVE_OUT_STATUSES)
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    move_out_from = django_filters.DateFilter(field_name="move_out_date", lookup_expr="gte")
    move_out_until = django_filters.DateFilter(field_name="move_out_date", lookup_expr="lte")

    class Meta:
        model = MoveOutRequest
        fields = [
            "status",
            "customer",
            "submitted_after",
            "submitted_before",
            "move_out_from",
            "move_out_until",
        ]
