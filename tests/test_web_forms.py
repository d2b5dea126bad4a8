"""The portal's forms through Django's test client: what bad input gets, what good input changes.

Account flows reached by emailed links (/activate/, /confirm-email/, /invitation/), the resend
form, my details, the login email change, the password change, the advance control, and
impersonation in the browser session.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from communications.models import OutboundEmail
from contracts.models import AdvancePaymentPlan
from customers.models import Customer, CustomerAddress
from memberships.models import ImpersonationSession, PortalAccount
from tenants.models import Organisation
from tests.support.billing_data import billing_customer
from tests.support.factories import last_link, make_customer, process_account_requests
from tests.support.organisations import login
from tests.support.web import (
    NOORD,
    PASSWORD,
    ZUID,
    field_errors,
    logged_in,
    make_resident,
    page_client,
    text,
    ticket_of,
)


@pytest.fixture
def resident(db):
    data = billing_customer()
    make_resident(data)
    return data


def _allow_advance_changes() -> None:
    from configuration.models import PortalPreferences

    PortalPreferences.objects.current()
    PortalPreferences.objects.update(
        advance_changes_allowed=True, advance_min_percentage=80, advance_max_percentage=150
    )


def _plan(data: dict) -> AdvancePaymentPlan:
    return AdvancePaymentPlan.objects.get(
        contract__number__endswith="-1", contract__customer__customer_number=data["number"]
    )


def _impersonate(data: dict, client_for) -> tuple[Client, dict]:
    """A browser session of a staff member acting as the resident, and the admin API's answer."""
    staff = client_for(NOORD)
    staff.credentials(HTTP_AUTHORIZATION=f"Token {login(staff, 'admin@noord.test')['key']}")
    with schema_context("org_noord"):
        customer_id = Customer.objects.get(customer_number=data["number"]).pk
    started = staff.post(
        f"/api/admin/customers/{customer_id}/portal/impersonate/", {"reason": "phone call"}, format="json"
    )
    assert started.status_code == 201, started.content
    browser = page_client()
    assert browser.post("/impersonation/start/", {"key": started.json()["key"]})["Location"] == "/overview/"
    return browser, started.json()


# -- the advance control -------------------------------------------------------------------------


@pytest.mark.parametrize("contract_id", ["abc", "²", "", "-1", "1.5", "99999999"])
def test_an_advance_for_a_contract_id_that_is_not_one_of_yours_is_refused_not_a_500(resident, contract_id):
    with schema_context("org_noord"):
        _allow_advance_changes()
    client = logged_in(resident)
    client.raise_request_exception = True  # a 500 would raise here
    response = client.post("/my-details/", {"form": "advance", "contract_id": contract_id, "amount": "100"})
    assert response.status_code == 400
    assert "Choose one of your contracts." in text(response)
    with schema_context("org_noord"):
        assert _plan(resident).current_amount == Decimal("100.00")


def test_an_advance_for_another_customers_contract_changes_nothing(db):
    mine, theirs = billing_customer(), billing_customer()
    make_resident(mine)
    with schema_context("org_noord"):
        _allow_advance_changes()
        foreign = _plan(theirs)
    response = logged_in(mine).post(
        "/my-details/", {"form": "advance", "contract_id": foreign.contract_id, "amount": "120"}
    )
    assert response.status_code == 400
    assert "Choose one of your contracts." in text(response)
    with schema_context("org_noord"):
        foreign.refresh_from_db()
    assert foreign.current_amount == Decimal("100.00")


def test_the_advance_takes_a_decimal_comma(resident):
    with schema_context("org_noord"):
        _allow_advance_changes()
        plan = _plan(resident)
    response = logged_in(resident).post(
        "/my-details/", {"form": "advance", "contract_id": plan.contract_id, "amount": "112,50"}
    )
    assert response.status_code == 302
    with schema_context("org_noord"):
        plan.refresh_from_db()
    assert plan.current_amount == Decimal("112.50")


def test_an_advance_that_is_not_a_number_gets_a_field_error(resident):
    with schema_context("org_noord"):
        _allow_advance_changes()
        plan = _plan(resident)
    response = logged_in(resident).post(
        "/my-details/", {"form": "advance", "contract_id": plan.contract_id, "amount": "lots"}
    )
    assert response.status_code == 200
    assert "Enter a number." in field_errors(response, f"advance-{plan.contract_id}-amount_error")


