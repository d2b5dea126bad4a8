"""Reads about customers, for the staff admin."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from contracts.models import ContractLocation
from customers.models import Customer, CustomerAddress

# A search takes at most this many words; each must match (number, name, email or an address).
MAX_SEARCH_WORDS = 6


def _address_matches(word: str, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}street__icontains": word})
        | Q(**{f"{prefix}house_number__iexact": word})
        | Q(**{f"{prefix}postal_code__iexact": word})
        | Q(**{f"{prefix}city__icontains": word})
    )


def _word_matches(word: str) -> Q:
    """One word of a staff search: the customer's number, names, emails or any of their addresses.

    Addresses are the customer's own (personal, company, billing) and the locations of their
    contracts, read with EXISTS so that a customer with many addresses is still one row.
    """
    own_address = CustomerAddress.objects.filter(_address_matches(word), customer=OuterRef("pk"))
    location = ContractLocation.objects.filter(
        _address_matches(word, "location__"), contract__customer=OuterRef("pk")
    )
    return (
        Q(customer_number__icontains=word)
        | Q(first_name__icontains=word)
        | Q(last_name__icontains=word)
        | Q(company_name__icontains=word)
        | Q(email__icontains=word)
        | Q(portal_account__login_email__icontains=word)
        | Exists(own_address)
        | Exists(location)
    )


def search_customers(*, query: str = "", queryset: QuerySet[Customer] | None = None) -> QuerySet[Customer]:
    """Customers for the staff list; ``query``'s words each match a number, name, email or address.

    ``queryset`` narrows an already filtered list (the list view's filters run first).
    """
    if queryset is None:
        queryset = Customer.objects.select_related("portal_account").order_by("customer_number")
    for word in query.split()[:MAX_SEARCH_WORDS]:
        queryset = queryset.filter(_word_matches(word))
    return queryset
