"""Reads about a customer's contracts, locations and services."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Contract, ContractLocation


def customer_contracts(*, customer) -> QuerySet[Contract]:
    return (
        Contract.objects.for_customer(customer)
        .select_related("advance_plan")
        .prefetch_related(
            Prefetch(
                "contract_locations",
                queryset=ContractLocation.objects.select_related("location").order_by("id"),
            )
        )
        .order_by("-start_date", "number")
    )


def service_summary(*, customer) -> dict:
    """Number of services and their connection status, over the customer's current contracts."""
    rows = (
        ContractLocation.objects.filter(customer_active_filter(customer))
        .select_related("location")
        .values_list("services", "location__connection_status")
    )
    services, statuses = 0, {}
    for service_list, status in rows:
        services += len(service_list)
        statuses[status] = statuses.get(status, 0) + len(service_list)
    return {"count": services, "by_connection_status": statuses}


def customer_active_filter(customer):
    from django.db.models import Q

    return (
        Q(contract__customer=customer)
        & ~Q(contract__status=Contract.Status.ENDED)
        & Q(move_out_date__isnull=True)
    )