# -- my details -----------------------------------------------------------------------------------


def _details_post(**changes) -> dict:
    return {
        "form": "details",
        "phone": "+32 9 123 45 67",
        "billing_preference": "email",
        "language": "en",
        "billing_street": "Main street",
        "billing_house_number": "1",
        "billing_box": "",
        "billing_postal_code": "9000",
        "billing_city": "Gent",
        "billing_country": "BE",
        **changes,
    }


def test_saving_a_phone_number_keeps_a_foreign_billing_address_abroad(resident):
    with schema_context("org_noord"):
        customer = Customer.objects.get(customer_number=resident["number"])
        CustomerAddress.objects.filter(customer=customer, kind="billing").update(
            street="Keizersgracht", house_number="12", postal_code="1015 CJ", city="Amsterdam", country="NL"
        )
    client = logged_in(resident)
    page = text(client.get("/my-details/"))
    # The country select shows the address's own country.
    assert re.search(r'<option value="NL" selected>Netherlands</option>', page), page
    response = client.post(
        "/my-details/",
        _details_post(
            phone="+31 20 123 4567",
            billing_street="Keizersgracht",
            billing_house_number="12",
            billing_postal_code="1015 CJ",
            billing_city="Amsterdam",
            billing_country="NL",
        ),
    )
    assert response.status_code == 302
    assert "Your details were saved." in text(client.get("/my-details/"))
    with schema_context("org_noord"):
        customer.refresh_from_db()
        address = CustomerAddress.objects.get(customer=customer, kind="billing")
        assert customer.phone == "+31 20 123 4567"
        assert (address.city, address.country) == ("Amsterdam", "NL")
        event = ActivityEvent.objects.filter(
            customer=customer, kind=ActivityEvent.Kind.DETAILS_CHANGED
        ).first()
        assert event.data["changes"]["phone"]["to"] == "+31 20 123 4567"
        assert "address_billing" not in event.data["changes"]  # the address did not change


def test_a_country_outside_the_list_is_kept_and_an_unknown_one_refused(resident):
    with schema_context("org_noord"):
        customer = Customer.objects.get(customer_number=resident["number"])
        CustomerAddress.objects.filter(customer=customer, kind="billing").update(country="US")
    client = logged_in(resident)
    assert '<option value="US" selected>US</option>' in text(client.get("/my-details/"))
    refused = client.post("/my-details/", _details_post(billing_country="XX"))
    assert refused.status_code == 200
    assert "Select a valid choice. XX is not one of the available choices." in field_errors(
        refused, "id_billing_country_error"
    )
    kept = client.post("/my-details/", _details_post(billing_country="US", phone="+1 555 0100"))
    assert kept.status_code == 302
    with schema_context("org_noord"):
        assert CustomerAddress.objects.get(customer=customer, kind="billing").country == "US"


def test_my_details_refuses_a_missing_street_with_the_field_error_and_changes_nothing(resident):
    client = logged_in(resident)
    response = client.post("/my-details/", _details_post(billing_street="", phone="+32 470 00 00 00"))
    assert response.status_code == 200
    assert "This field is required." in field_errors(response, "id_billing_street_error")
    assert 'aria-invalid="true"' in text(response)
    with schema_context("org_noord"):
        assert Customer.objects.get(customer_number=resident["number"]).phone != "+32 470 00 00 00"


def test_email_fields_are_limited_to_254_characters_and_longer_gets_a_field_error(resident):
    for path in ("/login/", "/register/", "/forgot-password/", "/resend-confirmation/", "/help/"):
        body = text(page_client().get(path))
        for field in re.findall(r'<input type="email"[^>]*>', body):
            assert 'maxlength="254"' in field, (path, field)
    client = logged_in(resident)
    assert re.search(
        r'<input type="email" name="new_email" maxlength="254"', text(client.get("/my-details/"))
    )
    long_address = "a" * 250 + "@example.test"
    response = client.post("/my-details/", {"form": "email", "new_email": long_address, "password": PASSWORD})
    assert response.status_code == 200
    assert "at most 254 characters" in field_errors(response, "id_new_email_error")


# -- email change and password change -------------------------------------------------------------


