"""FAQ management: bad input is a 400 with field errors, roles, isolation, constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from support.models import FaqCategory, FaqEntry
from tests.support.common import data_queries
from tests.support.moves import staff_for
from tests.support.staff import add_staff

CATEGORIES = "/api/admin/faq/categories/"
ENTRIES = "/api/admin/faq/entries/"


@pytest.fixture
def staff(db, client_for):
    return staff_for(client_for)


def category(staff, **body) -> dict:
    response = staff.post(CATEGORIES, {"names": {"en": "Invoices"}, "position": 1, **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"names": {"en": "X"}, "position": "abc"}, "position", "A valid integer is required."),
        (
            {"names": {"en": "X"}, "position": -1},
            "position",
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            {"names": {"en": "X"}, "position": 10**12},
            "position",
            "Ensure this value is less than or equal to",
        ),
        (
            {"names": ["en", "X"], "position": 1},
            "names",
            'Expected a dictionary of items but got type "list".',
        ),
        ({"position": 1}, "names", "This field is required."),
        ({"names": {"de": "Rechnungen"}}, "names", "Give the text per language: en, nl or fr."),
        ({"names": {"en": "  "}}, "names", "Write it in at least one language."),
        (["names", "position"], "non_field_errors", "Invalid data. Expected a dictionary, but got list."),
    ],
)
def test_bad_category_input_is_a_400_with_the_field(staff, body, field, message):
    created = staff.post(CATEGORIES, body, format="json")
    assert created.status_code == 400
    assert created.json()["code"] == ("required" if message.startswith("Write") else "invalid")
    assert message in created.json()[field][0]
    existing = category(staff)
    changed = staff.put(f"{CATEGORIES}{existing['id']}/", body, format="json")
    assert changed.status_code == 400
    assert message in changed.json()[field][0]
    with schema_context("org_noord"):
        assert list(FaqCategory.objects.values_list("names", "position")) == [({"en": "Invoices"}, 1)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"questions": {"en": "Q"}, "answers": {"en": "A"}, "position": "x"}, "position"),
        ({"questions": {"en": "Q"}, "answers": {"en": "A"}, "position": -3}, "position"),
        ({"questions": "Q", "answers": {"en": "A"}}, "questions"),
        ({"questions": {"en": "Q"}, "answers": {"xx": "A"}}, "answers"),
        ({"questions": {"en": "Q"}, "answers": {"en": "A"}, "category": 999999}, "category"),
    ],
)
def test_bad_entry_input_is_a_400_with_the_field(staff, body, field):
    parent = category(staff)
    response = staff.post(ENTRIES, {"category": parent["id"], **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert response.json()["code"] == "invalid"
    with schema_context("org_noord"):
        assert not FaqEntry.objects.exists()


def test_support_staff_read_but_do_not_write_the_faq(staff, client_for):
    existing = category(staff)
    add_staff("helpdesk@noord.test", "support")
    support = staff_for(client_for, email="helpdesk@noord.test")
    assert [row["id"] for row in support.get(CATEGORIES).json()] == [existing["id"]]
    refused = support.post(CATEGORIES, {"names": {"en": "Mine"}}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert support.delete(f"{CATEGORIES}{existing['id']}/").status_code == 403
    with schema_context("org_noord"):
        assert FaqCategory.objects.count() == 1


def test_another_organisations_staff_cannot_touch_the_faq(staff, client_for):
    existing = category(staff)
    zuid = staff_for(client_for, host="portal.zuid.test", email="admin@zuid.test")
    assert zuid.get(CATEGORIES).json() == []
    assert (
        zuid.put(f"{CATEGORIES}{existing['id']}/", {"names": {"fr": "X"}}, format="json").status_code == 404
    )
    assert zuid.delete(f"{CATEGORIES}{existing['id']}/").status_code == 404
    replay = client_for("portal.noord.test")
    replay.credentials(HTTP_AUTHORIZATION=zuid._credentials["HTTP_AUTHORIZATION"])
    assert replay.get(CATEGORIES).status_code == 401
    assert replay.post(CATEGORIES, {"names": {"en": "X"}}, format="json").status_code == 401
    assert replay.delete(f"{CATEGORIES}{existing['id']}/").status_code == 401
    with schema_context("org_noord"):
        assert FaqCategory.objects.get(pk=existing["id"]).names == {"en": "Invoices"}


def _count(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(data_queries(queries))


def test_faq_lists_cost_the_same_queries_for_2_and_6_entries(staff, client_for):
    visitor = client_for("portal.noord.test")
    counts = []
    for total in (2, 6):
        while entry_count() < total:
            parent = category(staff, position=entry_count())
            response = staff.post(
                ENTRIES,
                {"category": parent["id"], "questions": {"en": "Q?"}, "answers": {"en": "<p>A</p>"}},
                format="json",
            )
            assert response.status_code == 201
        counts.append(
            (_count(staff, CATEGORIES), _count(staff, ENTRIES), _count(visitor, "/api/support/faq/"))
        )
    assert len(visitor.get("/api/support/faq/").json()) == 6
    assert counts[0] == counts[1]


def entry_count() -> int:
    with schema_context("org_noord"):
        return FaqEntry.objects.count()
