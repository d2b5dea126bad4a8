"""Notification emails (issue 19): each kind once, the resident's choice over the organisation's
default, one-click unsubscribe per kind and account, the resident API and page, real SMTP."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django_tenants.utils import schema_context

from communications.models import OutboundEmail
from communications.services import deliver
from invoicing.models import Invoice, Transaction
from memberships.models import PortalAccount
from notifications import daily
from notifications.models import SentNotification
from notifications.services import set_defaults, set_preferences
from notifications.unsubscribe import make_token
from tenants.models import Organisation
from tests.support.residents import PASSWORD, active_resident, login

TODAY = date(2026, 3, 16)
UNSUBSCRIBE = re.compile(r"http://[^\s\"<]+/notifications/unsubscribe/([^/\s\"<]+)/")
BILLING_KINDS = {
    "invoice_available",
    "settlement_ready",
    "payment_reminder",
    "payment_overdue",
    "refund_paid",
}
ALL_KINDS = {*BILLING_KINDS, "usage_alert", "move_update", "ticket_update"}


def _invoice(customer, *, kind="advance", issue, due, status="open", total="100.00", open_amount=None):
    n = uuid.uuid4().hex[:10]
    total = Decimal(total)
    return Invoice.objects.create(
        external_id=f"nt-{n}",
        number=f"NT-{n}",
        customer=customer,
        kind=kind,
        issue_date=issue,
        due_date=due,
        amount_excl_tax=total,
        tax_amount=Decimal("0.00"),
        amount_incl_tax=total,
        amount_open=total if open_amount is None else Decimal(open_amount),
        payment_status=status,
    )


def _billing(customer) -> dict[str, object]:
    """One object for each kind, and some that must not be notified."""
    return {
        "invoice_available": _invoice(customer, issue=TODAY, due=TODAY + timedelta(days=14)),
        "settlement_ready": _invoice(customer, kind="settlement", issue=TODAY - timedelta(days=1), due=None),
        "payment_reminder": _invoice(
            customer, issue=TODAY - timedelta(days=20), due=TODAY + timedelta(days=2)
        ),
        "payment_overdue": _invoice(
            customer, issue=TODAY - timedelta(days=30), due=TODAY - timedelta(days=5)
        ),
        "refund_paid": Transaction.objects.create(
            external_id=f"nt-{uuid.uuid4().hex[:10]}",
            customer=customer,
            kind="refund",
            date=TODAY,
            description="Refund",
            amount=Decimal("-25.00"),
        ),
        # Paid and old: nothing to say.
        "paid": _invoice(
            customer,
            issue=TODAY - timedelta(days=40),
            due=TODAY - timedelta(days=10),
            status="paid",
            open_amount="0",
        ),
    }


def _run(schema="org_noord") -> int:
    organisation = Organisation.objects.get(schema_name=schema)
    with schema_context(schema):
        return daily.run(organisation=organisation, today=TODAY)


def _emails(address: str) -> dict[str, list[OutboundEmail]]:
    found: dict[str, list[OutboundEmail]] = {}
    for email in OutboundEmail.objects.filter(to=address, template__startswith="notification_"):
        found.setdefault(email.template.removeprefix("notification_"), []).append(email)
    return found


def test_each_kind_is_sent_once_in_the_residents_language(db):
    customer = active_resident(language="nl")
    with schema_context("org_noord"):
        PortalAccount.objects.filter(customer=customer).update(language="nl")
        objects = _billing(customer)
    assert _run() == 5
    assert _run() == 0  # the sent-log: a second run (or a missed day caught up) sends nothing again
    with schema_context("org_noord"):
        emails = _emails(customer.email)
        assert set(emails) == BILLING_KINDS
        assert all(len(sent) == 1 for sent in emails.values())
        reminder = emails["payment_reminder"][0]
        assert objects["payment_reminder"].number in reminder.subject
        assert reminder.language == "nl"
        assert "Herinnering" in reminder.subject
        assert "/notifications/unsubscribe/" in reminder.body_text
        assert "/notifications/unsubscribe/" in reminder.body_html
        assert SentNotification.objects.filter(account__customer=customer).count() == 5
        # A new due date is a new reminder.
        Invoice.objects.filter(pk=objects["payment_reminder"].pk).update(due_date=TODAY + timedelta(days=3))
    assert _run() == 1


def test_the_residents_choice_wins_over_the_organisations_default(db):
    customer = active_resident()
    other = active_resident()
    with schema_context("org_noord"):
        set_defaults(enabled={"refund_paid": False, "payment_overdue": False}, reminder_days=1)
        set_preferences(
            account=PortalAccount.objects.get(customer=customer), choices={"payment_overdue": True}
        )
        set_preferences(
            account=PortalAccount.objects.get(customer=other), choices={"invoice_available": False}
        )
        _billing(customer)
        _billing(other)
    _run()
    with schema_context("org_noord"):
        # reminder_days=1: a due date two days away is not yet reminded.
        assert set(_emails(customer.email)) == {"invoice_available", "settlement_ready", "payment_overdue"}
        assert set(_emails(other.email)) == {"settlement_ready"}
        # Decided once, even when not sent: turning a kind on later does not send old news.
        set_preferences(
            account=PortalAccount.objects.get(customer=other), choices={"invoice_available": True}
        )
    _run()
    with schema_context("org_noord"):
        assert set(_emails(other.email)) == {"settlement_ready"}


def test_a_customer_without_a_confirmed_account_gets_nothing(db):
    from tests.support.factories import make_customer

    customer = make_customer()
    with schema_context("org_noord"):
        _billing(customer)
    assert _run() == 0


def _token_of(email: OutboundEmail) -> str:
    return UNSUBSCRIBE.search(email.body_text).group(1)


def test_one_click_unsubscribe_is_for_that_kind_and_account_only(db, client_for):
    customer = active_resident()
    other = active_resident()
    with schema_context("org_noord"):
        _billing(customer)
        _billing(other)
    _run()
    with schema_context("org_noord"):
        token = _token_of(_emails(customer.email)["payment_reminder"][0])
    page = client_for("portal.noord.test")
    assert page.get(f"/notifications/unsubscribe/{token}/", HTTP_ACCEPT="text/html").status_code == 200
    with schema_context("org_noord"):
        account = PortalAccount.objects.get(customer=customer)
        from notifications.selectors import preferences_for

        assert preferences_for(account)["payment_reminder"] is True  # opening the link changes nothing
    # RFC 8058: the mail client's POST, without a session or CSRF token.
    answer = page.post(f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    with schema_context("org_noord"):
        prefs = preferences_for(account)
        assert prefs["payment_reminder"] is False
        assert all(prefs[kind] for kind in ALL_KINDS - {"payment_reminder"})
        assert all(preferences_for(PortalAccount.objects.get(customer=other)).values())
    # Another organisation's host does not know the link; a changed link is refused.
    assert client_for("portal.zuid.test").post(f"/notifications/unsubscribe/{token}/").status_code == 404
    assert page.post(f"/notifications/unsubscribe/{token[:-2]}xx/").status_code == 404


def test_the_token_names_the_organisation(db):
    customer = active_resident()
    with schema_context("org_noord"):
        token = make_token(account=PortalAccount.objects.get(customer=customer), kind="refund_paid")
    with schema_context("org_zuid"):
        from notifications.unsubscribe import read_token

        assert read_token(token) is None
    with schema_context("org_noord"):
        from notifications.unsubscribe import read_token

        assert read_token(token) == (PortalAccount.objects.get(customer=customer).pk, "refund_paid")


def _api(client_for, customer, host="portal.noord.test"):
    client = client_for(host)
    key = login(client, customer.email, PASSWORD).json()["key"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_resident_api_reads_and_changes_only_their_own_choices(db, client_for):
    customer = active_resident()
    other = active_resident()
    zuid = active_resident(schema="org_zuid")
    client = _api(client_for, customer)
    assert client_for("portal.noord.test").get("/api/portal/details/notifications/").status_code in (401, 403)
    body = client.get("/api/portal/details/notifications/").json()
    with schema_context("org_noord"):
        from notifications.models import NotificationDefaults

        assert not NotificationDefaults.objects.exists()  # reading the defaults writes nothing
    assert {row["kind"]: row["enabled"] for row in body["preferences"]} == dict.fromkeys(ALL_KINDS, True)
    changed = client.put(
        "/api/portal/details/notifications/", {"refund_paid": False, "unknown": False}, format="json"
    )
    assert changed.status_code == 200
    assert {row["kind"] for row in changed.json()["preferences"] if not row["enabled"]} == {"refund_paid"}
    assert (
        client.put("/api/portal/details/notifications/", {"refund_paid": "maybe"}, format="json").status_code
        == 400
    )
    assert body["usage_threshold"] == 30  # the organisation's default until the resident chooses
    threshold = client.put("/api/portal/details/notifications/", {"usage_threshold": 50}, format="json")
    assert threshold.json()["usage_threshold"] == 50
    assert {row["kind"] for row in threshold.json()["preferences"] if not row["enabled"]} == {"refund_paid"}
    assert (
        client.put("/api/portal/details/notifications/", {"usage_threshold": 2}, format="json").status_code
        == 400
    )
    for neighbour, host in ((other, "portal.noord.test"), (zuid, "portal.zuid.test")):
        rows = (
            _api(client_for, neighbour, host).get("/api/portal/details/notifications/").json()["preferences"]
        )
        assert all(row["enabled"] for row in rows)


def test_the_page_under_my_details_saves_the_choice(db, client_for):
    from django.test import Client

    customer = active_resident()
    browser = Client(HTTP_HOST="portal.noord.test")
    assert browser.post("/login/", {"email": customer.email, "password": PASSWORD}).status_code == 302
    page = browser.get("/my-details/notifications/")
    assert page.status_code == 200
    assert b'name="payment_overdue"' in page.content
    kept_on = {
        **{kind: "on" for kind in ALL_KINDS - {"invoice_available"}},
        "usage_threshold": "45",
        "usage_comparison": "both",
    }
    assert browser.post("/my-details/notifications/", kept_on).status_code == 302
    with schema_context("org_noord"):
        from notifications.selectors import preferences_for

        prefs = preferences_for(PortalAccount.objects.get(customer=customer))
    assert prefs == {**dict.fromkeys(ALL_KINDS, True), "invoice_available": False}
    with schema_context("org_noord"):
        from notifications.selectors import usage_threshold_for

        assert usage_threshold_for(PortalAccount.objects.get(customer=customer)) == 45


def test_the_smtp_server_receives_a_notification(db, smtp):
    customer = active_resident()
    with schema_context("org_noord"):
        _invoice(customer, issue=TODAY, due=TODAY + timedelta(days=14))
    _run()
    with schema_context("org_noord"):
        [email] = _emails(customer.email)["invoice_available"]
        assert deliver(email_id=email.pk) == "sent"
    [caught] = smtp.wait_for(customer.email)
    assert "is available" in caught.subject
    assert "/notifications/unsubscribe/" in caught.text
    # RFC 2369 and 8058: the mail client's own unsubscribe button posts to the same link.
    [link] = UNSUBSCRIBE.findall(caught.text)
    header = str(caught.message["List-Unsubscribe"]).strip()  # folded: the link is long
    assert header.startswith("<http")
    assert header.endswith(f"/notifications/unsubscribe/{link}/>")
    assert caught.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_staff_set_the_organisations_defaults(noord_client, client_for):
    from tests.support.configuration import as_staff

    staff = as_staff(noord_client)
    body = staff.get("/api/admin/configuration/notifications/").json()
    assert body["reminder_days"] == 3
    assert {row["kind"] for row in body["kinds"]} == ALL_KINDS
    changed = staff.patch(
        "/api/admin/configuration/notifications/",
        {"enabled": {"refund_paid": False}, "reminder_days": 5},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["reminder_days"] == 5
    assert (
        staff.patch(
            "/api/admin/configuration/notifications/", {"reminder_days": 99}, format="json"
        ).status_code
        == 400
    )
    customer = active_resident()
    rows = _api(client_for, customer).get("/api/portal/details/notifications/").json()["preferences"]
    assert {row["kind"] for row in rows if not row["enabled"]} == {"refund_paid"}
    # A resident is no staff member; another organisation keeps its own defaults.
    assert _api(client_for, customer).get("/api/admin/configuration/notifications/").status_code == 403
    zuid = as_staff(client_for("portal.zuid.test"), "admin@zuid.test")
    assert all(row["enabled"] for row in zuid.get("/api/admin/configuration/notifications/").json()["kinds"])


def _usage_customer(*, february_2026: str):
    """Heating at both addresses, February 2025 at 0.25 a quarter-hour, February 2026 as given."""
    from tests.support.billing_data import billing_customer
    from tests.support.consumption_data import add_meters, ingest_rows, month_rows

    data = billing_customer(invoices=2)
    meters = add_meters(data)
    for meter in (meters["heat1"], meters["heat2"]):
        ingest_rows(
            month_rows(meter, date(2025, 2, 1), 28) + month_rows(meter, date(2026, 2, 1), 28, february_2026)
        )
    return data


def test_a_usage_alert_goes_once_from_the_residents_threshold(db, client_for):
    from tests.support.residents import resident_client

    high = _usage_customer(february_2026="0.40")  # +60 %
    mild = _usage_customer(february_2026="0.30")  # +20 %: under the default 30 %
    resident_client(client_for, high)
    client = resident_client(client_for, mild)
    _run()
    _run()
    with schema_context("org_noord"):
        [alert] = _emails(high["email"])["usage_alert"]
        assert "60 %" in alert.body_text
        assert "February 2026" in alert.body_text
        assert "usage_alert" not in _emails(mild["email"])
    # The mild resident chooses 15 %: the next run tells them about the same month, once.
    client.put("/api/portal/details/notifications/", {"usage_threshold": 15}, format="json")
    _run()
    _run()
    with schema_context("org_noord"):
        [alert] = _emails(mild["email"])["usage_alert"]
        assert "20 %" in alert.body_text


def test_only_a_notification_names_its_unsubscribe_link_in_the_headers():
    from communications.services import _list_headers

    text = "Hello\n\nhttp://portal.noord.test/notifications/unsubscribe/abc/\n"
    quoted = OutboundEmail(template="ticket_reply", body_text=text)  # a resident's words, quoted
    assert _list_headers(quoted) == {}
    notification = OutboundEmail(template="notification_refund_paid", body_text=text)
    assert (
        _list_headers(notification)["List-Unsubscribe"]
        == "<http://portal.noord.test/notifications/unsubscribe/abc/>"
    )