def test_the_login_email_changes_only_when_the_new_address_confirms(resident):
    client = logged_in(resident)
    wrong = client.post(
        "/my-details/", {"form": "email", "new_email": "new-home@example.test", "password": "not-it"}
    )
    assert "Your current password is not correct." in field_errors(wrong, "id_password_error")
    asked = client.post(
        "/my-details/", {"form": "email", "new_email": "new-home@example.test", "password": PASSWORD}
    )
    assert asked.status_code == 302
    assert "Confirm the change with the link we sent to the new address." in text(client.get("/my-details/"))
    with schema_context("org_noord"):
        assert (
            PortalAccount.objects.get(customer__customer_number=resident["number"]).login_email
            == resident["email"]
        )
    token = last_link("org_noord", "new-home@example.test", "email_change_confirm", "/confirm-email/")
    visitor = page_client()
    # Opening the link changes nothing; the button does.
    assert "Confirm my new email address" in text(visitor.get(f"/confirm-email/{token}"))
    with schema_context("org_noord"):
        assert (
            PortalAccount.objects.get(customer__customer_number=resident["number"]).login_email
            == resident["email"]
        )
    done = visitor.post(f"/confirm-email/{token}")
    assert "You now log in with new-home@example.test." in text(done)
    again = visitor.post(f"/confirm-email/{token}")
    assert "Confirmation failed" in text(again)
    assert 'role="alert"' in text(again)
    assert (
        page_client().post("/login/", {"email": "new-home@example.test", "password": PASSWORD})["Location"]
        == "/overview/"
    )


def test_the_password_change_needs_the_current_password_and_keeps_the_session(resident):
    client = logged_in(resident)
    form = text(client.get("/my-details/password/"))
    assert 'autocomplete="current-password"' in form
    wrong = client.post(
        "/my-details/password/",
        {"old_password": "not-it", "new_password": "a-new-portal-pass-9", "repeat": "a-new-portal-pass-9"},
    )
    assert wrong.status_code == 200
    assert "not correct" in field_errors(wrong, "id_old_password_error")
    differ = client.post(
        "/my-details/password/",
        {"old_password": PASSWORD, "new_password": "a-new-portal-pass-9", "repeat": "something-else-1"},
    )
    assert "The two passwords differ." in field_errors(differ, "id_repeat_error")
    done = client.post(
        "/my-details/password/",
        {"old_password": PASSWORD, "new_password": "a-new-portal-pass-9", "repeat": "a-new-portal-pass-9"},
    )
    assert done["Location"] == "/my-details/"
    assert "Your password was changed." in text(client.get("/my-details/"))  # still logged in
    assert (
        page_client().post("/login/", {"email": resident["email"], "password": PASSWORD}).status_code == 200
    )
    assert (
        page_client().post("/login/", {"email": resident["email"], "password": "a-new-portal-pass-9"})[
            "Location"
        ]
        == "/overview/"
    )


# -- login, registration, resend ----------------------------------------------------------------


def test_a_failed_login_keeps_where_the_resident_was_going(resident):
    client = page_client()
    first = text(client.get("/login/?next=/invoices/"))
    assert '<input type="hidden" name="next" value="/invoices/">' in first
    failed = client.post("/login/", {"email": resident["email"], "password": "wrong", "next": "/invoices/"})
    assert "The email address or password is not correct." in text(failed)
    assert '<input type="hidden" name="next" value="/invoices/">' in text(failed)
    done = client.post("/login/", {"email": resident["email"], "password": PASSWORD, "next": "/invoices/"})
    assert done["Location"] == "/invoices/"


def test_a_foreign_next_is_not_even_carried_in_the_form(db):
    body = text(
        page_client().post("/login/?next=https://evil.test/", {"email": "x@example.test", "password": "y"})
    )
    assert '<input type="hidden" name="next" value="">' in body
    assert 'name="next" value="https://evil.test/"' not in body


def test_optional_is_said_once_on_the_register_and_help_forms(db):
    register = text(page_client().get("/register/"))
    label = re.search(r'<label for="id_login_email">(.*?)</label>', register, re.S).group(1)
    assert label.count("(optional)") == 1, label
    assert "Log in with another email address" in label
    help_form = text(page_client().get("/help/"))
    label = re.search(r'<label for="id_attachment">(.*?)</label>', help_form, re.S).group(1)
    assert label.count("(optional)") == 1, label
    assert "A PDF, PNG or JPEG file." in help_form


