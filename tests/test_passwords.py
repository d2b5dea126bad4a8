"""Password reset by link, password change, and what they revoke."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.models import User
from tests.support.common import data_queries
from tests.support.factories import LINK, last_link, outbox, process_account_requests
from tests.support.organisations import PASSWORD as STAFF_PASSWORD
from tests.support.residents import PASSWORD, active_resident, login


def test_reset_request_answers_the_same_for_known_and_unknown(noord_client):
    customer = active_resident()
    noord_client.get("/api/portal/site/")  # warm the host routing, which is not what is compared here
    answers, counts = [], []
    for email in (customer.email, "stranger@example.test"):
        with CaptureQueriesContext(connection) as queries:
            response = noord_client.post("/api/auth/password/reset/", {"email": email}, format="json")
        answers.append((response.status_code, response.json()))
        counts.append(len(data_queries(queries)))
    assert answers[0] == answers[1]
    assert answers[0] == (
        202,
        {
            "code": "request_received",
            "detail": "If this address has an account with us, we sent a link to choose a new password.",
        },
    )
    assert counts[0] == counts[1]
    assert sorted(process_account_requests("org_noord")) == ["nothing_to_send", "sent"]
    assert outbox("org_noord", "stranger@example.test") == []


def test_reset_link_points_to_the_organisations_domain_and_works_once(noord_client):
    customer = active_resident()
    old_key = login(noord_client, customer.email).json()["key"]
    noord_client.post("/api/auth/password/reset/", {"email": customer.email}, format="json")
    process_account_requests("org_noord")
    [email] = outbox("org_noord", customer.email, "password_reset")
    assert "http://portal.noord.test:8000/reset-password/" in email.body_text
    token = last_link("org_noord", customer.email, "password_reset", "/reset-password/")

    weak = noord_client.post(
        "/api/auth/password/reset/confirm/", {"token": token, "new_password": "short"}, format="json"
    )
    assert weak.status_code == 400
    assert "new_password" in weak.json()
    done = noord_client.post(
        "/api/auth/password/reset/confirm/",
        {"token": token, "new_password": "brand-new-secret-42"},
        format="json",
    )
    assert done.status_code == 200
    assert login(noord_client, customer.email, "brand-new-secret-42").status_code == 200
    assert login(noord_client, customer.email).json()["code"] == "invalid_credentials"
    again = noord_client.post(
        "/api/auth/password/reset/confirm/",
        {"token": token, "new_password": "another-secret-43"},
        format="json",
    )
    assert again.json()["code"] == "token_used"
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {old_key}")
    assert noord_client.get("/api/portal/me/").status_code == 401  # tokens from before the reset are dead
    assert outbox("org_noord", customer.email, "password_changed")


def test_newer_reset_link_revokes_the_older(noord_client):
    customer = active_resident()
    for _ in range(2):
        noord_client.post("/api/auth/password/reset/", {"email": customer.email}, format="json")
        process_account_requests("org_noord")
    first, _second = [e.body_text for e in outbox("org_noord", customer.email, "password_reset")]
    first_token = first.split("/reset-password/")[1].split()[0]
    response = noord_client.post(
        "/api/auth/password/reset/confirm/",
        {"token": first_token, "new_password": "brand-new-secret-42"},
        format="json",
    )
    assert response.json()["code"] == "token_invalid"


def test_reset_token_from_one_organisation_is_unknown_on_another(noord_client, zuid_client):
    customer = active_resident()
    noord_client.post("/api/auth/password/reset/", {"email": customer.email}, format="json")
    process_account_requests("org_noord")
    token = last_link("org_noord", customer.email, "password_reset", "/reset-password/")
    response = zuid_client.post(
        "/api/auth/password/reset/confirm/",
        {"token": token, "new_password": "brand-new-secret-42"},
        format="json",
    )
    assert response.json()["code"] == "token_invalid"


def test_reset_for_a_member_of_another_organisation_sends_nothing(zuid_client):
    customer = active_resident("org_noord")
    zuid_client.post("/api/auth/password/reset/", {"email": customer.email}, format="json")
    assert process_account_requests("org_zuid") == ["nothing_to_send"]


def test_staff_can_reset_their_password_too(noord_client):
    noord_client.post("/api/auth/password/reset/", {"email": "admin@noord.test"}, format="json")
    assert process_account_requests("org_noord") == ["sent"]
    [email] = outbox("org_noord", "admin@noord.test", "password_reset")
    assert email.language == "nl"  # staff get the organisation's language
    links = [link for link in LINK.findall(email.body_text) if "/reset-password/" in link]
    assert links
    assert all(link.startswith("http://portal.noord.test:8000/reset-password/") for link in links)
    assert "http://portal.noord.test:8000/reset-password/" in email.body_html
    token = last_link("org_noord", "admin@noord.test", "password_reset", "/reset-password/")
    done = noord_client.post(
        "/api/auth/password/reset/confirm/",
        {"token": token, "new_password": "brand-new-staff-secret-1"},
        format="json",
    )
    assert done.status_code == 200
    assert login(noord_client, "admin@noord.test", "brand-new-staff-secret-1").json()["roles"] == [
        "staff:admin"
    ]


def test_change_password(noord_client):
    customer = active_resident()
    key = login(noord_client, customer.email).json()["key"]
    other_key = login(noord_client, customer.email).json()["key"]
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    wrong = noord_client.post(
        "/api/auth/password/change/",
        {"old_password": "nope", "new_password": "brand-new-secret-42"},
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json() == {
        "code": "wrong_password",
        "old_password": ["Your current password is not correct."],
    }
    changed = noord_client.post(
        "/api/auth/password/change/",
        {"old_password": PASSWORD, "new_password": "brand-new-secret-42"},
        format="json",
    )
    assert changed.status_code == 200
    new_key = changed.json()["key"]
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")
    assert noord_client.get("/api/portal/me/").status_code == 401
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
    assert noord_client.get("/api/portal/me/").status_code == 200
    assert User.objects.get(email=customer.email).check_password("brand-new-secret-42")


def test_logout_revokes_the_token(noord_client):
    customer = active_resident()
    key = login(noord_client, customer.email).json()["key"]
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert noord_client.post("/api/auth/logout/").status_code == 204
    assert noord_client.get("/api/portal/me/").status_code == 401


def test_login_is_throttled_per_account(noord_client, settings):
    statuses = [
        login(noord_client, "target@example.test", f"wrong-guess-{attempt}").status_code
        for attempt in range(12)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]
    body = login(noord_client, "target@example.test").json()
    assert body["code"] == "throttled"


def test_staff_login_unaffected_by_other_accounts_throttle(noord_client):
    for attempt in range(11):
        login(noord_client, "target@example.test", f"guess-{attempt}")
    response = noord_client.post(
        "/api/auth/login/", {"email": "admin@noord.test", "password": STAFF_PASSWORD}, format="json"
    )
    assert response.status_code == 200


def test_reset_requests_are_throttled_per_ip(noord_client):
    statuses = [
        noord_client.post(
            "/api/auth/password/reset/", {"email": f"who{n}@example.test"}, format="json"
        ).status_code
        for n in range(32)
    ]
    assert statuses[:30] == [202] * 30
    assert statuses[30:] == [429, 429]


def test_throttle_is_per_organisation(noord_client, zuid_client):
    for n in range(31):
        noord_client.post("/api/auth/password/reset/", {"email": f"who{n}@example.test"}, format="json")
    assert (
        zuid_client.post("/api/auth/password/reset/", {"email": "x@example.test"}, format="json").status_code
        == 202
    )


def test_password_change_and_logout_answer_in_the_stored_language(client_for, db):
    """The browser asks for English; the resident chose French: the API answers in French."""
    customer = active_resident()
    with schema_context("org_noord"):
        from memberships.models import PortalAccount

        PortalAccount.objects.filter(customer_id=customer.pk).update(language="fr")
    client = client_for("portal.noord.test", language="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {login(client, customer.email).json()['key']}")
    wrong = client.post(
        "/api/auth/password/change/",
        {"old_password": "nope", "new_password": "brand-new-secret-42"},
        format="json",
    )
    assert wrong.json() == {
        "code": "wrong_password",
        "old_password": ["Votre mot de passe actuel est incorrect."],
    }
    assert wrong["Content-Language"] == "fr"
    changed = client.post(
        "/api/auth/password/change/",
        {"old_password": PASSWORD, "new_password": "brand-new-secret-42"},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["detail"] == "Votre mot de passe a été modifié."
    assert changed["Content-Language"] == "fr"
    [notice] = outbox("org_noord", customer.email, "password_changed")
    assert notice.language == "fr"
    client.credentials(HTTP_AUTHORIZATION=f"Token {changed.json()['key']}")
    logout = client.post("/api/auth/logout/")
    assert logout.status_code == 204
    assert logout["Content-Language"] == "fr"


def test_staff_password_change_keeps_the_browser_language(client_for, db):
    client = client_for("portal.noord.test", language="en")
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {login(client, 'admin@noord.test', STAFF_PASSWORD).json()['key']}"
    )
    wrong = client.post(
        "/api/auth/password/change/",
        {"old_password": "nope", "new_password": "brand-new-secret-42"},
        format="json",
    )
    assert wrong.json() == {
        "code": "wrong_password",
        "old_password": ["Your current password is not correct."],
    }


def test_handled_account_requests_are_purged_after_the_retention_period(noord_client):
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from memberships.models import AccountEmailRequest
    from memberships.tasks import ACCOUNT_REQUEST_RETENTION, purge_account_requests

    for n in range(4):
        noord_client.post("/api/auth/password/reset/", {"email": f"old{n}@example.test"}, format="json")
    process_account_requests("org_noord")
    now = timezone.now()
    with schema_context("org_noord"):
        rows = list(AccountEmailRequest.objects.order_by("pk"))
        old, recent, unhandled, just_inside = rows
        AccountEmailRequest.objects.filter(pk=old.pk).update(
            processed_at=now - ACCOUNT_REQUEST_RETENTION - timedelta(hours=1)
        )
        AccountEmailRequest.objects.filter(pk=unhandled.pk).update(
            processed_at=None, created_at=now - ACCOUNT_REQUEST_RETENTION * 2
        )
        AccountEmailRequest.objects.filter(pk=just_inside.pk).update(
            processed_at=now - ACCOUNT_REQUEST_RETENTION + timedelta(hours=1)
        )
    with schema_context("org_zuid"):
        zuid_old = AccountEmailRequest.objects.create(
            kind="password_reset",
            email="z@example.test",
            language="fr",
            processed_at=now - timedelta(days=400),
        )
    assert purge_account_requests() == 2
    with schema_context("org_noord"):
        assert set(AccountEmailRequest.objects.values_list("pk", flat=True)) == {
            recent.pk,
            unhandled.pk,
            just_inside.pk,
        }
    with schema_context("org_zuid"):
        assert not AccountEmailRequest.objects.filter(pk=zuid_old.pk).exists()
    assert purge_account_requests() == 0
    assert "memberships.tasks.purge_account_requests" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
