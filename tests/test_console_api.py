"""The API the staff console adds: GET /api/auth/console/ and the staff members' invitations.

The console shows or hides by these answers; the API refuses on its own (support members get 403
on the staff list; nobody reaches another organisation's staff).
"""

from __future__ import annotations

from django_tenants.utils import schema_context

from memberships.models import StaffMembership
from tests.support.organisations import OPERATOR_EMAIL, PASSWORD, login
from tests.support.staff import add_staff, staff_client

CONSOLE = "/api/auth/console/"


def test_console_access_of_an_organisation_admin(noord_client):
    staff_client(noord_client)
    body = noord_client.get(CONSOLE).json()
    assert body["kind"] == "organisation"
    assert body["user"]["email"] == "admin@noord.test"
    assert body["role"] == "admin"
    assert body["allowed"] is True
    assert body["is_platform_operator"] is False
    assert body["language"] in ("en", "nl", "fr")


def test_console_access_of_support_with_impersonation(noord_client, client_for):
    add_staff("support-console@noord.test", "support", can_impersonate=True)
    staff_client(noord_client, "support-console@noord.test")
    body = noord_client.get(CONSOLE).json()
    assert (body["role"], body["can_impersonate"], body["allowed"]) == ("support", True, True)


def test_console_refuses_who_is_not_staff_here(noord_client, zuid_client):
    # The billing system's integration identity logs in on noord but is not a person of its staff.
    add_staff("integration-console@noord.test", "integration")
    staff_client(noord_client, "integration-console@noord.test")
    body = noord_client.get(CONSOLE).json()
    assert (body["allowed"], body["role"]) == (False, None)
    # Another organisation's administrator and an operator cannot even log in on this domain.
    for email in ("admin@noord.test", OPERATOR_EMAIL):
        refused = zuid_client.post("/api/auth/login/", {"email": email, "password": PASSWORD}, format="json")
        assert refused.status_code == 400, refused.content


def test_console_on_the_platform_host_is_for_operators(platform_client):
    operator = login(platform_client, OPERATOR_EMAIL)["key"]
    platform_client.credentials(HTTP_AUTHORIZATION=f"Token {operator}")
    body = platform_client.get(CONSOLE).json()
    assert (body["kind"], body["allowed"], body["role"]) == ("platform", True, None)
    admin = login(platform_client, "admin@noord.test")["key"]
    platform_client.credentials(HTTP_AUTHORIZATION=f"Token {admin}")
    assert platform_client.get(CONSOLE).json()["allowed"] is False


def test_console_access_needs_a_login(noord_client):
    response = noord_client.get(CONSOLE)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_admin_reads_resends_and_revokes_an_invitation(noord_client, smtp, celery_worker):
    staff_client(noord_client)
    invited = noord_client.post("/api/admin/staff/", {"email": "new-colleague@noord.test", "role": "support"})
    assert invited.status_code == 201, invited.json()
    member = invited.json()["id"]
    read = noord_client.get(f"/api/admin/staff/{member}/")
    assert read.status_code == 200
    assert (read.json()["status"], read.json()["role"]) == ("invited", "support")
    resent = noord_client.post(f"/api/admin/staff/{member}/resend-invitation/", {"language": "fr"})
    assert resent.status_code == 200, resent.json()
    with schema_context("org_noord"):
        from credentials.models import OneTimeToken

        tokens = OneTimeToken.objects.filter(subject=f"staff:{member}", purpose="invitation")
        assert tokens.count() == 2
        assert tokens.filter(revoked_at__isnull=True).count() == 1  # the first link no longer works
    revoked = noord_client.delete(f"/api/admin/staff/{member}/")
    assert revoked.status_code == 204
    with schema_context("org_noord"):
        assert not StaffMembership.objects.filter(pk=member).exists()
        assert not tokens.filter(revoked_at__isnull=True).exists()
    assert noord_client.get(f"/api/admin/staff/{member}/").status_code == 404


def test_an_accepted_member_is_not_an_invitation(noord_client):
    staff_client(noord_client)
    with schema_context("org_noord"):
        admin = StaffMembership.objects.get(email="admin@noord.test")
    for response in (
        noord_client.delete(f"/api/admin/staff/{admin.pk}/"),
        noord_client.post(f"/api/admin/staff/{admin.pk}/resend-invitation/", {}),
    ):
        assert response.status_code == 409
        assert response.json()["code"] == "not_an_invitation"


def test_support_members_get_no_staff_api(noord_client):
    add_staff("support-staffapi@noord.test", "support")
    staff_client(noord_client, "support-staffapi@noord.test")
    with schema_context("org_noord"):
        admin = StaffMembership.objects.get(email="admin@noord.test")
    assert noord_client.get("/api/admin/staff/").status_code == 403
    assert noord_client.get(f"/api/admin/staff/{admin.pk}/").status_code == 403
    assert noord_client.delete(f"/api/admin/staff/{admin.pk}/").status_code == 403
    assert noord_client.post(f"/api/admin/staff/{admin.pk}/resend-invitation/", {}).status_code == 403


def test_staff_of_another_organisation_is_not_found(zuid_client):
    with schema_context("org_noord"):
        noord_admin = StaffMembership.objects.get(email="admin@noord.test")
    with schema_context("org_zuid"):
        exists_in_zuid = StaffMembership.objects.filter(pk=noord_admin.pk).exists()
    staff_client(zuid_client, "admin@zuid.test")
    if not exists_in_zuid:
        assert zuid_client.get(f"/api/admin/staff/{noord_admin.pk}/").status_code == 404
    else:  # the same id is zuid's own member: zuid's, never noord's
        assert zuid_client.get(f"/api/admin/staff/{noord_admin.pk}/").json()["email"] != "admin@noord.test"


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_shell_page_for_every_client_route(client_for, noord):
    response = client_for("portal.noord.test", "fr").get("/staff/customers/3/show", HTTP_ACCEPT=BROWSER)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "<title>Console du personnel de Warmtenet Noord</title>" in html
    assert 'id="console-bootstrap" type="application/json"' in html
    assert '"kind": "organisation"' in html
    assert "no-cache" in response["Cache-Control"]


def test_shell_page_says_when_the_console_is_not_built(client_for, noord, settings, tmp_path):
    settings.STAFF_CONSOLE_DIST = tmp_path / "nowhere"
    response = client_for("portal.noord.test").get("/staff/", HTTP_ACCEPT=BROWSER)
    assert response.status_code == 503
    assert "The staff console is not built on this server" in response.content.decode()


def test_suspended_organisation_console_shows_the_unavailable_page(
    client_for, noord, django_capture_on_commit_callbacks
):
    from tenants import services
    from tenants.models import Organisation

    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_organisation(organisation=noord, reason="Contract ended")
    try:
        response = client_for("portal.noord.test").get("/staff/", HTTP_ACCEPT=BROWSER)
        assert response.status_code == 403
        assert "This portal has been suspended" in response.content.decode()
        assert "console-bootstrap" not in response.content.decode()
    finally:
        with django_capture_on_commit_callbacks(execute=True):
            services.reactivate_organisation(
                organisation=Organisation.objects.get(slug="noord"), reason="Paid"
            )