def test_the_resend_form_answers_the_same_for_known_and_unknown_addresses_and_sends_to_the_pending_one(db):
    data = billing_customer()
    organisation = Organisation.objects.get(schema_name="org_noord")
    from memberships.services.registration import register_resident

    with schema_context("org_noord"):
        register_resident(
            organisation=organisation, customer_number=data["number"], email=data["email"], password=PASSWORD
        )
    client = page_client()
    assert "Send the confirmation email again" in text(client.get("/resend-confirmation/"))
    invalid = client.post("/resend-confirmation/", {"email": "not an address"})
    assert "Enter a valid email address." in field_errors(invalid, "id_email_error")
    answers = [
        text(client.post("/resend-confirmation/", {"email": address}))
        for address in (data["email"], "nobody-here@example.test")
    ]
    sentence = (
        "If this address has a registration waiting for confirmation, we sent a new confirmation email."
    )
    assert all(sentence in answer for answer in answers)
    process_account_requests("org_noord")
    with schema_context("org_noord"):
        sent = OutboundEmail.objects.filter(template="registration_confirmation")
        assert sent.filter(to=data["email"]).count() == 2  # at registration, and once more now
        assert not sent.filter(to="nobody-here@example.test").exists()


# -- links from emails: activation and staff invitation -----------------------------------------


def test_an_invited_customer_activates_with_a_password_once(db):
    from memberships.services.registration import invite_customer

    customer = make_customer(email="invited-web@example.test")
    organisation = Organisation.objects.get(schema_name="org_noord")
    with schema_context("org_noord"):
        invite_customer(organisation=organisation, customer=customer, staff_user=None)
    token = last_link("org_noord", "invited-web@example.test", "portal_invitation", "/activate/")
    client = page_client()
    page = text(client.get(f"/activate/{token}"))
    assert "You were invited to the portal as invited-web@example.test." in page
    short = client.post(f"/activate/{token}", {"password": "short"})
    assert "too short" in field_errors(short, "id_password_error")
    done = client.post(f"/activate/{token}", {"password": "invited-portal-pass-4"})
    assert "Your account is active. You can log in now." in text(done)
    used = text(client.get(f"/activate/{token}"))
    assert "This link cannot be used" in used
    assert 'role="alert"' in used
    assert (
        page_client().post(
            "/login/", {"email": "invited-web@example.test", "password": "invited-portal-pass-4"}
        )["Location"]
        == "/overview/"
    )


def test_an_activation_link_of_one_organisation_is_worthless_on_another(db):
    from memberships.services.registration import invite_customer

    customer = make_customer(email="invited-elsewhere@example.test")
    organisation = Organisation.objects.get(schema_name="org_noord")
    with schema_context("org_noord"):
        invite_customer(organisation=organisation, customer=customer, staff_user=None)
    token = last_link("org_noord", "invited-elsewhere@example.test", "portal_invitation", "/activate/")
    on_zuid = page_client(ZUID)
    assert "This link cannot be used" in text(on_zuid.get(f"/activate/{token}"))
    assert "This link cannot be used" in text(
        on_zuid.post(f"/activate/{token}", {"password": "zuid-portal-pass-1"})
    )
    # Still good at home.
    assert "invited-elsewhere@example.test" in text(page_client().get(f"/activate/{token}"))


def test_a_staff_invitation_is_accepted_on_the_portal_page_once(db):
    from memberships.services.staff import invite_staff_member

    organisation = Organisation.objects.get(schema_name="org_noord")
    with schema_context("org_noord"):
        invitation = invite_staff_member(organisation=organisation, email="new-colleague@noord.test")
    client = page_client()
    assert "Accept the invitation" in text(client.get(f"/invitation/{invitation.raw_token}"))
    short = client.post(f"/invitation/{invitation.raw_token}", {"password": "short"})
    assert "too short" in field_errors(short, "id_password_error")
    done = client.post(f"/invitation/{invitation.raw_token}", {"password": "colleague-pass-word-3"})
    assert "You can now log in to the administration with this email address." in text(done)
    again = client.post(f"/invitation/{invitation.raw_token}", {"password": "colleague-pass-word-3"})
    assert "Invitation accepted" not in text(again)
    assert 'role="alert"' in text(again)


# -- impersonation in the browser session ---------------------------------------------------------


