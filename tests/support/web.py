"""The resident web pages: clients, logged-in residents, page text."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from contracts.models import Location
from customers.models import Customer
from memberships.services.registration import confirm_registration, register_resident
from tenants.models import Organisation
from tests.support.billing_data import billing_customer
from tests.support.consumption_data import add_meters
from tests.support.factories import last_link

PASSWORD = "a-fine-portal-password"
NOORD, ZUID = "portal.noord.test", "portal.zuid.test"


@pytest.fixture
def metered_home(db):
    """A resident with meters on both locations: (billing data, meters, location ids)."""
    data = billing_customer()
    meters = add_meters(data)
    make_resident(data)
    with schema_context("org_noord"):
        locations = {key: Location.objects.get(external_id=f"{data['ext']}-{key}").pk for key in ("L1", "L2")}
    return data, meters, locations


def field_errors(response, field_id: str) -> str:
    """The error list rendered next to one field (its id is what aria-describedby points at)."""
    match = re.search(rf'<ul class="errors" id="{re.escape(field_id)}">(.*?)</ul>', text(response), re.S)
    assert match, f"no errors for {field_id}"
    return match.group(1)


def ticket_of(data: dict, subject: str = "My meter blinks"):
    from support.services import open_ticket

    with schema_context("org_noord"):
        return open_ticket(
            organisation=Organisation.objects.get(schema_name="org_noord"),
            kind="meter_problem",
            subject=subject,
            message="It blinks red.",
            language="en",
            customer=Customer.objects.get(customer_number=data["number"]),
        )


def page_client(host: str = NOORD, language: str = "en", **options) -> Client:
    return Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE=language, **options)


def make_resident(data: dict, schema: str = "org_noord") -> None:
    organisation = Organisation.objects.get(schema_name=schema)
    with schema_context(schema):
        register_resident(
            organisation=organisation, customer_number=data["number"], email=data["email"], password=PASSWORD
        )
        confirm_registration(
            raw_token=last_link(schema, data["email"], "registration_confirmation", "/confirm/")
        )


def logged_in(data: dict, host: str = NOORD) -> Client:
    client = page_client(host)
    response = client.post("/login/", {"email": data["email"], "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/overview/"
    return client


@pytest.fixture
def web_resident(db):
    """A resident with a confirmed portal account (the billing_customer data)."""
    data = billing_customer()
    make_resident(data)
    return data


def text(response) -> str:
    return response.content.decode()
