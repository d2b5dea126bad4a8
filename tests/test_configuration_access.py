"""Who may read and change the portal configuration: own organisation's staff only, by role."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from communications.catalogue import CATALOGUE
from communications.models import EmailTemplate
from configuration.models import PageMessage
from tests.support.common import data_queries
from tests.support.configuration import (
    FULL_PREFERENCES,
    GENERAL,
    MESSAGES,
    PREFS,
    as_staff,
    configuration_state,
)
from tests.support.organisations import PASSWORD as STAFF_PASSWORD
from tests.support.residents import active_resident, login
from tests.support.staff import add_staff

BILLING = "/api/admin/configuration/billing/"
PAGES = "/api/admin/configuration/pages/"
EMAILS = "/api/admin/configuration/emails/"
TEMPLATE = EMAILS + "password_reset/en/"
NO_STAFF_ROLE = {"code": "permission_denied", "detail": "This requires a staff role that you do not have."}
NO_SUCH_MESSAGE = {"code": "not_found", "detail": "There is no such message."}
NOT_LOGGED_IN = {"code": "not_authenticated", "detail": "Authentication credentials were not provided."}


def writes(message_id: int) -> list[tuple[str, str, dict]]:
    return [
        ("put", PREFS, FULL_PREFERENCES),
        ("patch", PREFS, {"primary_colour": "#000000", "use_organisation_colours": False}),
        ("put", GENERAL, {"primary_colour": "#000000", "secondary_colour": "#ffffff"}),
        ("patch", GENERAL, {"primary_colour": "#000000"}),
        ("patch", BILLING, {"minimum_advance_amount": "999.00"}),
        ("post", MESSAGES, {"page": "home", "bodies": {"en": "<p>intruder</p>"}}),
        ("put", f"{MESSAGES}{message_id}/", {"page": "login", "kind": "important", "bodies": {"en": "x"}}),
        ("patch", f"{MESSAGES}{message_id}/", {"kind": "important"}),
        ("delete", f"{MESSAGES}{message_id}/", {}),
        ("put", TEMPLATE, {"subject": "Hacked", "body_text": "Hacked"}),
        ("delete", TEMPLATE, {}),
    ]


def reads(message_id: int) -> list[str]:
    return [PREFS, GENERAL, BILLING, PAGES, MESSAGES, f"{MESSAGES}{message_id}/", EMAILS, TEMPLATE]


def call(client, method: str, path: str, payload: dict):
    return getattr(client, method)(path, payload, format="json")


def test_staff_of_b_cannot_read_or_change_a(noord_client, zuid_client, client_for):
    as_staff(zuid_client, "admin@zuid.test")
    created = zuid_client.post(
        MESSAGES, {"page": "home", "kind": "warning", "bodies": {"en": "<p>zuid</p>"}}, format="json"
    )
    assert created.status_code == 201
    zuid_message = created.json()["id"]
    assert (
        zuid_client.put(TEMPLATE, {"subject": "Zuid", "body_text": "Zuid"}, format="json").status_code == 200
    )
    with schema_context("org_noord"):
        assert not PageMessage.objects.filter(pk=zuid_message).exists()
    zuid_before, noord_before = configuration_state("org_zuid"), configuration_state("org_noord")

    # Zuid's token means nothing on noord's domain, for reading or writing.
    zuid_key = login(client_for("portal.zuid.test"), "admin@zuid.test", STAFF_PASSWORD).json()["key"]
    replayed = client_for("portal.noord.test")
    replayed.credentials(HTTP_AUTHORIZATION=f"Token {zuid_key}")
    for path in reads(zuid_message):
        response = replayed.get(path)
        assert (response.status_code, response.json()["code"]) == (401, "token_invalid"), path
    for method, path, payload in writes(zuid_message):
        response = call(replayed, method, path, payload)
        assert (response.status_code, response.json()["code"]) == (401, "token_invalid"), path

    # Noord's own administrator, on noord's domain, cannot reach zuid's message by its id.
    as_staff(noord_client)
    assert noord_client.get(MESSAGES).json() == []
    message_url = f"{MESSAGES}{zuid_message}/"
    response = noord_client.get(message_url)
    assert (response.status_code, response.json()) == (404, NO_SUCH_MESSAGE)
    for method, payload in (
        ("put", {"page": "login", "bodies": {"en": "x"}}),
        ("patch", {"kind": "neutral"}),
    ):
        response = call(noord_client, method, message_url, payload)
        assert (response.status_code, response.json()) == (404, NO_SUCH_MESSAGE)
    response = noord_client.delete(message_url)
    assert (response.status_code, response.json()) == (404, NO_SUCH_MESSAGE)

    # Noord's token on zuid's domain: the same.
    noord_key = login(client_for("portal.noord.test"), "admin@noord.test", STAFF_PASSWORD).json()["key"]
    other_way = client_for("portal.zuid.test")
    other_way.credentials(HTTP_AUTHORIZATION=f"Token {noord_key}")
    for method, path, payload in writes(zuid_message):
        response = call(other_way, method, path, payload)
        assert (response.status_code, response.json()["code"]) == (401, "token_invalid"), path

    assert configuration_state("org_zuid") == zuid_before
    assert configuration_state("org_noord") == noord_before
    with schema_context("org_zuid"):
        message = PageMessage.objects.get(pk=zuid_message)
        assert (message.kind, message.bodies) == ("warning", {"en": "<p>zuid</p>"})


def test_residents_and_support_cannot_change_configuration(noord_client, client_for):
    staff = as_staff(noord_client)
    message_id = staff.post(MESSAGES, {"page": "home", "bodies": {"en": "<p>hi</p>"}}, format="json").json()[
        "id"
    ]
    before = configuration_state("org_noord")

    customer = active_resident()
    resident = client_for("portal.noord.test")
    resident.credentials(HTTP_AUTHORIZATION=f"Token {login(resident, customer.email).json()['key']}")
    for path in reads(message_id):
        response = resident.get(path)
        assert (response.status_code, response.json()) == (403, NO_STAFF_ROLE), path
    for method, path, payload in writes(message_id):
        response = call(resident, method, path, payload)
        assert (response.status_code, response.json()) == (403, NO_STAFF_ROLE), (method, path)

    anonymous = client_for("portal.noord.test")
    for method, path, payload in writes(message_id):
        response = call(anonymous, method, path, payload)
        assert (response.status_code, response.json()) == (401, NOT_LOGGED_IN), (method, path)

    add_staff("support@noord.test", "support")
    support = as_staff(client_for("portal.noord.test"), "support@noord.test")
    for path in reads(message_id):
        assert support.get(path).status_code == 200, path
    for method, path, payload in writes(message_id):
        response = call(support, method, path, payload)
        assert (response.status_code, response.json()) == (403, NO_STAFF_ROLE), (method, path)

    assert configuration_state("org_noord") == before


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_unknown_message_is_not_found_with_a_stable_code(noord_client, method):
    response = call(as_staff(noord_client), method, f"{MESSAGES}987654/", {"kind": "neutral"})
    assert (response.status_code, response.json()) == (404, NO_SUCH_MESSAGE)


@pytest.mark.parametrize("method", ["get", "put", "delete"])
@pytest.mark.parametrize(
    ("path", "language", "detail"),
    [
        (EMAILS + "nothing/en/", "en", "There is no such email."),
        (EMAILS + "nothing/en/", "nl", "Deze e-mail bestaat niet."),
        (EMAILS + "password_reset/de/", "en", "Choose en, nl or fr."),
        (EMAILS + "password_reset/de/", "fr", "Choisissez en, nl ou fr."),
    ],
)
def test_unknown_email_or_language_is_not_found_in_the_visitors_language(
    db, client_for, method, path, language, detail
):
    staff = as_staff(client_for("portal.noord.test", language=language))
    response = call(staff, method, path, {"subject": "S", "body_text": "T"})
    assert (response.status_code, response.json()) == (404, {"code": "not_found", "detail": detail})
    with schema_context("org_noord"):
        assert not EmailTemplate.objects.exists()


def _count(client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(response.json()), len(data_queries(queries))


def test_message_list_costs_the_same_queries_for_2_or_20_messages(noord_client):
    staff = as_staff(noord_client)
    with schema_context("org_noord"):
        PageMessage.objects.bulk_create(
            PageMessage(page="home", bodies={"en": f"<p>{i}</p>"}) for i in range(2)
        )
    staff.get(MESSAGES)  # warm the staff lookups of the token
    rows_few, queries_few = _count(staff, MESSAGES)
    with schema_context("org_noord"):
        PageMessage.objects.bulk_create(
            PageMessage(page="faq", bodies={"en": f"<p>{i}</p>"}) for i in range(18)
        )
    rows_many, queries_many = _count(staff, MESSAGES)
    assert (rows_few, rows_many) == (2, 20)
    assert queries_many == queries_few


def test_email_list_costs_the_same_queries_for_2_or_20_customised_templates(noord_client):
    staff = as_staff(noord_client)
    pairs = [(key, language) for key in CATALOGUE for language in ("en", "nl", "fr")]
    assert len(pairs) >= 20

    def customise(chosen):
        with schema_context("org_noord"):
            EmailTemplate.objects.bulk_create(
                EmailTemplate(template=key, language=language, subject="S", body_text="T")
                for key, language in chosen
            )

    customise(pairs[:2])
    staff.get(EMAILS)
    rows, queries_few = _count(staff, EMAILS)
    customise(pairs[2:20])
    same_rows, queries_many = _count(staff, EMAILS)
    assert rows == same_rows == len(CATALOGUE)
    assert queries_many == queries_few
    listing = staff.get(EMAILS).json()
    customised = sum(entry["customised"] for row in listing for entry in row["templates"].values())
    assert customised == 20