def test_during_impersonation_the_advance_form_is_replaced_by_a_note(resident, client_for):
    with schema_context("org_noord"):
        _allow_advance_changes()
        plan = _plan(resident)
    browser, _started = _impersonate(resident, client_for)
    page = text(browser.get("/my-details/"))
    assert "Only the customer can change the advance payment" in page
    assert 'name="amount"' not in page
    assert "Change my advance" not in page
    refused = browser.post(
        "/my-details/", {"form": "advance", "contract_id": plan.contract_id, "amount": "120"}
    )
    assert "This cannot be changed while logged in as the customer." in text(refused)
    with schema_context("org_noord"):
        plan.refresh_from_db()
    assert plan.current_amount == Decimal("100.00")


def test_logging_out_during_impersonation_stops_the_impersonation(resident, client_for):
    browser, started = _impersonate(resident, client_for)
    response = browser.post("/logout/")
    assert response.status_code == 200
    assert "Impersonation stopped" in text(response)
    assert "You are logged in as this customer." not in text(response)
    with schema_context("org_noord"):
        session = ImpersonationSession.objects.get(pk=started["session"]["id"])
        assert session.ended_at is not None
        assert (session.ended_by, session.access_token_id) == ("logout", None)  # as the API's logout
        assert ActivityEvent.objects.filter(
            customer__customer_number=resident["number"], kind=ActivityEvent.Kind.IMPERSONATION_STOPPED
        ).exists()
        assert not ActivityEvent.objects.filter(
            customer__customer_number=resident["number"], kind=ActivityEvent.Kind.LOGOUT
        ).exists()  # the resident did not log out
    assert browser.get("/overview/")["Location"].startswith("/login/")
    # The access token behind the browser session ended with it.
    api = client_for(NOORD)
    api.credentials(HTTP_AUTHORIZATION=f"Token {started['key']}")
    assert api.get("/api/portal/me/").json()["code"] == "token_invalid"


def test_a_residents_own_logout_on_the_page_is_logged_and_ends_the_session(resident):
    client = logged_in(resident)
    response = client.post("/logout/")
    assert response["Location"] == "/"
    assert "You are logged out." in text(client.get("/"))
    assert client.get("/overview/")["Location"].startswith("/login/")
    with schema_context("org_noord"):
        assert ActivityEvent.objects.filter(
            customer__customer_number=resident["number"], kind=ActivityEvent.Kind.LOGOUT
        ).exists()


@pytest.mark.parametrize(("record_language", "expected"), [("nl", "nl"), ("", "fr")])
def test_the_register_page_language_is_only_a_fallback_for_the_customer_records(
    db, record_language, expected
):
    customer = make_customer(language=record_language)
    response = page_client(language="fr").post(
        "/register/",
        {"customer_number": customer.customer_number, "email": customer.email, "password": PASSWORD},
    )
    assert response.status_code == 200
    with schema_context("org_noord"):
        assert PortalAccount.objects.get(customer_id=customer.pk).language == expected
        [email] = OutboundEmail.objects.filter(to=customer.email, template="registration_confirmation")
    assert email.language == expected


def test_a_language_chosen_during_impersonation_is_not_stored_for_the_customer(resident, client_for):
    browser, _started = _impersonate(resident, client_for)
    response = browser.post("/language/", {"language": "fr", "next": "/overview/"})
    assert response["Location"] == "/overview/"
    page = text(browser.get("/overview/"))
    assert '<html lang="fr">' in page
    assert "Vue d\u2019ensemble" in page
    with schema_context("org_noord"):
        account = PortalAccount.objects.get(customer__customer_number=resident["number"])
        assert account.language == "en"
        assert not ActivityEvent.objects.filter(
            customer=account.customer, kind=ActivityEvent.Kind.LANGUAGE_CHANGED
        ).exists()
    # The resident's own choice is still stored when they switch.
    own = logged_in(resident)
    own.post("/language/", {"language": "nl", "next": "/overview/"})
    with schema_context("org_noord"):
        assert PortalAccount.objects.get(customer__customer_number=resident["number"]).language == "nl"


# -- replying on a ticket -------------------------------------------------------------------------


