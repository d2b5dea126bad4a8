"""Portal domain validation: every rule, through the function and through the operator API."""

from __future__ import annotations

import pytest
from django.conf import settings
from django_tenants.utils import schema_exists

from tenants.domains import InvalidDomain, normalise_domain
from tenants.models import Domain

BAD_DOMAINS = [
    ("", "Enter a domain name"),
    ("   ", "Enter a domain name"),
    ("https://portal.example.com", "without http:// or https://"),
    ("http://portal.example.com", "without http:// or https://"),
    ("ftp://portal.example.com", "without http:// or https://"),
    ("portal.example.com/login", "without a path"),
    ("portal.example.com?x=1", "without a path"),
    ("portal.example.com#top", "without a path"),
    ("user@portal.example.com", "without a user name"),
    ("portal.example.com:8443", "without a port"),
    ("*.example.com", "Wildcard domains are not allowed"),
    ("portal.*.com", "Wildcard domains are not allowed"),
    ("192.168.1.10", "IP addresses are not allowed"),
    ("10.0.0.1", "IP addresses are not allowed"),
    ("[::1]", "IP addresses are not allowed"),
    ("2001:db8::1", "IP addresses are not allowed"),
    ("localhost", "fully qualified domain name"),
    ("portal..example.com", "empty labels"),
    (".example.com", "empty labels"),
    ("-portal.example.com", "not a valid part of a domain name"),
    ("portal-.example.com", "not a valid part of a domain name"),
    ("por_tal.example.com", "not a valid part of a domain name"),
    ("portal example.com", "cannot contain spaces"),
    ("a" * 64 + ".example.com", "at most 63 characters"),
    (".".join(["abcdefghij"] * 23) + ".com", "at most 253 characters"),
    ("portal.example.123", "last part of a domain name cannot be numeric"),
    ("xn--zz.example.com", "does not decode"),
    ("exa mple.com", "cannot contain spaces"),
    ("portal.a\u0378b.com", "not a valid internationalised domain name"),
    ("portal.\u200d.com", "not a valid internationalised domain name"),
]


@pytest.mark.parametrize(("value", "message"), BAD_DOMAINS)
def test_bad_domain_is_refused_with_a_reason(value, message):
    with pytest.raises(InvalidDomain) as caught:
        normalise_domain(value)
    assert message in str(caught.value)


def test_platform_domain_is_refused():
    with pytest.raises(InvalidDomain, match="platform's own domain"):
        normalise_domain(settings.PLATFORM_DOMAIN.upper())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Portaal.Warmtenet-Noord.BE", "portaal.warmtenet-noord.be"),
        ("  portal.example.com  ", "portal.example.com"),
        ("portal.example.com.", "portal.example.com"),
        ("portaal.stadswärme.de", "portaal.xn--stadswrme-02a.de"),
        ("PORTAIL.CHALEUR-ÉNERGIE.FR", "portail.xn--chaleur-nergie-ikb.fr"),
        ("xn--stadswrme-02a.de", "xn--stadswrme-02a.de"),
        ("noord.localhost", "noord.localhost"),
    ],
)
def test_good_domain_is_normalised(value, expected):
    assert normalise_domain(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://x.example.com", "without http:// or https://"),
        ("x.example.com:80", "without a port"),
        ("*.example.com", "Wildcard"),
        ("127.0.0.1", "IP addresses"),
        ("x.example.com/path", "without a path"),
    ],
)
def test_operator_api_answers_400_with_the_domain_field(operator_client, value, message):
    response = operator_client.post(
        "/api/platform/organisations/noord/domains/", {"domain": value}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_domain"
    assert message in body["domain"][0]


def test_domain_already_used_by_another_organisation_is_refused(operator_client):
    response = operator_client.post(
        "/api/platform/organisations/zuid/domains/", {"domain": "PORTAL.NOORD.TEST"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"code": "domain_taken", "domain": ["This domain is already in use."]}


def test_onboarding_with_a_bad_domain_creates_nothing(operator_client):
    response = operator_client.post(
        "/api/platform/organisations/",
        {"name": "Oost", "slug": "oost", "domain": "http://oost.test", "admin_email": "a@oost.test"},
        format="json",
    )
    assert response.status_code == 400
    assert "domain" in response.json()
    assert not schema_exists("org_oost")
    assert not Domain.objects.filter(domain__contains="oost").exists()
