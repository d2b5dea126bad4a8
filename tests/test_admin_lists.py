"""Every staff and operator list takes the same query parameters (docs/api.md, config/api_lists.py).

The lists come from the OpenAPI documents themselves, so a new list is held to the standard without
anyone adding it here: each documents ``page``, ``page_size``, ``search`` and ``ordering``, answers an
unknown ordering field with 400, and ``page_size=2`` gives at most two rows with the same count.
Lists that cannot or need not follow it are on EXCEPTIONS, each with its reason.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from tests.support.factories import make_customer
from tests.support.organisations import PASSWORD
from tests.support.sweep_data import build_organisation, operator_credentials
from tests.support.sweep_schema import Operation, Side, operations, request_parts

pytestmark = pytest.mark.slow

NOORD = "portal.noord.test"
STANDARD = {"page", "page_size", "search", "ordering"}

# GET lists that do not follow the standard, and why.
EXCEPTIONS = {
    # Fixed sets the product defines, not data that grows: every resident page, every email template.
    "/api/admin/configuration/pages/": "the fixed list of resident pages",
    "/api/admin/configuration/emails/": "the fixed catalogue of email templates per language",
    # Its `page` parameter names a resident page (filter), so it cannot also take a page number.
    "/api/admin/configuration/messages/": "a few messages per resident page, filtered by `page`",
    "/api/admin/configuration/domains/": "the organisation's few domains",
    "/api/platform/organisations/{slug}/domains/": "an organisation's few domains",
    # The FAQ editor orders every question at once (filters and `ordering` by position, no pages).
    "/api/admin/faq/categories/": "a handful of categories, shown in their order",
    "/api/admin/faq/entries/": "ordered all at once by the FAQ editor (filters and ordering, no pages)",
    "/api/admin/integration/tokens/": "a handful of integration identities",
    # The billing system reads a plain array of the latest 50; staff use the admin list of runs.
    "/api/integration/import-runs/": "integration clients read an array (staff: /api/admin/integration/import-runs/)",
    # A meter's readings in a period, in time order: the period is the filter, there is no text.
    "/api/admin/consumption/meters/{id}/readings/": "a meter's readings in a period, in time order",
    "/api/admin/consumption/meters/{id}/registers/": "a meter's register readings in a period, in time order",
}


def in_scope(path: str) -> bool:
    return path.startswith(("/api/admin/", "/api/platform/")) or path == "/api/integration/import-runs/"


def _ok_schema(op: Operation) -> dict:
    content = op.spec.get("responses", {}).get("200", {}).get("content", {})
    return content.get("application/json", {}).get("schema", {})


def list_operations(document: dict) -> list[Operation]:
    """GET operations in scope that answer a list: a paginated page or a plain array."""
    found = []
    for op in operations(document):
        if op.method != "get" or not in_scope(op.path):
            continue
        schema = _ok_schema(op)
        if schema.get("type") == "array" or "Paginated" in schema.get("$ref", ""):
            found.append(op)
    return found


def query_parameters(op: Operation) -> set[str]:
    return {p["name"] for p in op.spec.get("parameters", []) if p.get("in") == "query"}


def schema_of(client_for, host: str) -> dict:
    response = client_for(host).get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def documents(db, client_for) -> dict[str, dict]:
    return {NOORD: schema_of(client_for, NOORD), "platform": schema_of(client_for, settings.PLATFORM_DOMAIN)}


def test_every_list_documents_page_page_size_search_and_ordering(documents):
    problems, seen = [], set()
    for document in documents.values():
        for op in list_operations(document):
            seen.add(op.path)
            if op.path in EXCEPTIONS:
                continue
            missing = STANDARD - query_parameters(op)
            if missing:
                problems.append(f"{op.name}: no {', '.join(sorted(missing))}")
    assert not problems, "\n".join(problems)
    stale = set(EXCEPTIONS) - seen
    assert not stale, f"exceptions for lists that no longer exist: {stale}"
    assert {"/api/admin/customers/", "/api/admin/move-ins/", "/api/platform/organisations/"} <= seen


def _get(host: str, token: str, path: str, query: dict):
    client = APIClient(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(path + "?" + urlencode(query))


def test_every_list_refuses_unknown_ordering_and_honours_page_size(documents):
    world = build_organisation("noord", second_customer=False)
    side = Side("own", world, world.first)
    hosts = {
        NOORD: (world.host, world.credentials["staff admin token"]["token"]),
        "platform": (settings.PLATFORM_DOMAIN, operator_credentials()["platform operator token"]["token"]),
    }
    problems, checked = [], 0
    for name, document in documents.items():
        host, token = hosts[name]
        for op in list_operations(document):
            if op.path in EXCEPTIONS:
                continue
            path, query = request_parts(op, side)
            whole = _get(host, token, path, query)
            if whole.status_code != 200:
                problems.append(f"{op.name}: {whole.status_code} {whole.content[:200]!r}")
                continue
            refused = _get(host, token, path, {**query, "ordering": "-no_such_field"})
            if refused.status_code != 400 or "ordering" not in refused.json():
                problems.append(f"{op.name}: unknown ordering gave {refused.status_code}")
            small = _get(host, token, path, {**query, "page_size": 2}).json()
            if len(small["results"]) > 2 or small["count"] != whole.json()["count"]:
                problems.append(f"{op.name}: page_size=2 gave {len(small['results'])} of {small['count']}")
            checked += 1
    assert not problems, "\n".join(problems)
    assert checked >= 15


# -- focused: the filters staff use most -------------------------------------------------------------
@pytest.fixture
def staff(noord_client):
    key = noord_client.post(
        "/api/auth/login/", {"email": "admin@noord.test", "password": PASSWORD}, format="json"
    ).json()["key"]
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return noord_client


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["customer_number"] for row in response.json()["results"]]


def test_customers_search_by_number_name_email_and_street(staff):
    from contracts.models import Contract, ContractLocation, Location
    from customers.models import CustomerAddress

    anna = make_customer(customer_number="S-7001", first_name="Annelies", last_name="Zwartveld")
    make_customer(customer_number="S-7002", last_name="Brouwers", email="bert.lijsterbes@example.test")
    carla = make_customer(customer_number="S-7003", last_name="Claes")
    with schema_context("org_noord"):
        CustomerAddress.objects.create(
            customer=anna,
            kind="personal",
            street="Kwartelstraat",
            house_number="8",
            postal_code="9000",
            city="Gent",
        )
        location = Location.objects.create(
            street="Merelhof", house_number="21", postal_code="9050", city="Gent"
        )
        contract = Contract.objects.create(customer=carla, number="K-7003", start_date="2024-01-01")
        ContractLocation.objects.create(contract=contract, location=location)

    assert numbers(staff.get("/api/admin/customers/?search=S-7002")) == ["S-7002"]
    assert numbers(staff.get("/api/admin/customers/?search=zwartveld")) == ["S-7001"]
    assert numbers(staff.get("/api/admin/customers/?search=Annelies Zwartveld")) == ["S-7001"]
    assert numbers(staff.get("/api/admin/customers/?search=lijsterbes")) == ["S-7002"]
    assert numbers(staff.get("/api/admin/customers/?search=kwartelstraat 8")) == ["S-7001"]
    assert numbers(staff.get("/api/admin/customers/?search=merelhof")) == ["S-7003"]
    # Every word must match: an address word and a name of another customer find nobody.
    assert numbers(staff.get("/api/admin/customers/?search=merelhof Brouwers")) == []
    # Filters and search together.
    assert numbers(staff.get("/api/admin/customers/?search=S-700&ordering=-customer_number")) == [
        "S-7003",
        "S-7002",
        "S-7001",
    ]


def test_customers_filter_by_portal_status(staff):
    from memberships.services.registration import register_resident
    from tenants.models import Organisation

    nobody = make_customer(customer_number="P-8001")
    pending = make_customer(customer_number="P-8002")
    with schema_context("org_noord"):
        register_resident(
            organisation=Organisation.objects.get(slug="noord"),
            customer_number=pending.customer_number,
            email=pending.email,
            password="a-long-resident-password-1",
        )
    assert numbers(staff.get("/api/admin/customers/?search=P-800&portal_status=no_account")) == [
        nobody.customer_number
    ]
    assert numbers(staff.get("/api/admin/customers/?search=P-800&portal_status=not_confirmed")) == ["P-8002"]
    assert numbers(staff.get("/api/admin/customers/?search=P-800&portal_status=active")) == []
    refused = staff.get("/api/admin/customers/?portal_status=sleeping")
    assert refused.status_code == 400
    assert "portal_status" in refused.json()


def test_page_size_is_capped_and_queries_do_not_grow(staff):
    from customers.models import Customer

    with schema_context("org_noord"):
        Customer.objects.bulk_create(
            Customer(customer_number=f"Q-{n:04}", last_name="Many", email=f"q{n}@example.test")
            for n in range(110)
        )
    body = staff.get("/api/admin/customers/?search=Q-&page_size=500").json()
    assert (body["count"], len(body["results"])) == (110, 100)
    assert len(staff.get("/api/admin/customers/?search=Q-").json()["results"]) == 25

    def queries(page_size: int) -> int:
        with CaptureQueriesContext(connection) as context:
            assert staff.get(f"/api/admin/customers/?search=Q-&page_size={page_size}").status_code == 200
        return len(context.captured_queries)

    assert queries(5) == queries(100)


def test_unknown_ordering_names_the_choices(staff):
    body = staff.get("/api/admin/tickets/?ordering=secret").json()
    assert "created_at" in body["ordering"][0]
    assert "secret" in body["ordering"][0]


ASKER = {"name": "Rita Radiator", "email": "rita@example.test"}


def test_ticket_status_filter(staff):
    from support.services import open_ticket
    from tenants.models import Organisation

    with schema_context("org_noord"):
        organisation = Organisation.objects.get(slug="noord")
        ticket = open_ticket(
            organisation=organisation,
            kind="question",
            subject="Radiator ticks",
            message="It ticks.",
            language="en",
            **ASKER,
        )
        ticket.status = "closed"
        ticket.save(update_fields=["status"])
        open_ticket(
            organisation=organisation,
            kind="complaint",
            subject="Radiator cold",
            message="Cold.",
            language="en",
            **ASKER,
        )

    def subjects(query: str) -> list[str]:
        response = staff.get(f"/api/admin/tickets/?search=radiator&{query}")
        assert response.status_code == 200, response.content
        return [row["subject"] for row in response.json()["results"]]

    assert subjects("status=closed") == ["Radiator ticks"]
    assert subjects("status=open") == ["Radiator cold"]
    assert subjects("kind=complaint") == ["Radiator cold"]
    assert sorted(subjects("")) == ["Radiator cold", "Radiator ticks"]
    assert staff.get("/api/admin/tickets/?status=lost").status_code == 400


def test_organisations_filter_by_status_and_search_by_domain(operator_client):
    from tenants.models import Organisation

    Organisation.objects.filter(slug="zuid").update(status="suspended")

    def slugs(query: str) -> list[str]:
        response = operator_client.get(f"/api/platform/organisations/?{query}")
        assert response.status_code == 200, response.content
        return [row["slug"] for row in response.json()["results"]]

    assert slugs("status=suspended") == ["zuid"]
    assert "zuid" not in slugs("status=active")
    assert slugs("search=portal.noord") == ["noord"]
    assert slugs("search=zuid&status=active") == []
    assert slugs("ordering=-slug")[:2] == sorted(slugs(""), reverse=True)[:2]
    assert operator_client.get("/api/platform/organisations/?status=asleep").status_code == 400
    assert operator_client.get("/api/platform/organisations/?ordering=schema_name").status_code == 400


def test_move_status_filters_refuse_what_is_never_listed(staff):
    for path in ("/api/admin/move-ins/", "/api/admin/move-outs/"):
        assert staff.get(f"{path}?status=submitted&ordering=-submitted_at").status_code == 200
        for status in ("draft", "lost"):
            refused = staff.get(f"{path}?status={status}")
            assert refused.status_code == 400
            assert "status" in refused.json()
    assert staff.get("/api/admin/move-outs/?status=cancelled").status_code == 200
    assert staff.get("/api/admin/move-ins/?status=cancelled").status_code == 400
