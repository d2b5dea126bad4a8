"""A suspended or inactive portal shows browsers a branded page; API clients keep the JSON error.

The page carries the organisation's name, logo and colours (its stylesheet and logo stay served),
in the visitor's language, with the status of the JSON answer (403 suspended, 503 inactive) and
the security headers of every other page.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tenants import services
from tenants.models import Organisation
from tests.support.configuration import GENERAL, PREFS, as_staff, svg_file

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HOST = "portal.noord.test"

SUSPENDED = ("This portal has been suspended", "The customer portal of {name} is not available.")
INACTIVE = (
    "This portal is not open at the moment",
    "The customer portal of {name} is not available at the moment. Please try again later.",
)


def expected(texts: tuple[str, str], language: str, name: str) -> tuple[str, str]:
    """The page's title and text in ``language`` (English until the catalogues translate them)."""
    with translation.override(language):
        return gettext(texts[0]), gettext(texts[1]).format(name=name)


@pytest.fixture
def branded(noord_client):
    """noord with its own colour and logo, as its staff set them."""
    staff = as_staff(noord_client)
    staff.patch(PREFS, {"use_organisation_colours": True, "use_organisation_logo": True}, format="json")
    response = staff.patch(GENERAL, {"primary_colour": "#8250df", "logo": svg_file()}, format="multipart")
    assert response.status_code == 200, response.content
    return response.json()["logo_url"]


@pytest.fixture
def suspended(noord, branded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_organisation(organisation=noord, reason="Contract ended")
    yield branded
    with django_capture_on_commit_callbacks(execute=True):
        services.reactivate_organisation(organisation=Organisation.objects.get(slug="noord"), reason="Paid")


@pytest.fixture
def inactive(noord, branded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_organisation(organisation=noord, portal_status="inactive")
    yield branded
    with django_capture_on_commit_callbacks(execute=True):
        services.update_organisation(
            organisation=Organisation.objects.get(slug="noord"), portal_status="active"
        )


def page(client_for, path: str, language: str):
    return client_for(HOST, language).get(path, HTTP_ACCEPT=BROWSER)


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_suspended_portal_shows_browsers_a_branded_page_in_their_language(client_for, suspended, language):
    response = page(client_for, "/login/", language)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Language"] == language
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    title, text = expected(SUSPENDED, language, "Warmtenet Noord")
    assert f"<h1>{title}</h1>" in html
    assert text in html
    assert f'src="{suspended}"' in html
    assert 'alt="Warmtenet Noord"' in html
    # The branding the page links to is served while the portal is suspended.
    stylesheet = re.search(r'href="(/branding\.css\?v=[^"]+)"', html)[1]
    css = client_for(HOST).get(stylesheet, HTTP_ACCEPT="text/css,*/*;q=0.1")
    assert css.status_code == 200
    assert "#8250df" in css.content.decode()
    logo = client_for(HOST).get(suspended, HTTP_ACCEPT="image/avif,image/webp,*/*")
    assert logo.status_code == 200
    # Links to the same page in the other languages (no form: the portal takes no posts now).
    for other in ("en", "nl", "fr"):
        assert f'href="?lang={other}"' in html


def test_suspended_portal_keeps_json_for_api_clients(client_for, suspended):
    client = client_for(HOST)
    for path, accept in (("/api/portal/site/", BROWSER), ("/login/", "application/json"), ("/", "*/*")):
        response = client.get(path, HTTP_ACCEPT=accept)
        assert response.status_code == 403, path
        assert response.json() == {
            "code": "organisation_suspended",
            "detail": "This organisation's portal has been suspended.",
        }
    # Nothing else of the organisation is served to a browser either.
    assert page(client_for, "/api/portal/site/", "nl").status_code == 403
    assert page(client_for, "/media/org_noord/documents/x.pdf", "nl").status_code == 403


@pytest.mark.parametrize("language", ["en", "fr"])
def test_inactive_portal_shows_browsers_a_branded_page_with_503(client_for, inactive, language):
    response = page(client_for, "/", language)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    title, text = expected(INACTIVE, language, "Warmtenet Noord")
    assert f"<h1>{title}</h1>" in html
    assert text in html
    assert f'src="{inactive}"' in html
    api = client_for(HOST).get("/api/portal/site/", HTTP_ACCEPT=BROWSER)
    assert api.status_code == 503
    assert api.json()["code"] == "portal_inactive"


def test_page_is_gone_once_the_portal_is_back(client_for, noord, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_organisation(organisation=noord, reason="Unpaid")
    assert page(client_for, "/login/", "en").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        services.reactivate_organisation(organisation=Organisation.objects.get(slug="noord"), reason="Paid")
    response = page(client_for, "/login/", "en")
    assert response.status_code == 200
    assert "<form" in response.content.decode()