def _png_upload(name: str = "more.png"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_a_resident_replies_on_their_ticket_page_with_an_attachment(resident):
    from configuration.models import PortalPreferences
    from support.models import Ticket, TicketMessage

    with schema_context("org_noord"):
        PortalPreferences.objects.current()
        PortalPreferences.objects.update(support_email="service@noord.test")
        ticket = ticket_of(resident)
        Ticket.objects.filter(pk=ticket.pk).update(status="closed")
    client = logged_in(resident)
    page = text(client.get(f"/tickets/{ticket.pk}/"))
    assert f'action="/tickets/{ticket.pk}/"' in page
    assert "This question is closed. Replying opens it again." in page

    empty = client.post(f"/tickets/{ticket.pk}/", {"message": ""})
    assert "This field is required." in field_errors(empty, "id_message_error")
    disguised = client.post(
        f"/tickets/{ticket.pk}/",
        {"message": "Proof attached", "attachment": _not_a_pdf()},
    )
    assert "Attach a PDF, PNG or JPEG file." in field_errors(disguised, "id_attachment_error")
    assert "Proof attached" in text(disguised)  # kept to correct
    with schema_context("org_noord"):
        assert TicketMessage.objects.filter(ticket_id=ticket.pk).count() == 1  # nothing half-written
        assert Ticket.objects.get(pk=ticket.pk).status == "closed"

    sent = client.post(f"/tickets/{ticket.pk}/", {"message": "Still blinking.", "attachment": _png_upload()})
    assert sent.status_code == 302
    assert sent["Location"] == f"/tickets/{ticket.pk}/"
    after = text(client.get(sent["Location"]))
    assert "Your reply was sent. Customer service will answer you." in after
    assert "Still blinking." in after
    # The resident's own file is listed with a download link that gives it back.
    link = re.search(
        rf'Attachment: <a href="(/tickets/{ticket.pk}/messages/\d+/attachment/)" download>more.png</a>', after
    )
    assert link, after
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    with schema_context("org_noord"):
        reply = TicketMessage.objects.filter(ticket_id=ticket.pk).latest("id")
        assert (reply.author, reply.body, reply.attachment_type) == (
            "requester",
            "Still blinking.",
            "image/png",
        )
        assert Ticket.objects.get(pk=ticket.pk).status == "open"
        [notice] = OutboundEmail.objects.filter(to="service@noord.test", template="ticket_reply")
    assert "Still blinking." in notice.body_text


def _not_a_pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("proof.pdf", b"MZ executable", content_type="application/pdf")


def test_nobody_else_replies_on_a_residents_ticket_page(resident, client_for):
    from support.models import TicketMessage

    ticket = ticket_of(resident)
    other = billing_customer()
    make_resident(other)
    stranger = logged_in(other)
    assert stranger.get(f"/tickets/{ticket.pk}/").status_code == 404
    assert stranger.post(f"/tickets/{ticket.pk}/", {"message": "me too"}).status_code == 404
    # A Noord session means nothing on Zuid's domain.
    elsewhere = logged_in(resident)
    elsewhere.defaults["HTTP_HOST"] = ZUID
    assert elsewhere.post(f"/tickets/{ticket.pk}/", {"message": "x"})["Location"].startswith("/login/")
    assert page_client().post(f"/tickets/{ticket.pk}/", {"message": "x"})["Location"].startswith("/login/")
    # Staff acting as the customer see the conversation but cannot write in their name.
    browser, _started = _impersonate(resident, client_for)
    page = text(browser.get(f"/tickets/{ticket.pk}/"))
    assert "Staff cannot send a message in the customer" in page
    assert "name. Use the administration." in page
    assert 'name="message"' not in page
    assert browser.post(f"/tickets/{ticket.pk}/", {"message": "as the customer"}).status_code == 200
    with schema_context("org_noord"):
        assert list(TicketMessage.objects.filter(ticket_id=ticket.pk).values_list("body", flat=True)) == [
            "It blinks red."
        ]


def test_without_help_requests_the_ticket_page_has_no_reply_form(resident, noord):
    from support.models import TicketMessage
    from tenants.services import update_organisation

    ticket = ticket_of(resident)
    update_organisation(organisation=noord, features={"help_requests": False})
    client = logged_in(resident)
    page = text(client.get(f"/tickets/{ticket.pk}/"))
    assert 'name="message"' not in page
    assert "Contact us by phone or email." in page
    client.post(f"/tickets/{ticket.pk}/", {"message": "x"})
    with schema_context("org_noord"):
        assert TicketMessage.objects.filter(ticket_id=ticket.pk).count() == 1
