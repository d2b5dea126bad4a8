"""The platform-operator API: permissions, onboarding, suspension, domains."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from accounts.models import User
from communications.models import OutboundEmail
from memberships.models import StaffMembership
from tenants.models import Domain, Organisation
from tests.support.organisations import OPERATOR_EMAIL, PASSWORD, login

OPERATOR_PATHS = [
    ("get", "/api/platform/organisations/"),
    ("post", "/api/platform/organisations/"),
    ("get", "/api/platform/organisations/noord/"),
    ("patch", "/api/platform/organisations/noord/"),
    ("post", "/api/platform/organisations/noord/suspend/"),
    ("post", "/api/platform/organisations/noord/reactivate/"),
    ("get", "/api/platform/organisations/noord/domains/"),
    ("post", "/api/platform/organisations/noord/domains/"),
    ("delete", "/api/platform/organisations/noord/domains/portal.noord.test/"),
    ("post", "/api/platform/organisations/noord/domains/portal.noord.test/set-primary/"),
]


@pytest.mark.parametrize(("method", "path"), OPERATOR_PATHS)
def test_anonymous_gets_401(platform_client, method, path):
    response = getattr(platform_client, method)(path, {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "path"), OPERATOR_PATHS)
def test_tenant_staff_member_gets_403(platform_client, method, path):
    """The staff admin of noord is a real identity, logged in on the platform domain: still no operator."""
    body = login(platform_client, "admin@noord.test")
    assert body["roles"] == []
    platform_client.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    response = getattr(platform_client, method)(path, {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Organisation.objects.get(slug="noord").status == "active"


def test_resident_identity_gets_403(platform_client, db):
    User.objects.create_user("resident@example.test", PASSWORD)
    body = login(platform_client, "resident@example.test")
    platform_client.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    response = platform_client.get("/api/platform/organisations/")
    assert response.status_code == 403


def test_tenant_token_is_unknown_on_the_platform_domain(noord_client, platform_client):
    body = login(noord_client, "admin@noord.test")
    platform_client.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    response = platform_client.get("/api/platform/organisations/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_operator_token_is_unknown_on_a_tenant_domain(operator_client, noord_client):
    key = operator_client._credentials["HTTP_AUTHORIZATION"]
    noord_client.credentials(HTTP_AUTHORIZATION=key)
    assert noord_client.get("/api/auth/me/").status_code == 401


def test_operator_api_is_not_served_on_a_tenant_domain(noord_client):
    body = login(noord_client, "admin@noord.test")
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    assert noord_client.get("/api/platform/organisations/").status_code == 404


def test_operator_lists_and_searches_organisations(operator_client):
    everything = operator_client.get("/api/platform/organisations/").json()
    assert [row["slug"] for row in everything["results"]] == ["zuid", "noord"]  # ordered by name
    by_domain = operator_client.get("/api/platform/organisations/?search=zuid.test").json()
    assert [row["slug"] for row in by_domain["results"]] == ["zuid"]
    assert by_domain["results"][0]["primary_domain"] == "portal.zuid.test"
    assert by_domain["results"][0]["features"]["cost_visualisation"] is False
    nothing = operator_client.get("/api/platform/organisations/?search=nothing-like-this").json()
    assert nothing["count"] == 0


def test_operator_onboards_an_organisation(operator_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = operator_client.post(
            "/api/platform/organisations/",
            {
                "name": "Warmte Oost",
                "slug": "oost",
                "domain": "Portaal.Warmte-Oost.TEST",
                "admin_email": "Beheer@Oost.test",
                "time_zone": "Europe/Amsterdam",
                "default_language": "en",
                "features": {"cost_visualisation": True},
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["schema_method"] == "clone"
    organisation = body["organisation"]
    assert organisation["slug"] == "oost"
    assert organisation["schema_name"] == "org_oost"
    assert organisation["primary_domain"] == "portaal.warmte-oost.test"
    assert organisation["features"]["cost_visualisation"] is True
    assert organisation["time_zone"] == "Europe/Amsterdam"
    assert schema_exists("org_oost")
    assert Domain.objects.get(domain="portaal.warmte-oost.test").is_primary
    assert len(callbacks) >= 2  # routing version bump and the email dispatch
    with schema_context("org_oost"):
        membership = StaffMembership.objects.get()
        assert (membership.email, membership.role, membership.status) == (
            "beheer@oost.test",
            "admin",
            "invited",
        )
        email = OutboundEmail.objects.get()
        assert email.to == "beheer@oost.test"
        assert email.template == "staff_invitation"
        assert email.language == "en"
        assert "http://portaal.warmte-oost.test:8000/invitation/" in email.body_text
        assert "Warmte Oost" in email.subject
        # the new schema is complete: its tables answer
        assert connection.schema_name == "org_oost"


def test_onboarding_validation_names_each_field(operator_client):
    response = operator_client.post(
        "/api/platform/organisations/",
        {
            "name": "",
            "slug": "Bad Slug",
            "domain": "",
            "admin_email": "not-an-email",
            "default_language": "de",
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert {"name", "domain", "admin_email", "default_language"} <= set(body)
    response = operator_client.post(
        "/api/platform/organisations/",
        {"name": "X", "slug": "Bad Slug", "domain": "x.example.test", "admin_email": "a@x.test"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_slug"
    assert "slug" in response.json()
    response = operator_client.post(
        "/api/platform/organisations/",
        {"name": "X", "slug": "noord", "domain": "x.example.test", "admin_email": "a@x.test"},
        format="json",
    )
    assert response.json() == {
        "code": "slug_taken",
        "slug": ["An organisation with this slug already exists."],
    }
    response = operator_client.post(
        "/api/platform/organisations/",
        {
            "name": "X",
            "slug": "xx",
            "domain": "x.example.test",
            "admin_email": "a@x.test",
            "time_zone": "Mars/Base",
        },
        format="json",
    )
    assert response.json()["code"] == "invalid_time_zone"
    response = operator_client.post(
        "/api/platform/organisations/",
        {
            "name": "X",
            "slug": "xx",
            "domain": "x.example.test",
            "admin_email": "a@x.test",
            "features": {"teleport": True},
        },
        format="json",
    )
    assert response.json()["code"] == "unknown_feature"
    assert not schema_exists("org_xx")
    assert not Organisation.objects.filter(slug="xx").exists()


def test_suspend_needs_a_reason_and_reactivate_restores(operator_client, noord_client):
    response = operator_client.post(
        "/api/platform/organisations/noord/suspend/", {"reason": ""}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    response = operator_client.post(
        "/api/platform/organisations/noord/suspend/", {"reason": "Unpaid invoice"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    assert response.json()["suspension_reason"] == "Unpaid invoice"
    assert noord_client.get("/api/portal/site/").json()["code"] == "organisation_suspended"
    response = operator_client.post("/api/platform/organisations/noord/reactivate/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    response = operator_client.post(
        "/api/platform/organisations/noord/reactivate/", {"reason": "Invoice paid"}, format="json"
    )
    assert response.json()["status"] == "active"
    assert noord_client.get("/api/portal/site/").json()["slug"] == "noord"


def test_operator_sets_portal_status_and_features(operator_client, noord_client):
    response = operator_client.patch(
        "/api/platform/organisations/noord/",
        {"portal_status": "inactive", "features": {"cost_visualisation": True}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["portal_status"] == "inactive"
    assert response.json()["features"]["cost_visualisation"] is True
    assert noord_client.get("/api/portal/site/").json()["code"] == "portal_inactive"
    response = operator_client.patch(
        "/api/platform/organisations/noord/", {"portal_status": "sleeping"}, format="json"
    )
    assert response.status_code == 400
    assert "portal_status" in response.json()


def test_operator_manages_domains(operator_client, client_for):
    added = operator_client.post(
        "/api/platform/organisations/noord/domains/", {"domain": "Warmte.Noord.test"}, format="json"
    )
    assert added.status_code == 201
    assert added.json()["domain"] == "warmte.noord.test"
    assert added.json()["is_primary"] is False
    assert client_for("warmte.noord.test").get("/api/portal/site/").json()["slug"] == "noord"

    primary = operator_client.post("/api/platform/organisations/noord/domains/warmte.noord.test/set-primary/")
    assert primary.status_code == 200
    domains = operator_client.get("/api/platform/organisations/noord/domains/").json()
    assert [(d["domain"], d["is_primary"]) for d in domains] == [
        ("warmte.noord.test", True),
        ("portal.noord.test", False),
    ]
    refused = operator_client.delete("/api/platform/organisations/noord/domains/warmte.noord.test/")
    assert refused.status_code == 400
    assert refused.json()["code"] == "primary_domain"

    removed = operator_client.delete("/api/platform/organisations/noord/domains/portal.noord.test/")
    assert removed.status_code == 204
    assert client_for("portal.noord.test").get("/api/portal/site/").status_code == 404
    missing = operator_client.delete("/api/platform/organisations/noord/domains/portal.noord.test/")
    assert missing.status_code == 404
    other = operator_client.delete("/api/platform/organisations/zuid/domains/warmte.noord.test/")
    assert other.status_code == 404


def test_platform_login_reports_the_operator_role(platform_client):
    body = login(platform_client, OPERATOR_EMAIL)
    assert body["roles"] == ["platform_operator"]
    assert body["user"]["is_platform_operator"] is True


def test_wrong_password_is_refused_without_detail(platform_client, db):
    response = platform_client.post(
        "/api/auth/login/", {"email": OPERATOR_EMAIL, "password": "wrong-password"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_credentials",
        "detail": "The email address or password is not correct.",
    }


def test_create_platform_operator_command_gives_access_to_the_operator_api(db, platform_client, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    monkeypatch.setenv("OPERATOR_PASSWORD", "an-operator-password-77")
    out = StringIO()
    call_command("create_platform_operator", "--email", "New.Operator@Platform.test", stdout=out)
    assert "Platform operator new.operator@platform.test created." in out.getvalue()
    key = platform_client.post(
        "/api/auth/login/",
        {"email": "new.operator@platform.test", "password": "an-operator-password-77"},
        format="json",
    ).json()["key"]
    platform_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = platform_client.get("/api/platform/organisations/")
    assert listed.status_code == 200
    assert {row["slug"] for row in listed.json()["results"]} >= {"noord", "zuid"}
