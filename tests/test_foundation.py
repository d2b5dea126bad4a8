"""Health endpoints, OpenAPI per host, tenant template provisioning, the onboarding command."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from memberships.models import StaffMembership
from tenants import provisioning
from tenants.models import Organisation


def test_healthz_is_cheap_and_hostless(client_for, db):
    response = client_for("anything.invalid").get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_and_broker(client_for, db):
    response = client_for("anything.invalid").get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] == "ok"


def test_readyz_reports_an_unreachable_broker_and_strict_mode_fails_on_it(client_for, settings, db):
    """The outbox keeps emails while the broker is away, so the pod stays ready; monitoring asks strictly."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client_for("anything.invalid").get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] == "ConnectionError"
    strict = client_for("anything.invalid").get("/readyz", {"strict": "1"})
    assert strict.status_code == 503
    assert strict.json()["status"] == "unavailable"


def _paths(client) -> set[str]:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return set(response.json()["paths"])


def test_platform_domain_documents_the_operator_api_only(platform_client):
    paths = _paths(platform_client)
    assert "/api/platform/organisations/" in paths
    assert "/api/platform/organisations/{slug}/domains/" in paths
    assert "/api/portal/site/" not in paths
    assert not [p for p in paths if "invitations" in p]


def test_tenant_domain_documents_its_own_operations_only(noord_client):
    response = noord_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    document = response.json()
    paths = set(document["paths"])
    assert "/api/portal/site/" in paths
    assert "/api/auth/invitations/accept/" in paths
    assert not [p for p in paths if p.startswith("/api/platform/")]
    assert document["info"]["title"] == "Customer portal API"
    tags = {tag for operation in document["paths"]["/api/portal/site/"].values() for tag in operation["tags"]}
    assert tags == {"portal"}
    assert "tokenAuth" in document["components"]["securitySchemes"]


def test_swagger_ui_is_served_on_both_kinds_of_host(platform_client, noord_client):
    for client in (platform_client, noord_client):
        response = client.get("/api/docs/")
        assert response.status_code == 200
        assert b"swagger-ui" in response.content


def test_stale_template_falls_back_to_migrations(db):
    template = provisioning.template_schema_name()
    assert provisioning.template_is_current()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM \"{template}\".django_migrations WHERE app = 'customers'")
    assert not provisioning.template_is_current()
    assert provisioning.create_schema("org_fallback_check") == provisioning.MIGRATE
    assert schema_exists("org_fallback_check")
    with schema_context("org_fallback_check"):
        assert StaffMembership.objects.count() == 0  # tables exist and answer


def test_current_template_is_cloned(db):
    assert provisioning.create_schema("org_clone_check") == provisioning.CLONE
    with schema_context("org_clone_check"):
        assert StaffMembership.objects.count() == 0


def test_onboard_organisation_command(db, capsys):
    call_command(
        "onboard_organisation",
        "--name=Warmte West",
        "--slug=west",
        "--domain=Portaal.West.test",
        "--admin-email=admin@west.test",
        "--language=fr",
        "--feature=cost_visualisation",
    )
    output = capsys.readouterr().out
    assert "Onboarded Warmte West (org_west) on portaal.west.test by clone" in output
    organisation = Organisation.objects.get(slug="west")
    assert organisation.default_language == "fr"
    assert organisation.feature_enabled("cost_visualisation") is True
    with schema_context("org_west"):
        assert StaffMembership.objects.get().email == "admin@west.test"


def test_onboard_organisation_command_reports_the_field(db):
    with pytest.raises(CommandError, match=r"domain: Enter the host name without a port number\."):
        call_command(
            "onboard_organisation", "--name=X", "--slug=xy", "--domain=x.test:80", "--admin-email=a@x.test"
        )
