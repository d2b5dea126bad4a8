"""Help requests: attachments judged by content and downloaded by staff, resident replies, closing,
the support address, isolation, query counts, throttling."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from support.models import Ticket, TicketMessage
from tests.support.billing_data import billing_customer
from tests.support.common import data_queries
from tests.support.configuration import set_preferences
from tests.support.factories import outbox
from tests.support.moves import staff_for
from tests.support.residents import resident_client
from tests.support.staff import add_staff
from tests.support.tickets import image, new_ticket, pdf


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("proof.pdf", b"MZ executable"),
        ("proof.pdf", b"%PDF-1.4 then anything at all, no objects, no cross-reference table"),
        ("proof.pdf", pdf()[:-40]),  # cut off: no startxref, no end-of-file marker
        ("proof.pdf", pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>")),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200),  # a PNG signature, then nothing decodable
        ("photo.jpg", image("JPEG")[:40]),  # a JPEG that stops after its header
        ("photo.gif", image("GIF")),  # a real image, but not one of the accepted formats
    ],
)
def test_disguised_or_broken_attachments_are_refused(resident, name, content):
    _data, client = resident
    response = new_ticket(client, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_file_type"
    assert response.json()["attachment"] == ["Attach a PDF, PNG or JPEG file."]
    with schema_context("org_noord"):
        assert not Ticket.objects.exists()


def test_an_attachment_over_10_mb_is_refused(resident):
    _data, client = resident
    response = new_ticket(client, SimpleUploadedFile("big.pdf", pdf() + b"%" * (10 * 1024 * 1024)))
    assert (response.status_code, response.json()["code"]) == (400, "file_too_large")
    assert response.json()["attachment"] == ["The attachment is too large: at most 10 MB."]
    with schema_context("org_noord"):
        assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("proof.pdf", pdf(), "application/pdf"),
        ("scan.png", image("PNG"), "image/png"),
        ("scan.jpeg", image("JPEG"), "image/jpeg"),
    ],
)
def test_staff_download_an_attachment_as_a_sandboxed_file(resident, client_for, name, content, content_type):
    _data, client = resident
    created = new_ticket(client, SimpleUploadedFile(name, content))
    assert created.status_code == 201, created.content
    staff = staff_for(client_for)
    [message] = staff.get(f"/api/admin/tickets/{created.json()['id']}/").json()["messages"]
    assert message["has_attachment"] is True
    assert message["attachment_type"] == content_type
    url = message["attachment_url"]
    assert (
        url
        == f"http://portal.noord.test/api/admin/tickets/{created.json()['id']}/messages/{message['id']}/attachment/"
    )
    listed = staff.get("/api/admin/tickets/").json()["results"][0]["messages"][0]
    assert listed["attachment_url"] == url
    download = staff.get(url.removeprefix("http://portal.noord.test"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"] == f'attachment; filename="{name}"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    # Residents see that there is an attachment, not the staff download address.
    resident_view = client.get(f"/api/portal/tickets/{created.json()['id']}/").json()["messages"][0]
    assert resident_view["has_attachment"] is True
    assert "attachment_url" not in resident_view


def test_attachments_stay_within_their_organisation_and_staff(resident, client_for):
    _data, client = resident
    ticket = new_ticket(client, SimpleUploadedFile("proof.pdf", pdf())).json()
    with schema_context("org_noord"):
        message_id = TicketMessage.objects.get(ticket_id=ticket["id"]).pk
    path = f"/api/admin/tickets/{ticket['id']}/messages/{message_id}/attachment/"
    zuid_staff = staff_for(client_for, host="portal.zuid.test", email="admin@zuid.test")
    assert zuid_staff.get(path).status_code == 404
    replay = client_for("portal.noord.test")
    replay.credentials(HTTP_AUTHORIZATION=zuid_staff._credentials["HTTP_AUTHORIZATION"])
    assert replay.get(path).status_code == 401
    assert client.get(path).status_code == 403  # the resident who sent it
    assert client_for("portal.noord.test").get(path).status_code == 401
    staff = staff_for(client_for)
    assert (
        staff.get(f"/api/admin/tickets/{ticket['id'] + 1000}/messages/{message_id}/attachment/").status_code
        == 404
    )
    add_staff("helpdesk@noord.test", "support")
    assert staff_for(client_for, email="helpdesk@noord.test").get(path).status_code == 200


def test_a_resident_replies_and_the_closed_ticket_opens_again(resident, client_for):
    data, client = resident
    set_preferences(support_email="service@noord.test")
    ticket = new_ticket(client).json()
    staff = staff_for(client_for)
    answered = staff.post(
        f"/api/admin/tickets/{ticket['id']}/reply/",
        {"message": "Received, thanks.", "close": True},
        format="json",
    )
    assert answered.json()["status"] == "closed"
    assert "Reply via the portal" in outbox("org_noord", data["email"], "ticket_answered")[-1].body_text
    reply = client.post(
        f"/api/portal/tickets/{ticket['id']}/reply/",
        {"message": "It is not settled yet.", "attachment": SimpleUploadedFile("more.png", image("PNG"))},
        format="multipart",
    )
    assert reply.status_code == 200, reply.content
    body = reply.json()
    assert body["status"] == "open"
    assert [(m["author"], m["body"]) for m in body["messages"]] == [
        ("requester", "See proof"),
        ("staff", "Received, thanks."),
        ("requester", "It is not settled yet."),
    ]
    assert body["messages"][-1]["has_attachment"] is True
    [notice] = outbox("org_noord", "service@noord.test", "ticket_reply")
    assert "It is not settled yet." in notice.body_text
    assert ticket["reference"] in notice.subject
    assert notice.reply_to == data["email"]
    assert client.get("/api/portal/overview/").json()["tickets"][0]["reference"] == ticket["reference"]
    empty = client.post(f"/api/portal/tickets/{ticket['id']}/reply/", {"message": ""}, format="json")
    assert empty.status_code == 400
    assert "message" in empty.json()


def test_a_resident_cannot_reply_on_another_residents_ticket(resident, client_for):
    _data, client = resident
    other = resident_client(client_for, billing_customer())
    theirs = new_ticket(other).json()
    response = client.post(f"/api/portal/tickets/{theirs['id']}/reply/", {"message": "me too"}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    replay = client_for("portal.zuid.test")
    replay.credentials(HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"])
    assert (
        replay.post(f"/api/portal/tickets/{theirs['id']}/reply/", {"message": "x"}, format="json").status_code
        == 401
    )
    assert replay.get("/api/portal/tickets/").status_code == 401
    with schema_context("org_noord"):
        assert TicketMessage.objects.filter(ticket_id=theirs["id"]).count() == 1


def test_staff_acting_as_the_resident_cannot_reply_in_their_name(resident, client_for):
    data, client = resident
    ticket = new_ticket(client).json()
    staff = staff_for(client_for)
    with schema_context("org_noord"):
        from customers.models import Customer

        customer_id = Customer.objects.get(customer_number=data["number"]).pk
    key = staff.post(f"/api/admin/customers/{customer_id}/portal/impersonate/", {}, format="json").json()[
        "key"
    ]
    acting = client_for("portal.noord.test")
    acting.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = acting.post(f"/api/portal/tickets/{ticket['id']}/reply/", {"message": "x"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "not_allowed_during_impersonation")


def test_closing_emails_the_requester_and_closing_twice_is_a_conflict(resident, client_for):
    data, client = resident
    ticket = new_ticket(client).json()
    staff = staff_for(client_for)
    closed = staff.post(f"/api/admin/tickets/{ticket['id']}/close/")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    [email] = outbox("org_noord", data["email"], "ticket_closed")
    assert ticket["reference"] in email.subject
    assert "Reply via the portal" in email.body_text
    again = staff.post(f"/api/admin/tickets/{ticket['id']}/close/")
    assert (again.status_code, again.json()["code"]) == (409, "already_closed")
    assert len(outbox("org_noord", data["email"], "ticket_closed")) == 1
    visitor = client_for("portal.noord.test")
    guest = new_ticket(visitor, name="Guest", email="guest@example.test").json()
    staff.post(f"/api/admin/tickets/{guest['id']}/close/")
    [guest_email] = outbox("org_noord", "guest@example.test", "ticket_closed")
    assert "Send us a new message" in guest_email.body_text  # visitors cannot reply in the portal


def test_a_ticket_goes_to_the_configured_support_address(db, client_for):
    set_preferences(support_email="help@noord.test")
    visitor = client_for("portal.noord.test")
    created = new_ticket(visitor, name="Vera", email="vera@example.test")
    assert created.status_code == 201
    [to_support] = outbox("org_noord", "help@noord.test", "ticket_new")
    assert created.json()["reference"] in to_support.subject
    assert to_support.reply_to == "vera@example.test"
    assert not outbox("org_noord", "admin@noord.test", "ticket_new")  # the administrators only as fallback


def test_help_requests_can_be_switched_off(resident, noord, client_for):
    from tenants.services import update_organisation

    _data, client = resident
    ticket = new_ticket(client).json()
    update_organisation(organisation=noord, features={"help_requests": False})
    for response in (
        new_ticket(client_for("portal.noord.test"), name="V", email="v@example.test"),
        client.post(f"/api/portal/tickets/{ticket['id']}/reply/", {"message": "x"}, format="json"),
    ):
        assert (response.status_code, response.json()["code"]) == (403, "feature_disabled")
    with schema_context("org_noord"):
        assert Ticket.objects.count() == 1
        assert TicketMessage.objects.count() == 1


def _count(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(data_queries(queries))


def test_ticket_lists_cost_the_same_queries_for_2_and_6_tickets(resident, client_for):
    _data, client = resident
    staff = staff_for(client_for)
    counts = []
    for total in (2, 6):
        while len(client.get("/api/portal/tickets/").json()["results"]) < total:
            new_ticket(client, SimpleUploadedFile("p.pdf", pdf()))
        counts.append((_count(staff, "/api/admin/tickets/"), _count(client, "/api/portal/tickets/")))
    assert counts[0] == counts[1]


def test_help_requests_do_not_use_up_the_login_throttle(db, client_for, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "tickets", "2/hour")
    visitor = client_for("portal.noord.test")
    statuses = [new_ticket(visitor, name="V", email="v@example.test").status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    login = visitor.post(
        "/api/auth/login/", {"email": "admin@noord.test", "password": "wrong-pass-1"}, format="json"
    )
    assert login.status_code == 400  # its own counter is untouched


def test_another_organisations_staff_cannot_reach_tickets(resident, client_for):
    _data, client = resident
    ticket = new_ticket(client).json()
    zuid = staff_for(client_for, host="portal.zuid.test", email="admin@zuid.test")
    assert zuid.get("/api/admin/tickets/").json()["results"] == []
    assert zuid.get(f"/api/admin/tickets/{ticket['id']}/").status_code == 404
    assert (
        zuid.post(f"/api/admin/tickets/{ticket['id']}/reply/", {"message": "x"}, format="json").status_code
        == 404
    )
    assert zuid.post(f"/api/admin/tickets/{ticket['id']}/close/").status_code == 404
    replay = client_for("portal.noord.test")
    replay.credentials(HTTP_AUTHORIZATION=zuid._credentials["HTTP_AUTHORIZATION"])
    assert replay.get("/api/admin/tickets/").status_code == 401
    assert replay.post(f"/api/admin/tickets/{ticket['id']}/close/").status_code == 401
    assert client.get("/api/admin/tickets/").status_code == 403  # residents are not staff
    with schema_context("org_noord"):
        assert Ticket.objects.get(pk=ticket["id"]).status == "open"


@pytest.mark.parametrize("close", [False, True])
def test_an_answer_tells_a_resident_to_reply_in_the_portal_and_a_visitor_to_use_the_help_form(
    resident, client_for, close
):
    data, client = resident
    set_preferences(support_email="service@noord.test")
    staff = staff_for(client_for)
    mine = new_ticket(client).json()
    guest = new_ticket(client_for("portal.noord.test"), name="Guest", email="guest@example.test").json()
    for ticket in (mine, guest):
        answered = staff.post(
            f"/api/admin/tickets/{ticket['id']}/reply/",
            {"message": "Here you go.", "close": close},
            format="json",
        )
        assert answered.status_code == 200, answered.content

    [to_resident] = outbox("org_noord", data["email"], "ticket_answered")
    ticket_url = f"http://portal.noord.test:8000/tickets/{mine['id']}/"
    expected = (
        "We consider your question answered. Reply via the portal if it is not."
        if close
        else "To add something, reply via the portal:"
    )
    assert f"{expected}\n{ticket_url}" in to_resident.body_text
    assert f'href="{ticket_url}"' in to_resident.body_html
    assert "help form" not in to_resident.body_text

    [to_visitor] = outbox("org_noord", "guest@example.test", "ticket_answered")
    expected = (
        "We consider your question answered. If it is not, send us a new message with the help form:"
        if close
        else "To add something, send us a new message with the help form:"
    )
    assert f"{expected}\nhttp://portal.noord.test:8000/help/" in to_visitor.body_text
    assert "You can also write to service@noord.test." in to_visitor.body_text
    assert "Reply via the portal" not in to_visitor.body_text
    assert "/tickets/" not in to_visitor.body_text + to_visitor.body_html


def test_a_customer_whose_account_was_reset_is_sent_to_the_help_form(resident, client_for):
    """The ticket is theirs, but without a portal account there is no ticket page to reply on."""
    data, client = resident
    ticket = new_ticket(client).json()
    staff = staff_for(client_for)
    with schema_context("org_noord"):
        from customers.models import Customer

        customer_id = Customer.objects.get(customer_number=data["number"]).pk
    assert staff.post(f"/api/admin/customers/{customer_id}/portal/reset/").status_code == 200
    staff.post(f"/api/admin/tickets/{ticket['id']}/close/")
    [email] = outbox("org_noord", data["email"], "ticket_closed")
    assert (
        "Send us a new message if you still need help.\nhttp://portal.noord.test:8000/help/"
        in email.body_text
    )
    assert "Reply via the portal" not in email.body_text


def test_the_openapi_document_says_visitors_may_send_a_help_request(noord_client):
    document = noord_client.get("/api/schema/?format=json").json()
    operation = document["paths"]["/api/support/tickets/"]["post"]
    assert {} in operation["security"]  # no credentials needed (a token or session is optional)
    reply = document["paths"]["/api/portal/tickets/{id}/reply/"]["post"]
    assert {} not in reply["security"]
