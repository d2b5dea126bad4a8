"""Filters of the staff's help-request inbox (declarative: a bad value is a 400 naming the field)."""

from __future__ import annotations

import django_filters

from support.models import Ticket


class TicketFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Ticket.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Ticket.Kind.choices)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Ticket
        fields = ["status", "kind", "customer", "created_after", "created_before"]
