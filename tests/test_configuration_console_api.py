"""What the staff console needs beyond the configuration: the portal's own domains and the
email preview. Administrators only for domains; another organisation's domain is never reachable."""

from __future__ import annotations

from django_tenants.utils import schema_context

from communications.models import EmailTemplate
from tenants.models import Domain, Organisation
from tests.support.configuration import as_staff
from tests.support.staff import add_staff

DOMAINS = "/api/admin/configuration/domains/"
PREVIEW = "/api/admin/configuration/emails/password_reset/nl/preview/"
NO_STAFF_ROLE = {"code": "permission_denied", "detail": "This requires a staff role that you do not have."}


def noord_domains() -> list[str]:
    return sorted(Domain.objects.filter(tenant__slug="noord").values_list("domain", flat=True))


def test_admin_adds_and_removes_a_domain(noord_client):
    admin = as_staff(noord_client)
    listed = admin.get(DOMAINS)
    assert listed.status_code == 200
    assert listed.json()[0] == {**listed.json()[0], "domain": "portal.noord.test", "is_primary": True}

    added = admin.post(DOMAINS, {"domain": " Mijn.Noord.TEST "}, format="json")
    assert added.status_code == 201, added.content
    assert added.json()["domain"] == "mijn.noord.test"
    assert added.json()["is_primary"] is False
    assert "mijn.noord.test" in [row["domain"] for row in admin.get(DOMAINS).json()]
    # The portal answers on the new domain at once.
    assert noord_client.get("/api/portal/site/", HTTP_HOST="mijn.noord.test").status_code == 200

    assert admin.delete(DOMAINS + "mijn.noord.test/").status_code == 204
    assert "mijn.noord.test" not in noord_domains()


def test_domain_rules_are_field_errors(noord_client):
    admin = as_staff(noord_client)
    taken = admin.post(DOMAINS, {"domain": "portal.zuid.test"}, format="json")
    assert taken.status_code == 400
    assert taken.json()["domain"] == ["This domain is already in use."]
    bad = admin.post(DOMAINS, {"domain": "https://x.noord.test/login"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["domain"] == ["Enter the host name only, without http:// or https://."]
    primary = admin.delete(DOMAINS + "portal.noord.test/")
    assert primary.status_code == 400
    assert "primary domain" in primary.json()["domain"][0]
    assert "portal.noord.test" in noord_domains()


def test_last_domain_cannot_be_removed(noord_client):
    """An organisation whose only domain is not primary (made so by hand) keeps it."""
    admin = as_staff(noord_client)
    admin.post(DOMAINS, {"domain": "extra.noord.test"}, format="json")
    organisation = Organisation.objects.get(slug="noord")
    Domain.objects.filter(tenant=organisation).exclude(domain="portal.noord.test").update(is_primary=False)
    Domain.objects.filter(domain="portal.noord.test").update(is_primary=False)
    try:
        Domain.objects.filter(domain="portal.noord.test").delete()
        response = admin.delete(DOMAINS + "extra.noord.test/", HTTP_HOST="extra.noord.test")
        assert response.status_code == 400
        assert response.json()["code"] == "last_domain"
        assert response.json()["domain"] == ["This is the portal's last domain; it cannot be removed."]
    finally:
        Domain.objects.create(domain="portal.noord.test", tenant=organisation, is_primary=True)
        Domain.objects.filter(domain="extra.noord.test").delete()


def test_other_organisations_domain_is_not_found_and_support_is_refused(noord_client, client_for):
    admin = as_staff(noord_client)
    response = admin.delete(DOMAINS + "portal.zuid.test/")
    assert response.status_code == 404
    assert Domain.objects.filter(domain="portal.zuid.test").exists()
    assert "portal.zuid.test" not in [row["domain"] for row in admin.get(DOMAINS).json()]

    add_staff("support@noord.test", "support")
    support = as_staff(client_for("portal.noord.test"), "support@noord.test")
    for method, path, payload in (
        ("get", DOMAINS, None),
        ("post", DOMAINS, {"domain": "support.noord.test"}),
        ("delete", DOMAINS + "portal.noord.test/", None),
    ):
        response = getattr(support, method)(path, payload, format="json")
        assert (response.status_code, response.json()) == (403, NO_STAFF_ROLE), (method, path)
    assert noord_domains() == ["portal.noord.test"]


def test_preview_renders_unsaved_wording_as_sent(noord_client):
    admin = as_staff(noord_client)
    response = admin.post(
        PREVIEW,
        {
            "subject": "Nieuw wachtwoord voor {{ organisation_name }}",
            "body_text": "Klik: {{ reset_url }}",
            "body_html": '<p><b>Hallo</b> <a href="{{ reset_url }}">klik</a></p><script>x()</script>',
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["subject"] == "Nieuw wachtwoord voor Warmtenet Noord"
    assert body["body_text"].startswith("Klik: http://portal.noord.test")
    assert "<b>Hallo</b>" in body["body_html"]
    assert "<script" not in body["body_html"]
    assert '<html lang="nl">' in body["body_html"]  # the branded layout, in the template's language
    with schema_context("org_noord"):
        assert not EmailTemplate.objects.exists()  # a preview saves nothing


def test_preview_refuses_a_template_that_may_not_be_used(noord_client):
    response = as_staff(noord_client).post(
        PREVIEW, {"subject": "{% include 'x.html' %}", "body_text": "ok"}, format="json"
    )
    assert response.status_code == 400
    assert "subject" in response.json()
    unknown = as_staff(noord_client).post(
        "/api/admin/configuration/emails/nothing/nl/preview/",
        {"subject": "s", "body_text": "t"},
        format="json",
    )
    assert unknown.status_code == 404
