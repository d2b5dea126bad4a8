"""An organisation of its own whose data is committed, as a server's is (autocommit, real COMMITs).

For tests of what is cached under data versions (tenants.data_versions): inside the usual test
transaction nothing commits, so every answer would come from the database. The organisation is
onboarded once per test module that uses these fixtures (a pytest plugin of tests/conftest.py)
and dropped at its end. ``committed`` alone gives autocommit on the test database (tests with a
worker or a server of their own), ``onboarded`` an organisation of a module's own (the faults).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from integration.importing import run_import
from tests.support.billing_data import billing_customer
from tests.support.residents import resident_client

HOST = "portal.fresh.test"
SCHEMA = "org_fresh"


@contextmanager
def onboarded(*, name: str, slug: str, domain: str) -> Iterator:
    """An organisation onboarded for real (committed), dropped with its schema when done. Call with
    the database unblocked (``django_db_blocker.unblock()``)."""
    from operators.onboarding import onboard_organisation
    from tenants.models import Organisation
    from tenants.routing import bump_version

    result = onboard_organisation(
        name=name, slug=slug, domain=domain, admin_email=f"admin@{slug}.test", default_language="en"
    )
    connection.set_schema_to_public()
    try:
        yield result.organisation
    finally:
        connection.set_schema_to_public()
        Organisation.objects.get(slug=slug).delete(force_drop=True)
        bump_version()


@pytest.fixture(scope="module")
def fresh_org(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), onboarded(name="Fresh Heat", slug="fresh", domain=HOST) as organisation:
        yield organisation


@pytest.fixture
def committed(django_db_blocker):
    """Autocommit, as a server runs: what the test writes is seen by other connections (a worker,
    a server), and stays unless the test removes it."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


@pytest.fixture
def committed_org(fresh_org, committed):
    return fresh_org


def import_payload(payload: dict) -> None:
    """Send ``payload`` through the real import into the committed organisation."""
    with schema_context(SCHEMA):
        result = run_import(payload=payload)
    assert result["error_count"] == 0, result


@pytest.fixture
def committed_resident(committed_org, client_for):
    """A customer with invoices, contracts and documents, and their logged-in API client."""
    data = billing_customer(SCHEMA)
    return {**data, "client": resident_client(client_for, data, schema=SCHEMA, host=HOST)}
