"""Delete my account in the browser's pages: what goes and what stays, the password, the emailed link
that only asks when opened, and the button that deletes."""

from __future__ import annotations

from django_tenants.utils import schema_context

from customers.models import Customer
from memberships.models import PortalAccount
from personal_data.models import DeletionRequest
from tests.support.deletion import emailed_token
from tests.support.factories import outbox
from tests.support.web import PASSWORD, field_errors, logged_in, page_client, text

PAGE = "/my-details/delete-account/"


def _has_account(data) -> bool:
    with schema_context("org_noord"):
        return PortalAccount.objects.filter(customer__customer_number=data["number"]).exists()


def test_the_page_says_what_goes_and_what_stays_and_is_linked(web_resident):
    browser = logged_in(web_resident)
    assert PAGE in text(browser.get("/my-details/"))
    assert PAGE in text(browser.get("/my-details/data/"))
    page = text(browser.get(PAGE))
    for words in (
        "What we delete",
        "Your email notification choices",
        "Move-in requests you started but did not send",
        "What we keep, and why",
        "Contracts, invoices, payments",
        "7 years",
        "Current password",
    ):
        assert words in page
    assert page_client().get(PAGE)["Location"].startswith("/login/")


def test_the_page_asks_with_the_password_and_can_cancel(web_resident):
    browser = logged_in(web_resident)
    wrong = browser.post(PAGE, {"form": "delete", "password": "nope"})
    assert wrong.status_code == 200
    assert "Your current password is not correct." in field_errors(wrong, "id_password_error")
    asked = browser.post(PAGE, {"form": "delete", "password": PASSWORD, "reason": "Moving"}, follow=True)
    assert "We sent you an email" in text(asked)
    assert "Cancel the deletion" in text(asked)
    assert len(outbox("org_noord", web_resident["email"], "account_deletion_confirm")) == 1
    cancelled = browser.post(PAGE, {"form": "cancel"}, follow=True)
    assert "Your deletion request was cancelled" in text(cancelled)
    assert "Cancel the deletion" not in text(cancelled)
    with schema_context("org_noord"):
        assert DeletionRequest.objects.get().status == "cancelled"
    assert _has_account(web_resident)


def test_posts_need_the_csrf_token(web_resident):
    browser = page_client(enforce_csrf_checks=True)
    browser.post("/login/", {"email": web_resident["email"], "password": PASSWORD})  # refused too
    assert browser.post(PAGE, {"form": "delete", "password": PASSWORD}).status_code == 403
    logged = logged_in(web_resident)
    logged.post(PAGE, {"form": "delete", "password": PASSWORD})
    token = emailed_token(web_resident["email"])
    forged = page_client(enforce_csrf_checks=True)
    assert forged.post(f"/delete-account/confirm/{token}/").status_code == 403
    assert _has_account(web_resident)


def test_opening_the_link_deletes_nothing_the_button_does(web_resident, django_capture_on_commit_callbacks):
    browser = logged_in(web_resident)
    browser.post(PAGE, {"form": "delete", "password": PASSWORD})
    token = emailed_token(web_resident["email"])
    scanner = page_client()
    for _ in range(2):  # a mail scanner, then the resident
        opened = scanner.get(f"/delete-account/confirm/{token}/")
        assert opened.status_code == 200
        assert "Delete my account now" in text(opened)
    assert scanner.head(f"/delete-account/confirm/{token}/").status_code == 200
    assert _has_account(web_resident)
    with django_capture_on_commit_callbacks(execute=True):
        done = browser.post(f"/delete-account/confirm/{token}/")
    assert "Your portal account was deleted" in text(done)
    assert not _has_account(web_resident)
    assert browser.get("/overview/")["Location"].startswith("/login/")  # logged out
    again = page_client().post(f"/delete-account/confirm/{token}/")
    assert "The account was not deleted" in text(again)
    with schema_context("org_noord"):
        assert Customer.objects.filter(customer_number=web_resident["number"]).exists()


def test_the_page_in_dutch_and_french(web_resident):
    browser = logged_in(web_resident)
    for language, words in (("nl", "Mijn account verwijderen"), ("fr", "Supprimer mon compte")):
        with schema_context("org_noord"):
            PortalAccount.objects.filter(customer__customer_number=web_resident["number"]).update(
                language=language
            )
        assert words in text(browser.get(PAGE))
