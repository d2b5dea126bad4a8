"""Reads about customers, for the staff admin."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Customer


def search_customers(*, query: str = "") -> QuerySet[Customer]:
    queryset = Customer.objects.select_related("portal_account").order_by("customer_number")
    if query:
        queryset = queryset.filter(
            Q(customer_number__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(company_name__icontains=query)
            | Q(email__icontains=query)
            | Q(portal_account__login_email__icontains=query)
        )
    return queryset
