"""The pages' form posts are throttled like the API: same counters in Redis, nothing done when refused.

Rates are lowered per test (the throttle classes read DRF's rate table, which the API shares), so a
test needs a handful of attempts instead of thirty. The suite's autouse fixture empties Redis
between tests.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from accounts.models import User
from activity.models import ActivityEvent
from communications.models import OutboundEmail
from consumption.models import Meter
from memberships.models import AccountEmailRequest, PortalAccount
from memberships.services import passwords
from memberships.services.registration import register_resident
from moves.models import MoveInRequest
from portal_web.throttling import Throttled
from support.models import Ticket, TicketMessage
from tenants.models import Organisation
from tests.support.billing_data import billing_customer
from tests.support.factories import (
    import_address_with_meter,
    last_link,
    make_customer,
    outbox,
    process_account_requests,
)
from tests.support.organisations import login
from tests.support.web import NOORD, PASSWORD, ZUID, logged_in, make_resident, page_client, text, ticket_of

WAIT = re.compile(r"Too many attempts\. Try again in (\d+) (second|seconds|minute|minutes)\.")
WRONG_LOGIN = "The email address or password is not correct."


@pytest.fixture
def rates(monkeypatch):
    """Lower the rates of some scopes for one test (API and pages read the same table)."""
    from rest_framework.throttling import SimpleRateThrottle

    def lower(**scopes: str) -> None:
        for scope, rate in scopes.items():
            monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, rate)

    return lower


@pytest.fixture
def resident(db):
    data = billing_customer()
    make_resident(data)
    return data


def refused(response) -> str:
    """A throttled page: 429, Retry-After, and the message in an alert. Returns the page."""
    assert response.status_code == 429, response.content.decode()[:2000]
    body = text(response)
    alert = re.search(r'role="alert"[^>]*>(.*?)</(?:div|p)>', body, re.S)
    assert alert, "no alert on the page"
    match = WAIT.search(alert.group(1))
    assert match, alert.group(1)
    assert int(response["Retry-After"]) >= int(match.group(1)) >= 1
    return body


def _events(schema: str = "org_noord") -> int:
    with schema_context(schema):
        return ActivityEvent.objects.count()


def _emails(schema: str = "org_noord") -> int:
    with schema_context(schema):
        return OutboundEmail.objects.count()


# -- the message ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wait", "expected"),
    [
        (1, "Too many attempts. Try again in 1 second."),
        (59, "Too many attempts. Try again in 59 seconds."),
        (119, "Too many attempts. Try again in 119 seconds."),
        (120, "Too many attempts. Try again in 2 minutes."),
        (3541, "Too many attempts. Try again in 60 minutes."),
    ],
)
def test_the_message_says_how_long_to_wait(wait, expected):
    assert Throttled(wait=wait).message == expected


# -- login ---------------------------------------------------------------------------------------


def test_the_login_page_is_throttled_per_address_and_an_unknown_address_exactly_like_a_known_one(db, rates):
    rates(login_ip="30/min", login_account="3/min")
    data = billing_customer()
    make_resident(data)
    outcomes = {}
    for address in (data["email"], "nobody-knows-this@example.test"):
        client = page_client()
        answers = [client.post("/login/", {"email": address, "password": "wrong-guess-1"}) for _ in range(3)]
        assert [answer.status_code for answer in answers] == [200, 200, 200]
        assert all(WRONG_LOGIN in text(answer) for answer in answers)
        events = _events()
        # The right password (for the known address), spelled differently: still the same counter.
        late = client.post("/login/", {"email": address.upper(), "password": PASSWORD})
        page = refused(late)
        assert WRONG_LOGIN not in page
        assert client.get("/overview/")["Location"].startswith("/login/")  # not logged in
        assert _events() == events  # log_in was not called: no failed or successful login recorded
        outcomes[address] = (late.status_code, WAIT.search(page).group(2))
    assert len(set(outcomes.values())) == 1  # the known and the unknown address are treated alike
    # Another address from the same client has its own allowance.
    other = page_client().post("/login/", {"email": data["email"].replace("@", "+x@"), "password": "x"})
    assert other.status_code == 200
    assert WRONG_LOGIN in text(other)


def test_the_login_page_is_throttled_per_client_and_a_forwarded_client_has_its_own_count(db, rates, settings):
    settings.TRUSTED_PROXIES = 1
    rates(login_ip="4/min", login_account="30/min")
    client = page_client()
    for _ in range(5):
        assert client.get("/login/").status_code == 200  # opening the form is not an attempt

    def attempt(n: int, forwarded: str):
        return client.post(
            "/login/",
            {"email": f"who{n}@example.test", "password": "wrong-1"},
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    # Our one proxy appended 198.51.100.7; what the client wrote on the left is not trusted.
    answers = [attempt(n, f"203.0.113.{n}, 198.51.100.7") for n in range(4)]
    assert [answer.status_code for answer in answers] == [200] * 4
    refused(attempt(5, "6.6.6.6, 198.51.100.7"))
    other = attempt(6, "203.0.113.1, 198.51.100.8")
    assert other.status_code == 200
    assert WRONG_LOGIN in text(other)


def test_without_trusted_proxies_a_forwarded_for_header_does_not_escape_the_count(db, rates, settings):
    settings.TRUSTED_PROXIES = 0
    rates(login_ip="2/min", login_account="30/min")
    client = page_client()
    for n in range(2):
        client.post(
            "/login/", {"email": f"who{n}@example.test", "password": "x"}, HTTP_X_FORWARDED_FOR=f"6.6.6.{n}"
        )
    refused(
        client.post(
            "/login/", {"email": "who9@example.test", "password": "x"}, HTTP_X_FORWARDED_FOR="7.7.7.7"
        )
    )


@pytest.mark.parametrize("scope", ["login_account", "login_ip"])
def test_login_attempts_on_the_api_and_on_the_page_add_up(db, rates, client_for, scope):
    rates(**{"login_ip": "30/min", "login_account": "30/min", scope: "4/min"})
    api, web = client_for(NOORD), page_client()

    def address(n: int) -> str:  # one address for the per-address counter, many for the per-IP one
        return "shared-count@example.test" if scope == "login_account" else f"who{n}@example.test"

    for n in range(2):
        answer = api.post("/api/auth/login/", {"email": address(n), "password": "wrong-1"}, format="json")
        assert answer.json()["code"] == "invalid_credentials"
    for n in range(2, 4):
        assert WRONG_LOGIN in text(web.post("/login/", {"email": address(n), "password": "wrong-1"}))
    refused(web.post("/login/", {"email": address(4), "password": "wrong-1"}))
    late = api.post("/api/auth/login/", {"email": address(5), "password": "wrong-1"}, format="json")
    assert late.status_code == 429
    assert late.json()["code"] == "throttled"


def test_one_organisations_counter_never_blocks_another(db, rates):
    """Registrations and account emails act on one organisation's data: counted per organisation.
    (Failed logins guess at a password shared by every domain: see test_login_throttle.py.)"""
    rates(auth_ip="2/min")
    for _ in range(2):
        assert page_client().post("/forgot-password/", {"email": "who@example.test"}).status_code == 200
    refused(page_client().post("/forgot-password/", {"email": "who@example.test"}))
    elsewhere = page_client(ZUID).post("/forgot-password/", {"email": "who@example.test"})
    assert elsewhere.status_code == 200


# -- registration, reset, resend -----------------------------------------------------------------


def test_the_register_page_is_throttled_per_address_and_a_refused_registration_stores_nothing(db, rates):
    rates(auth_ip="30/min", auth_account="3/min")
    customer = make_customer()
    client = page_client()
    for n in range(3):
        wrong = client.post(
            "/register/", {"customer_number": f"NOPE-{n}", "email": customer.email, "password": PASSWORD}
        )
        assert "We cannot register an account with this customer number and email address." in text(wrong)
    late = client.post(
        "/register/",
        {"customer_number": customer.customer_number, "email": customer.email, "password": PASSWORD},
    )
    page = refused(late)
    assert f'value="{customer.customer_number}"' in page  # kept in the form
    with schema_context("org_noord"):
        assert not PortalAccount.objects.filter(customer_id=customer.pk).exists()
    assert outbox("org_noord", customer.email) == []


@pytest.mark.parametrize(
    ("path", "kind", "template"),
    [
        ("/forgot-password/", AccountEmailRequest.Kind.PASSWORD_RESET, "password_reset"),
        ("/resend-confirmation/", AccountEmailRequest.Kind.RESEND_CONFIRMATION, "registration_confirmation"),
    ],
)
def test_account_email_pages_are_throttled_per_address_alike_for_known_and_unknown(
    db, rates, path, kind, template
):
    rates(auth_ip="30/min", auth_account="2/min")
    data = billing_customer()
    organisation = Organisation.objects.get(schema_name="org_noord")
    if kind == AccountEmailRequest.Kind.PASSWORD_RESET:
        make_resident(data)  # an active account: a reset link goes out
    else:
        with schema_context("org_noord"):  # a registration waiting for confirmation
            register_resident(
                organisation=organisation,
                customer_number=data["number"],
                email=data["email"],
                password=PASSWORD,
            )
    sent_before = len(outbox("org_noord", data["email"], template))
    pages = {}
    for address in (data["email"], "nobody-here-at-all@example.test"):
        client = page_client()
        answers = [client.post(path, {"email": address}) for _ in range(2)]
        assert [answer.status_code for answer in answers] == [200, 200]
        late = client.post(path, {"email": address})
        pages[address] = (late.status_code, WAIT.search(refused(late)).group(2))
        with schema_context("org_noord"):
            assert AccountEmailRequest.objects.filter(kind=kind, email=address).count() == 2
    assert len(set(pages.values())) == 1
    process_account_requests("org_noord")
    assert len(outbox("org_noord", data["email"], template)) == sent_before + 2  # none for the refused one
    assert outbox("org_noord", "nobody-here-at-all@example.test") == []


def test_the_new_password_page_is_throttled_per_client_and_the_link_still_works_later(resident, rates):
    rates(auth_ip="2/min")
    with schema_context("org_noord"):
        passwords.request_account_email(
            kind=AccountEmailRequest.Kind.PASSWORD_RESET, email=resident["email"], language="en"
        )
    process_account_requests("org_noord")
    token = last_link("org_noord", resident["email"], "password_reset", "/reset-password/")
    client = page_client()
    for _ in range(2):
        differ = client.post(
            f"/reset-password/{token}", {"new_password": "a-new-portal-pass-9", "repeat": "other-pass-9"}
        )
        assert "The two passwords differ." in text(differ)
    good = {"new_password": "a-new-portal-pass-9", "repeat": "a-new-portal-pass-9"}
    refused(client.post(f"/reset-password/{token}", good))
    assert User.objects.get(email=resident["email"]).check_password(PASSWORD)  # unchanged
    cache.delete_pattern("throttle:*")  # the minute has passed
    done = client.post(f"/reset-password/{token}", good)
    assert "Your password was changed. Log in with your new password." in text(done)
    assert User.objects.get(email=resident["email"]).check_password("a-new-portal-pass-9")


def test_the_password_change_page_is_throttled_and_changes_nothing(resident, rates):
    rates(auth_ip="2/min")  # the login below is not counted here: logins have their own counters
    client = logged_in(resident)
    change = {
        "old_password": "not-it",
        "new_password": "a-new-portal-pass-9",
        "repeat": "a-new-portal-pass-9",
    }
    for _ in range(2):
        assert "not correct" in text(client.post("/my-details/password/", change))
    refused(client.post("/my-details/password/", {**change, "old_password": PASSWORD}))
    assert User.objects.get(email=resident["email"]).check_password(PASSWORD)


@pytest.mark.parametrize(
    ("path", "scope", "first_answer"),
    [
        ("/confirm/1.nope", "auth_ip", "Confirmation failed"),
        ("/confirm-email/1.nope", "email_change", "Confirmation failed"),
        ("/move-in/resume/1.nope", "move_in", "This link cannot be used"),
    ],
)
def test_link_buttons_are_throttled_with_their_apis_counter(db, rates, path, scope, first_answer):
    rates(**{scope: "1/min"})
    client = page_client()
    assert first_answer in text(client.post(path))
    page = refused(client.post(path))
    assert "<h1>Please wait</h1>" in page
    assert f'<a href="{path}">Back</a>' in page
    assert first_answer not in page


# -- help and tickets ----------------------------------------------------------------------------


def test_the_help_form_is_throttled_per_client_and_a_refused_message_opens_no_ticket(db, rates, settings):
    settings.TRUSTED_PROXIES = 1
    rates(tickets="2/hour")
    visitor = page_client()

    def send(n: int, client_address: str = "198.51.100.20"):
        return visitor.post(
            "/help/",
            {
                "kind": "question",
                "subject": f"Throttle question {n}",
                "message": "When is my meter read?",
                "email": f"asker{n}@example.test",
            },
            HTTP_X_FORWARDED_FOR=client_address,
        )

    for n in range(2):
        assert "Thank you for your message" in text(send(n))
    page = refused(send(2))
    assert 'value="Throttle question 2"' in page  # kept in the form
    other_client = send(3, "198.51.100.21")
    assert "Thank you for your message" in text(other_client)
    with schema_context("org_noord"):
        assert set(
            Ticket.objects.filter(subject__startswith="Throttle question").values_list("subject", flat=True)
        ) == {
            "Throttle question 0",
            "Throttle question 1",
            "Throttle question 3",
        }
    assert outbox("org_noord", "asker2@example.test") == []


def test_ticket_replies_are_throttled_and_a_refused_reply_writes_nothing(resident, rates):
    rates(tickets="2/hour")
    ticket = ticket_of(resident)  # opened by the service: not counted
    client = logged_in(resident)
    for n in range(2):
        assert client.post(f"/tickets/{ticket.pk}/", {"message": f"Reply {n}"}).status_code == 302
    emails = _emails()
    page = refused(client.post(f"/tickets/{ticket.pk}/", {"message": "Reply 2"}))
    assert "Reply 2" in page  # kept in the form
    with schema_context("org_noord"):
        assert list(
            TicketMessage.objects.filter(ticket_id=ticket.pk).values_list("body", flat=True).order_by("id")
        ) == [
            "It blinks red.",
            "Reply 0",
            "Reply 1",
        ]
    assert _emails() == emails


def test_another_residents_ticket_is_not_found_before_anything_is_counted(resident, rates):
    rates(tickets="1/hour")
    ticket = ticket_of(resident)
    other = billing_customer()
    make_resident(other)
    stranger = logged_in(other)
    for _ in range(2):
        assert stranger.post(f"/tickets/{ticket.pk}/", {"message": "me too"}).status_code == 404
    # The stranger's 404s used up nothing: the resident (same client address) still replies.
    assert logged_in(resident).post(f"/tickets/{ticket.pk}/", {"message": "Mine"}).status_code == 302


# -- move-in -------------------------------------------------------------------------------------


@pytest.fixture
def new_address(db):
    with schema_context("org_noord"):
        street = import_address_with_meter("Throttlelaan", "TH-1")
        meter = Meter.objects.get(external_id=f"{street}-m")
    return meter, street


def test_move_in_steps_and_the_resume_link_are_throttled_and_a_refused_post_saves_and_sends_nothing(
    new_address, rates
):
    meter, _street = new_address
    rates(move_in="6/min")
    client = page_client()
    assert client.post("/move-in/")["Location"] == "/move-in/step/1/"  # 1
    assert (
        client.post("/move-in/step/1/", {"location_id": meter.location_id})["Location"] == "/move-in/step/2/"
    )
    bad_date = client.post("/move-in/step/2/", {"move_in_date": "not a date"})  # 3: counted though refused
    assert bad_date.status_code == 200
    today = date.today().isoformat()
    assert client.post("/move-in/step/2/", {"move_in_date": today})["Location"] == "/move-in/step/3/"
    step3 = {"kind": "person", "first_name": "Mo", "last_name": "Ver"}
    assert client.post("/move-in/step/3/", step3)["Location"] == "/move-in/step/4/"  # 5
    email = "throttled-mover@example.test"
    assert (
        client.post("/move-in/step/4/", {"email": email, "language": "en"})["Location"] == "/move-in/step/5/"
    )
    assert len(outbox("org_noord", email, "move_in_resume")) == 1  # sent with step 4

    late = client.post("/move-in/step/5/", {f"reading_{meter.pk}": "1234,5"})
    page = refused(late)
    assert "Please correct what is marked below." not in page
    assert 'value="1234.5"' in page  # what was typed is still there (as the number it is)
    with schema_context("org_noord"):
        assert "5" not in MoveInRequest.objects.get(email=email).steps

    link = refused(client.post("/move-in/send-link/", {"back": "/move-in/step/5/"}))
    assert "<h1>The link was not sent</h1>" in link
    assert '<a href="/move-in/step/5/">Back</a>' in link
    assert len(outbox("org_noord", email, "move_in_resume")) == 1


def test_the_address_search_is_throttled_on_its_own_counter(new_address, rates):
    meter, street = new_address
    rates(location_search="2/min", move_in="30/min")
    client = page_client()
    client.post("/move-in/")
    for _ in range(2):
        found = text(client.get("/move-in/step/1/", {"q": street}))
        assert f'value="{meter.location_id}"' in found
    page = refused(client.get("/move-in/step/1/", {"q": street}))
    assert f'value="{meter.location_id}"' not in page  # no results
    assert "We found no address we supply that matches." not in page
    # Short queries search nothing and count nothing; the steps have their own counter.
    assert client.get("/move-in/step/1/", {"q": "ab"}).status_code == 200
    assert (
        client.post("/move-in/step/1/", {"location_id": meter.location_id})["Location"] == "/move-in/step/2/"
    )


# -- email change --------------------------------------------------------------------------------


def test_email_changes_on_my_details_are_throttled_shared_with_the_api_and_send_nothing(
    resident, rates, client_for
):
    rates(email_change="3/hour")
    client = logged_in(resident)
    change = {"form": "email", "new_email": "throttled-new@example.test", "password": "not-it"}
    for _ in range(2):
        assert "Your current password is not correct." in text(client.post("/my-details/", change))
    api = client_for(NOORD)
    api.credentials(HTTP_AUTHORIZATION=f"Token {login(api, resident['email'], PASSWORD)['key']}")
    answer = api.post(
        "/api/portal/details/email/", {"new_email": "x@example.test", "password": "no"}, format="json"
    )
    assert answer.status_code == 400  # the third attempt, on the API
    assert answer.json()["code"] == "wrong_password"
    assert answer.json()["password"] == ["Your current password is not correct."]
    page = refused(client.post("/my-details/", {**change, "password": PASSWORD}))
    assert 'value="throttled-new@example.test"' in page
    assert outbox("org_noord", "throttled-new@example.test") == []
    assert "Your current password is not correct." not in page  # the password was not even checked
    late = api.post(
        "/api/portal/details/email/", {"new_email": "x@example.test", "password": "no"}, format="json"
    )
    assert late.status_code == 429
    assert late.json()["code"] == "throttled"


def test_staff_invitations_are_throttled_on_the_page_and_the_api_alike(db, rates, client_for):
    from memberships.models import StaffMembership
    from memberships.services.staff import invite_staff_member

    rates(auth_ip="2/min")
    organisation = Organisation.objects.get(schema_name="org_noord")
    with schema_context("org_noord"):
        invitation = invite_staff_member(organisation=organisation, email="new-colleague@noord.test")
    api = client_for(NOORD)
    assert api.get(f"/api/auth/invitations/{invitation.raw_token}/").status_code == 200
    too_short = page_client().post(f"/invitation/{invitation.raw_token}", {"password": "x"})
    assert too_short.status_code == 200  # refused by the password rules, counted by the throttle
    refused(
        page_client().post(
            f"/invitation/{invitation.raw_token}",
            {"password": "a-new-staff-pass-9"},
        )
    )
    answer = api.post(
        "/api/auth/invitations/accept/",
        {"token": invitation.raw_token, "password": "a-new-staff-pass-9"},
        format="json",
    )
    assert answer.status_code == 429
    assert answer.json()["code"] == "throttled"
    with schema_context("org_noord"):
        assert (
            StaffMembership.objects.get(email="new-colleague@noord.test").status
            == StaffMembership.Status.INVITED
        )
