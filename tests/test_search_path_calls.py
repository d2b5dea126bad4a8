"""`SET search_path` at most once per request, none when it is already right (TENANT_LIMIT_SET_CALLS and
tenants.postgresql_backend, issue 20), and never a stale one:
the schema follows every switch between organisations on the same connection, and the snapshot's
raw `SET search_path` does not leave the connection in the wrong schema."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from customers.models import Customer
from tenants import provisioning
from tenants.models import Organisation
from tests.support.billing_data import billing_customer
from tests.support.residents import resident_client


def _set_calls(queries) -> int:
    return sum(1 for query in queries if query["sql"].lstrip().upper().startswith("SET SEARCH_PATH"))


def test_a_resident_request_sets_the_search_path_only_when_it_changes(db, client_for):
    client = resident_client(client_for, billing_customer(invoices=3))
    assert client.get("/api/portal/overview/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/portal/overview/").status_code == 200
    assert _set_calls(captured.captured_queries) == 0  # the same organisation: the path is still set
    assert len(captured.captured_queries) > 5  # the overview's own queries ran
    with schema_context("org_zuid"):
        Customer.objects.exists()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/portal/overview/").status_code == 200
    assert _set_calls(captured.captured_queries) == 1  # back from another organisation: once


def test_alternating_organisations_on_one_connection_each_see_their_own_rows(db, client_for):
    noord = resident_client(client_for, billing_customer(invoices=2))
    zuid_data = billing_customer("org_zuid", invoices=2)
    zuid = resident_client(client_for, zuid_data, schema="org_zuid", host="portal.zuid.test")
    for _ in range(3):
        mine = noord.get("/api/portal/invoices/").json()["results"]
        theirs = zuid.get("/api/portal/invoices/").json()["results"]
        assert {row["number"] for row in mine}.isdisjoint({row["number"] for row in theirs})
        assert all(row["number"].startswith(zuid_data["ext"]) for row in theirs)
    with schema_context("org_noord"):
        noord_numbers = set(Customer.objects.values_list("customer_number", flat=True))
    with schema_context("org_zuid"):
        assert zuid_data["number"] in set(Customer.objects.values_list("customer_number", flat=True))
    assert zuid_data["number"] not in noord_numbers


def test_a_schema_made_from_the_snapshot_leaves_the_connection_where_django_tenants_thinks_it_is(db):
    billing_customer(invoices=2)
    provisioning.create_schema("org_searchpath_check", method=provisioning.CLONE)
    assert Organisation.objects.filter(schema_name="org_noord").exists()  # public, as before
    with schema_context("org_searchpath_check"):
        assert Customer.objects.count() == 0  # the new, empty schema
    with schema_context("org_noord"):
        assert Customer.objects.count() > 0
    provisioning.drop_schema("org_searchpath_check")
