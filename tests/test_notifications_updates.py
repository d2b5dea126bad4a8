"""Move and ticket updates go through the resident's notification choices (issue 19).

What staff decide later (a move confirmed, processed, rejected or cancelled; an answer, a ticket
closed or opened again) is an update a resident with a portal account may turn off, with a
one-click link per kind; receipts of what someone just sent, links to finish something, and every
email to someone without a portal account are always sent.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django_tenants.utils import schema_context

from communications.services import _list_headers
from memberships.models import PortalAccount
from notifications.selectors import preferences_for
from tests.support.factories import outbox
from tests.support.moves import TODAY, process, staff_for, submit
from tests.support.tickets import new_ticket

UNSUBSCRIBE = re.compile(r"^(http://\S+/notifications/unsubscribe/(\S+)/)$", re.MULTILINE)


def _choices(client, **choices) -> dict[str, bool]:
    answer = client.put("/api/portal/details/notifications/", choices, format="json")
    assert answer.status_code == 200, answer.content
    return {row["kind"]: row["enabled"] for row in answer.json()["preferences"]}


def _prefs(email: str) -> dict[str, bool]:
    with schema_context("org_noord"):
        return preferences_for(PortalAccount.objects.get(login_email=email))


def test_move_updates_follow_the_residents_choice_and_unsubscribe_in_one_click(home, client_for):
    address = home["data"]["email"]
    assert _choices(home["resident"], move_update=False)["move_update"] is False
    first = submit(home, "2", "L2", TODAY - timedelta(days=2), {"cool2": "2000.5"})
    # The receipt of what the resident just sent is always sent; the update is not, while off.
    assert outbox("org_noord", address, "move_out_submitted")
    assert process(client_for, first["id"]).json()["status"] == "approved"
    assert outbox("org_noord", address, "move_out_processed") == []

    _choices(home["resident"], move_update=True)
    second = submit(home, "1", "L1", TODAY + timedelta(days=10), {"heat1": "10"})
    assert process(client_for, second["id"]).json()["status"] == "scheduled"
    [email] = outbox("org_noord", address, "move_out_scheduled")
    link, token = UNSUBSCRIBE.search(email.body_text).groups()
    assert "Turn it off with one click" in email.body_text
    assert f'href="{link}"' in email.body_html
    assert _list_headers(email) == {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    # RFC 8058: the mail client's POST, no session: move updates only are turned off.
    page = client_for("portal.noord.test")
    assert "news about my move" in page.get(f"/notifications/unsubscribe/{token}/").content.decode().lower()
    assert (
        page.post(f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}).status_code
        == 200
    )
    prefs = _prefs(address)
    assert prefs["move_update"] is False
    assert all(on for kind, on in prefs.items() if kind != "move_update")
    cancelled = staff_for(client_for).post(
        f"/api/admin/move-outs/{second['id']}/cancel/", {"reason": "Staying"}, format="json"
    )
    assert cancelled.status_code == 200
    assert outbox("org_noord", address, "move_out_cancelled") == []


def test_a_move_update_is_in_the_residents_account_language(home, client_for):
    with schema_context("org_noord"):
        PortalAccount.objects.filter(login_email=home["data"]["email"]).update(language="fr")
    created = submit(home, "1", "L1", TODAY + timedelta(days=10), {"heat1": "10"})
    process(client_for, created["id"])
    [email] = outbox("org_noord", home["data"]["email"], "move_out_scheduled")
    assert email.language == "fr"
    assert "Se désabonner" in email.body_html


def test_ticket_updates_follow_the_residents_choice_and_visitors_always_get_them(resident, client_for):
    data, client = resident
    staff = staff_for(client_for)
    _choices(client, ticket_update=False)
    mine = new_ticket(client).json()
    assert outbox("org_noord", data["email"], "ticket_received")  # the receipt: always
    answered = staff.post(f"/api/admin/tickets/{mine['id']}/reply/", {"message": "Done."}, format="json")
    assert answered.status_code == 200
    staff.post(f"/api/admin/tickets/{mine['id']}/close/")
    assert outbox("org_noord", data["email"], "ticket_answered") == []
    assert outbox("org_noord", data["email"], "ticket_closed") == []

    _choices(client, ticket_update=True)
    staff.post(f"/api/admin/tickets/{mine['id']}/reopen/")
    [reopened] = outbox("org_noord", data["email"], "ticket_reopened")
    link, token = UNSUBSCRIBE.search(reopened.body_text).groups()
    assert _list_headers(reopened)["List-Unsubscribe"] == f"<{link}>"
    client_for("portal.noord.test").post(f"/notifications/unsubscribe/{token}/")
    prefs = _prefs(data["email"])
    assert (prefs["ticket_update"], prefs["move_update"], prefs["invoice_available"]) == (False, True, True)

    # A visitor has no account and no choice: every update arrives, without an unsubscribe link.
    guest = new_ticket(client_for("portal.noord.test"), name="Guest", email="guest@example.test").json()
    staff.post(f"/api/admin/tickets/{guest['id']}/reply/", {"message": "Here."}, format="json")
    [to_guest] = outbox("org_noord", "guest@example.test", "ticket_answered")
    assert "/notifications/unsubscribe/" not in to_guest.body_text + to_guest.body_html
    assert _list_headers(to_guest) == {}


def test_only_the_texts_own_ending_names_the_unsubscribe_link(resident, client_for):
    """What staff wrote (quoted in the email) never becomes the List-Unsubscribe header."""
    data, client = resident
    staff = staff_for(client_for)
    quoted = "See\nhttp://evil.test/notifications/unsubscribe/abc/\n\nthanks"
    for ticket in (
        new_ticket(client).json(),
        new_ticket(client_for("portal.noord.test"), email="g@example.test").json(),
    ):
        staff.post(f"/api/admin/tickets/{ticket['id']}/reply/", {"message": quoted}, format="json")
    [to_resident] = outbox("org_noord", data["email"], "ticket_answered")
    [to_guest] = outbox("org_noord", "g@example.test", "ticket_answered")
    assert _list_headers(to_resident)["List-Unsubscribe"].startswith("<http://portal.noord.test")
    assert _list_headers(to_guest) == {}
