"""Every resident view hands out only its resident's customer's rows (core.scoping, portal_api.api.base).

The views come from the URLconf itself: every view under /api/portal/ (but the anonymous site
settings) must be a resident view, and every resident view with a queryset is asked for it as
resident A in a schema that also holds customer B's objects of every kind. Its queryset must be
scoped to A (``scoped_customer_id``) and hold A's rows only, and some. A view that builds its
queryset and skips the scoping is caught (the last tests prove the check would notice). Resident
views without a queryset read through selectors given ``request.resident.customer``; what they
answer is swept by tests/test_isolation_sweep.py.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_context
from rest_framework import generics
from rest_framework.test import APIRequestFactory, force_authenticate

from accounts.models import User
from core.scoping import CustomerOwnedQuerySet, customer_owned_models
from invoicing.models import Invoice
from portal_api.api.base import ResidentMixin
from portal_api.api.personal_data import ConfirmAccountDeletionView
from portal_api.api.views import PortalSiteView
from tests.support.sweep_data import build_customer, new_marker

HOST = "portal.noord.test"
# The portal's public site settings, and confirming an account deletion with the emailed link's
# token (the token decides whose account; no login needed): no resident involved.
ANONYMOUS = {PortalSiteView, ConfirmAccountDeletionView}


def _patterns(patterns, prefix: str = ""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "cls"):
            yield route, entry.callback.cls


def portal_views() -> dict[str, type]:
    """Every DRF view under /api/portal/ on an organisation's domain, by route."""
    return {
        route: view
        for route, view in _patterns(get_resolver("config.urls_tenant").url_patterns)
        if route.startswith("api/portal/")
    }


def resident_views() -> dict[str, type]:
    return {route: view for route, view in portal_views().items() if issubclass(view, ResidentMixin)}


def queryset_views() -> dict[str, type]:
    return {
        route: view for route, view in resident_views().items() if issubclass(view, generics.GenericAPIView)
    }


def owner_id(row, path: str) -> int:
    """The customer a row belongs to, found by following ``customer_path`` in Python (not SQL)."""
    *relations, last = path.split("__")
    for name in relations:
        row = getattr(row, name)
    return row.pk if last == "pk" else getattr(row, f"{last}_id")


def scoping_problems(view_class: type, *, organisation, user, customer, other) -> list[str]:
    """What is wrong with the queryset ``view_class`` hands out to ``customer``'s resident, while
    ``other`` (another customer) has rows of the same model."""
    django_request = APIRequestFactory().get("/", HTTP_HOST=HOST)
    django_request.organisation = organisation
    force_authenticate(django_request, user=user)
    view = view_class()
    view.args, view.kwargs = (), {}
    view.request = view.initialize_request(django_request)
    view.headers = view.default_response_headers
    view.format_kwarg = None
    view.initial(view.request)  # authentication, the resident, permissions: as in a real call
    queryset = view.get_queryset()
    if not isinstance(queryset, CustomerOwnedQuerySet):
        return [f"{queryset.model.__name__} is no customer-owned queryset"]
    if not queryset.model._default_manager.for_customer(other).exists():
        return [f"the other customer has no {queryset.model.__name__}: the check would prove nothing"]
    problems = []
    if queryset.scoped_customer_id != customer.pk:
        problems.append(f"not scoped to the resident's customer (scoped to {queryset.scoped_customer_id})")
    rows = list(queryset)
    if not rows:
        problems.append("no rows at all: the check would prove nothing")
    others = {owner_id(row, queryset.model.customer_path) for row in rows} - {customer.pk}
    if others:
        problems.append(f"rows of customers {sorted(others)}")
    return problems


@pytest.fixture
def two_customers(noord):
    """Resident A and customer B of the same organisation, each with objects of every kind."""
    schema = noord.schema_name
    first = build_customer(noord, schema, HOST, new_marker("sa"))
    second = build_customer(noord, schema, HOST, new_marker("sb"), resident=False)
    with schema_context(schema):
        user = User.objects.get(email=first.email)
    return noord, user, first.customer, second.customer


def test_every_portal_view_is_a_resident_view():
    views = portal_views()
    assert len(views) > 25  # the URLconf was walked, not an empty corner of it
    strays = {route for route, view in views.items() if view not in ANONYMOUS} - set(resident_views())
    assert not strays, f"views under /api/portal/ without ResidentMixin: {sorted(strays)}"


def test_the_customer_owned_models_declare_their_path():
    names = {model.__name__ for model in customer_owned_models()}
    assert {"Customer", "Contract", "Invoice", "InvoiceLine", "Transaction", "Document"} <= names
    assert {"Ticket", "TicketMessage", "MoveOutRequest", "MeterPhoto", "PortalAccount"} <= names


def test_every_resident_queryset_is_scoped_to_the_resident(two_customers):
    organisation, user, customer, other = two_customers
    views = queryset_views()
    assert len(views) >= 12, sorted(views)
    with schema_context(organisation.schema_name):
        failures = {
            route: problems
            for route, view in views.items()
            if (
                problems := scoping_problems(
                    view, organisation=organisation, user=user, customer=customer, other=other
                )
            )
        }
    assert not failures, failures


class UnscopedInvoices(ResidentMixin, generics.ListAPIView):
    """A view that builds its own queryset and forgets the resident."""

    def get_queryset(self):
        return Invoice.objects.all()


class ForgetfulInvoices(ResidentMixin, generics.ListAPIView):
    """A view whose own queryset forgets the resident: the base view scopes it all the same."""

    def resident_queryset(self):
        return Invoice.objects.all()


def test_the_check_catches_a_view_that_skips_the_scoping(two_customers):
    organisation, user, customer, other = two_customers
    people = {"organisation": organisation, "user": user, "customer": customer, "other": other}
    with schema_context(organisation.schema_name):
        problems = scoping_problems(UnscopedInvoices, **people)
        assert problems[0].startswith("not scoped to the resident's customer")
        assert f"rows of customers [{other.pk}]" in problems
        assert scoping_problems(ForgetfulInvoices, **people) == []
