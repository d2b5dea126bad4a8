"""Residents with a confirmed portal account, and their API clients."""

from __future__ import annotations

from django_tenants.utils import schema_context

from memberships.services.registration import confirm_registration, register_resident
from tenants.models import Organisation
from tests.support.factories import last_link, make_customer

PASSWORD = "a-fine-portal-password"


def resident_client(client_for, data: dict, schema="org_noord", host="portal.noord.test", language="en"):
    organisation = Organisation.objects.get(schema_name=schema)
    with schema_context(schema):
        register_resident(
            organisation=organisation, customer_number=data["number"], email=data["email"], password=PASSWORD
        )
        confirm_registration(
            raw_token=last_link(schema, data["email"], "registration_confirmation", "/confirm/")
        )
    client = client_for(host, language=language)
    key = client.post(
        "/api/auth/login/", {"email": data["email"], "password": PASSWORD}, format="json"
    ).json()["key"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def active_resident(schema="org_noord", **fields):
    customer = make_customer(schema, **fields)
    organisation = Organisation.objects.get(schema_name=schema)
    with schema_context(schema):
        register_resident(
            organisation=organisation,
            customer_number=customer.customer_number,
            email=customer.email,
            password=PASSWORD,
        )
        token = last_link(schema, customer.email, "registration_confirmation", "/confirm/")
        confirm_registration(raw_token=token)
    return customer


def login(client, email, password=PASSWORD):
    return client.post("/api/auth/login/", {"email": email, "password": password}, format="json")
