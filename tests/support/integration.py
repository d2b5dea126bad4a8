"""The integration API: a token client (fixture) and the import call."""

from __future__ import annotations

import json

import pytest

from tests.support.staff import as_staff_client


@pytest.fixture
def integration(db, client_for):
    admin = as_staff_client(client_for("portal.noord.test"))
    created = admin.post("/api/admin/integration/tokens/", {"name": "Billing system"}, format="json")
    assert created.status_code == 201
    client = client_for("portal.noord.test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {created.json()['key']}")
    return client


def post(client, payload):
    return client.post("/api/integration/import/", data=json.dumps(payload), content_type="application/json")


CUSTOMER = {
    "external_id": "imp-1",
    "customer_number": "IMP-1",
    "first_name": "Ina",
    "last_name": "Port",
    "email": "ina@example.test",
}
