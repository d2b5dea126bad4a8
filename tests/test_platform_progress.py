"""What the operator console needs beyond the operator API's basics: onboarding progress and status history."""

from __future__ import annotations

from django_tenants.utils import schema_context

from communications import services as outbox
from communications.models import OutboundEmail
from tenants.models import StatusChange

ONBOARD = {
    "name": "Warmte Oost",
    "slug": "oost",
    "domain": "portaal.oost.test",
    "admin_email": "beheer@oost.test",
    "default_language": "fr",
}


def _steps(body: dict) -> dict:
    return {step["key"]: (step["done"], step["detail"]) for step in body["steps"]}


def test_progress_follows_the_invitation_email_until_ready(operator_client):
    assert operator_client.post("/api/platform/organisations/", ONBOARD, format="json").status_code == 201
    body = operator_client.get("/api/platform/organisations/oost/progress/").json()
    steps = _steps(body)
    assert body["ready"] is False
    assert steps["schema"] == (True, "org_oost")
    assert steps["domain"] == (True, "portaal.oost.test")
    assert steps["invitation"] == (False, "queued")  # the outbox task has not run yet
    assert steps["portal"] == (True, "active")

    with schema_context("org_oost"):
        outbox.deliver(email_id=str(OutboundEmail.objects.get().pk))
    body = operator_client.get("/api/platform/organisations/oost/progress/").json()
    assert body["ready"] is True
    assert _steps(body)["invitation"] == (True, "sent")


def test_a_suspended_portal_is_not_ready(operator_client):
    operator_client.post("/api/platform/organisations/noord/suspend/", {"reason": "Unpaid"}, format="json")
    body = operator_client.get("/api/platform/organisations/noord/progress/").json()
    assert body["ready"] is False
    assert _steps(body)["portal"] == (False, "suspended")


def test_suspension_and_reactivation_are_kept_with_reason_and_operator(operator_client):
    assert (
        operator_client.post(
            "/api/platform/organisations/noord/suspend/", {"reason": "Contract ended"}, format="json"
        ).status_code
        == 200
    )
    response = operator_client.post(
        "/api/platform/organisations/noord/reactivate/", {"reason": "  "}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    assert (
        operator_client.post(
            "/api/platform/organisations/noord/reactivate/", {"reason": "New contract"}, format="json"
        ).json()["status"]
        == "active"
    )
    history = operator_client.get("/api/platform/organisations/noord/status-changes/").json()
    assert history["count"] == 2
    assert [(row["action"], row["reason"], row["actor_email"]) for row in history["results"]] == [
        ("reactivated", "New contract", "operator@platform.test"),
        ("suspended", "Contract ended", "operator@platform.test"),
    ]
    assert StatusChange.objects.filter(organisation__slug="zuid").count() == 0


def test_unknown_organisation_gives_404(operator_client):
    assert operator_client.get("/api/platform/organisations/nowhere/progress/").status_code == 404
    assert operator_client.get("/api/platform/organisations/nowhere/status-changes/").status_code == 404


def test_staff_of_an_organisation_cannot_read_progress_or_history(platform_client):
    from tests.support.organisations import login

    body = login(platform_client, "admin@noord.test")
    platform_client.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    assert platform_client.get("/api/platform/organisations/noord/progress/").status_code == 403
    assert platform_client.get("/api/platform/organisations/noord/status-changes/").status_code == 403


def test_history_filters_searches_and_orders(operator_client):
    for path, reason in (("suspend", "Unpaid"), ("reactivate", "Paid"), ("suspend", "Fraud")):
        operator_client.post(f"/api/platform/organisations/noord/{path}/", {"reason": reason}, format="json")
    url = "/api/platform/organisations/noord/status-changes/"
    assert [row["reason"] for row in operator_client.get(f"{url}?action=suspended").json()["results"]] == [
        "Fraud",
        "Unpaid",
    ]
    assert operator_client.get(f"{url}?search=paid").json()["count"] == 2
    assert [row["reason"] for row in operator_client.get(f"{url}?ordering=created_at").json()["results"]] == [
        "Unpaid",
        "Paid",
        "Fraud",
    ]
    assert operator_client.get(f"{url}?ordering=reason").status_code == 400
    assert operator_client.get(f"{url}?action=deleted").status_code == 400
