"""What the staff console's messages and help screens need from the API and the portal: the
message preview, a message on every resident page, staff replies with a file, reopening, and the
FAQ read one by one."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from configuration.pages import PAGES
from configuration.services import save_page_message
from memberships.models import StaffMembership
from support.models import FaqEntry, Ticket, TicketMessage
from tests.support.factories import outbox
from tests.support.moves import staff_for
from tests.support.staff import add_staff
from tests.support.tickets import image, new_ticket, pdf
from tests.support.web import logged_in, make_resident, page_client

PREVIEW = "/api/admin/configuration/messages/preview/"


def test_the_preview_is_the_html_the_resident_page_shows(db, client_for):
    staff = staff_for(client_for)
    html = (
        '<p onclick="steal()"><strong>Works</strong> on <a href="javascript:alert(1)">x</a> '
        '<a href="https://noord.example/works">the network</a><script>alert(1)</script>'
        '<span style="color: #ffff00; position: fixed">pale</span></p>'
    )
    response = staff.post(PREVIEW, {"kind": "warning", "html": html}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "<strong>Works</strong>" in body["html"]
    assert 'href="https://noord.example/works"' in body["html"]
    for stripped in ("onclick", "<script", "javascript:", "position"):
        assert stripped not in body["html"]
    assert body["background"] == "#fff4d6"
    assert [(w["code"], w["use"]) for w in body["warnings"]] == [("low_contrast", "text_colour")]
    assert body["length"] < body["recommended_length"]
    # The same message saved: the resident's page gets exactly the preview's HTML.
    with schema_context("org_noord"):
        save_page_message(
            message=None, values={"page": "overview", "kind": "warning", "bodies": {"en": html}}
        )
    site = client_for("portal.noord.test").get("/api/portal/site/", {"page": "overview"}).json()
    assert site["messages"][0]["html"] == body["html"]


def test_the_preview_warns_about_a_long_message_and_checks_its_input(db, client_for):
    staff = staff_for(client_for)
    long = staff.post(PREVIEW, {"kind": "neutral", "html": "<p>" + "word " * 80 + "</p>"}, format="json")
    assert [w["code"] for w in long.json()["warnings"]] == ["message_long"]
    bad = staff.post(PREVIEW, {"kind": "loud", "html": ["x"]}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) >= {"kind", "html"}
    add_staff("support@noord.test", StaffMembership.Role.SUPPORT)
    support = staff_for(client_for, email="support@noord.test")
    assert support.post(PREVIEW, {"html": "<p>x</p>"}, format="json").status_code == 200
    assert client_for("portal.noord.test").post(PREVIEW, {"html": "x"}, format="json").status_code == 401


def test_every_resident_page_can_be_chosen(db, client_for):
    keys = [page["key"] for page in staff_for(client_for).get("/api/admin/configuration/pages/").json()]
    expected = {"statements", "charges", "transactions", "documents", "tickets", "login", "password"}
    assert expected <= set(keys)


@pytest.mark.parametrize(
    ("page", "path", "resident_page"),
    [
        ("statements", "/statements/", True),
        ("charges", "/charges/", True),
        ("transactions", "/transactions/", True),
        ("documents", "/documents/", True),
        ("tickets", "/tickets/", True),
        ("password", "/my-details/password/", True),
        ("password", "/forgot-password/", False),
        ("login", "/login/", False),
    ],
)
def test_a_message_shows_on_its_page(db, page, path, resident_page):
    from tests.support.billing_data import billing_customer

    with schema_context("org_noord"):
        save_page_message(
            message=None,
            values={"page": page, "kind": "neutral", "bodies": {"en": f"<p>Note for {page}</p>"}},
        )
    if resident_page:
        data = billing_customer()
        make_resident(data)
        client = logged_in(data)
    else:
        client = page_client()
    body = client.get(path).content.decode()
    assert f"Note for {page}" in body, path
    assert PAGES[page]  # a page the console offers


def test_a_message_stays_on_its_own_page(resident):
    data, _client = resident
    with schema_context("org_noord"):
        save_page_message(message=None, values={"page": "charges", "bodies": {"en": "<p>Only charges</p>"}})
    client = logged_in(data)
    assert "Only charges" not in client.get("/statements/").content.decode()
    assert "Only charges" in client.get("/charges/").content.decode()


def test_staff_reply_with_a_file_reaches_the_residents_ticket_page_and_email(resident, client_for):
    data, client = resident
    ticket = new_ticket(client).json()
    staff = staff_for(client_for)
    answer = staff.post(
        f"/api/admin/tickets/{ticket['id']}/reply/",
        {"message": "Here is the receipt.", "attachment": SimpleUploadedFile("receipt.pdf", pdf())},
        format="multipart",
    )
    assert answer.status_code == 200, answer.content
    staff_message = answer.json()["messages"][-1]
    assert (staff_message["author"], staff_message["attachment_name"]) == ("staff", "receipt.pdf")
    [email] = outbox("org_noord", data["email"], "ticket_answered")
    assert "A file comes with this answer" in email.body_text
    page = logged_in(data)
    html = page.get(f"/tickets/{ticket['id']}/").content.decode()
    link = f"/tickets/{ticket['id']}/messages/{staff_message['id']}/attachment/"
    assert link in html
    download = page.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == pdf()
    # Another resident cannot reach it.
    from tests.support.billing_data import billing_customer

    other = billing_customer()
    make_resident(other)
    assert logged_in(other).get(link).status_code == 404


def test_staff_files_are_checked_and_need_a_portal_account(resident, client_for):
    _data, client = resident
    ticket = new_ticket(client).json()
    staff = staff_for(client_for)
    fake = staff.post(
        f"/api/admin/tickets/{ticket['id']}/reply/",
        {"message": "x", "attachment": SimpleUploadedFile("a.pdf", b"MZ not a pdf")},
        format="multipart",
    )
    assert (fake.status_code, fake.json()["code"]) == (400, "invalid_file_type")
    visitor = (
        client_for("portal.noord.test")
        .post(
            "/api/support/tickets/",
            {"kind": "question", "subject": "Hi", "message": "?", "email": "guest@example.test"},
            format="json",
        )
        .json()
    )
    refused = staff.post(
        f"/api/admin/tickets/{visitor['id']}/reply/",
        {"message": "x", "attachment": SimpleUploadedFile("p.png", image("PNG"))},
        format="multipart",
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "no_portal_account")
    assert "attachment" in refused.json()
    with schema_context("org_noord"):
        assert not TicketMessage.objects.filter(author="staff").exists()


def test_reopen_tells_the_requester_and_only_a_closed_ticket_reopens(resident, client_for):
    data, client = resident
    ticket = new_ticket(client).json()
    staff = staff_for(client_for)
    not_closed = staff.post(f"/api/admin/tickets/{ticket['id']}/reopen/")
    assert (not_closed.status_code, not_closed.json()["code"]) == (409, "not_closed")
    staff.post(f"/api/admin/tickets/{ticket['id']}/close/")
    reopened = staff.post(f"/api/admin/tickets/{ticket['id']}/reopen/")
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open"
    with schema_context("org_noord"):
        assert Ticket.objects.get(pk=ticket["id"]).closed_at is None
    [email] = outbox("org_noord", data["email"], "ticket_reopened")
    assert f"/tickets/{ticket['id']}/" in email.body_text
    zuid = staff_for(client_for, host="portal.zuid.test", email="admin@zuid.test")
    assert zuid.post(f"/api/admin/tickets/{ticket['id']}/reopen/").status_code == 404


def test_faq_category_and_entry_are_read_one_by_one(db, client_for):
    staff = staff_for(client_for)
    category = staff.post("/api/admin/faq/categories/", {"names": {"nl": "Facturen"}}, format="json").json()
    entry = staff.post(
        "/api/admin/faq/entries/",
        {
            "category": category["id"],
            "questions": {"nl": "Wanneer?"},
            "answers": {"nl": "<p>Maandelijks</p>"},
        },
        format="json",
    ).json()
    assert staff.get(f"/api/admin/faq/categories/{category['id']}/").json()["names"] == {"nl": "Facturen"}
    got = staff.get(f"/api/admin/faq/entries/{entry['id']}/").json()
    assert (got["questions"], got["answers"], got["warnings"]) == (
        {"nl": "Wanneer?"},
        {"nl": "<p>Maandelijks</p>"},
        [],
    )
    zuid = staff_for(client_for, host="portal.zuid.test", email="admin@zuid.test")
    assert zuid.get(f"/api/admin/faq/entries/{entry['id']}/").status_code == 404


def test_a_faq_entry_moves_up_and_down_within_its_category(db, client_for):
    staff = staff_for(client_for)
    category = staff.post("/api/admin/faq/categories/", {"names": {"en": "Bills"}}, format="json").json()
    other = staff.post("/api/admin/faq/categories/", {"names": {"en": "Other"}}, format="json").json()
    ids = [
        staff.post(
            "/api/admin/faq/entries/",
            {"category": cat["id"], "questions": {"en": q}, "answers": {"en": "<p>a</p>"}},
            format="json",
        ).json()["id"]
        for cat, q in ((category, "A"), (category, "B"), (other, "X"), (category, "C"))
    ]
    moved = staff.post(f"/api/admin/faq/entries/{ids[3]}/move/", {"direction": "up"}, format="json")
    assert (moved.status_code, moved.json()["position"]) == (200, 1)
    staff.post(f"/api/admin/faq/entries/{ids[0]}/move/", {"direction": "up"}, format="json")  # already first
    with schema_context("org_noord"):
        order = list(
            FaqEntry.objects.filter(category_id=category["id"])
            .order_by("position")
            .values_list("pk", flat=True)
        )
        assert order == [ids[0], ids[3], ids[1]]
        assert FaqEntry.objects.get(pk=ids[2]).position == 0  # the other category is untouched
    bad = staff.post(f"/api/admin/faq/entries/{ids[0]}/move/", {"direction": "sideways"}, format="json")
    assert bad.status_code == 400
    assert "direction" in bad.json()
    add_staff("support@noord.test", StaffMembership.Role.SUPPORT)
    support = staff_for(client_for, email="support@noord.test")
    assert (
        support.post(
            f"/api/admin/faq/entries/{ids[0]}/move/", {"direction": "down"}, format="json"
        ).status_code
        == 403
    )


def test_messages_are_filtered_by_type_and_searched_in_every_language(db, client_for):
    staff = staff_for(client_for)
    with schema_context("org_noord"):
        for page, kind, bodies in (
            (
                "overview",
                "warning",
                {"en": "<p>Heat <strong>outage</strong> tonight</p>", "nl": "<p>Storing</p>"},
            ),
            ("overview", "neutral", {"en": "<p>New tariffs</p>"}),
            ("login", "warning", {"fr": "<p>Panne de chauffage</p>"}),
        ):
            save_page_message(message=None, values={"page": page, "kind": kind, "bodies": bodies})
    messages = "/api/admin/configuration/messages/"

    def texts(**query):
        response = staff.get(messages, query)
        assert response.status_code == 200, response.content
        return sorted(next(iter(m["bodies"].values())) for m in response.json())

    assert len(texts(kind="warning")) == 2
    assert texts(search="STORING") == ["<p>Heat <strong>outage</strong> tonight</p>"]
    assert texts(search="panne chauffage") == ["<p>Panne de chauffage</p>"]
    assert texts(search="outage tariffs") == []  # every word must be there
    assert texts(page="overview", kind="neutral") == ["<p>New tariffs</p>"]
    assert staff.get(messages, {"kind": "loud"}).status_code == 400
