"""Isolation sweep over every operation of the OpenAPI documents (docs/robustness.md).

(a) Credentials issued on organisation A (resident and staff tokens and sessions, an integration
token, an impersonation token, the platform operator's) are worth nothing on B's domain or on the
platform domain: every operation answers 401/403/404, or, where it needs no login, what an anonymous
visitor gets, and never anything of A. (b) A resident calling every operation with the ids of
another customer of the same organisation never gets that customer's data.

The operations come from the documents themselves, so a new endpoint is swept without anyone adding
it here; a path parameter that no rule in tests/support/sweep_schema.py can fill fails the first test.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.support.sweep_data import build_organisation, jpeg_upload, operator_credentials
from tests.support.sweep_schema import CUSTOMER_KINDS, Findings, Side, call, kind_of, operations, unfillable

pytestmark = pytest.mark.slow

NOORD, ZUID = "portal.noord.test", "portal.zuid.test"
REFUSED = {401, 403, 404}


def document(client_for, host: str) -> dict:
    response = client_for(host).get("/api/schema/?format=json")
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert body["paths"], "the OpenAPI document lists no operation"
    return body


def fresh_throttles() -> None:
    """Each pass starts with empty throttle counters, so a 429 never hides an answer."""
    cache.delete_pattern("*throttle*")


def anonymous(op, host: str, side: Side):
    return call(op, host=host, side=side, credential_name="anonymous", credential={})


def org_markers(world) -> list[str]:
    """What only organisation A's data contains: its markers, name and domain."""
    return [*world.markers, world.organisation.name.lower(), world.host]


def assert_credentials_work(world, operator: dict | None = None) -> None:
    """The credentials are real where they were issued: otherwise the sweep would prove nothing."""
    from tests.support.sweep_schema import Operation

    checks = {
        "resident token": ("/api/portal/me/", world.first.marker),
        "resident session": ("/api/portal/me/", world.first.marker),
        "impersonation token": ("/api/portal/me/", world.first.marker),
        "staff admin token": (f"/api/admin/customers/?search={world.first.marker}", world.first.marker),
        "staff admin session": (f"/api/admin/customers/?search={world.first.marker}", world.first.marker),
        "integration token": ("/api/integration/import-runs/", "summary"),
    }
    side = Side("own", world, world.first)
    for name, credential in world.credentials.items():
        path, expected = checks[name]
        result = call(
            Operation("get", path, {}),
            host=world.host,
            side=side,
            credential_name=name,
            credential=credential,
        )
        assert result.status == 200, result.describe("credential does not work where it was issued")
        assert expected in result.text, result.describe("credential does not see its own data")
    for name, credential in (operator or {}).items():
        result = call(
            Operation("get", "/api/platform/organisations/", {}),
            host=settings.PLATFORM_DOMAIN,
            side=side,
            credential_name=name,
            credential=credential,
        )
        assert result.status == 200, result.describe("operator credential does not work")


def sweep_foreign_domain(doc: dict, host: str, credentials: dict, sides: list[Side], markers: list[str]):
    findings = Findings()
    for side in sides:
        fresh_throttles()
        baseline = [(op, anonymous(op, host, side)) for op in operations(doc)]
        for _op, result in baseline:
            findings.check_no_server_error(result)
            findings.check_markers(result, markers, result.url)
        for address, (name, credential) in enumerate(credentials.items(), start=2):
            fresh_throttles()
            for op, anon in baseline:
                result = call(
                    op,
                    host=host,
                    side=side,
                    credential_name=name,
                    credential=credential,
                    remote_addr=f"127.0.0.{address}",
                )
                findings.check_no_server_error(result)
                findings.check_markers(result, markers, result.url)
                if anon.status in (401, 403):
                    if result.status not in REFUSED:
                        findings.add(
                            result,
                            f"a foreign credential got past the login check (anonymous: {anon.status})",
                        )
                elif result.status not in (anon.status, 401, 403):
                    findings.add(
                        result, f"a foreign credential is treated differently from a visitor ({anon.status})"
                    )
    assert findings.calls == len(sides) * len(baseline) * (1 + len(credentials)), findings.calls
    return findings


@pytest.fixture
def two_organisations(db):
    a = build_organisation("noord", second_customer=True)
    b = build_organisation("zuid", second_customer=False)
    return a, b


def test_every_path_parameter_of_both_documents_can_be_filled(client_for, db):
    missing = unfillable(document(client_for, ZUID)) + unfillable(
        document(client_for, settings.PLATFORM_DOMAIN)
    )
    assert missing == [], (
        "operations the sweep cannot fill (add a rule to tests/sweep_schema.PATH_RULES):\n"
        + "\n".join(missing)
    )


def test_the_sweep_fills_parameters_with_real_objects(two_organisations, client_for):
    """Every read with path parameters works for its rightful caller with the values the sweep uses."""
    a, b = two_organisations
    operator = operator_credentials()
    findings = Findings()
    for world in (a, b):
        side = Side(world.slug, world, world.first)
        for op in operations(document(client_for, world.host)):
            if op.method != "get" or not op.path_parameters:
                continue
            if op.path.startswith("/api/portal/"):
                name, credential = "resident token", world.credentials["resident token"]
            elif op.path.startswith("/api/admin/"):
                name, credential = "staff admin token", world.credentials["staff admin token"]
            else:
                name, credential = "anonymous", {}
            result = call(op, host=world.host, side=side, credential_name=name, credential=credential)
            if result.status != 200:
                findings.add(result, "the rightful caller does not get the object the sweep names")
        side = Side(world.slug, world, world.first)
        for op in operations(document(client_for, settings.PLATFORM_DOMAIN)):
            if op.method != "get" or not op.path_parameters:
                continue
            token = operator["platform operator token"]
            result = call(
                op, host=settings.PLATFORM_DOMAIN, side=side, credential_name="operator", credential=token
            )
            if result.status != 200:
                findings.add(result, "the operator does not get the object the sweep names")
    assert not findings.items, findings.report("sweep values that are not real objects")


def test_credentials_of_one_organisation_are_worthless_on_another(two_organisations, client_for):
    a, b = two_organisations
    operator = operator_credentials()
    assert_credentials_work(a, operator)
    credentials = {f"{name} of {a.slug}": value for name, value in a.credentials.items()}
    credentials.update(operator)
    sides = [
        Side(f"{a.slug} (the credential's own)", a, a.first),
        Side(f"{b.slug} (the domain's)", b, b.first),
    ]
    # Public answers on B are B's own (so a missing A marker means something).
    faq = client_for(b.host).get("/api/support/faq/")
    assert b.marker in faq.content.decode().lower(), faq.content[:300]
    site = client_for(b.host).get("/api/portal/site/?page=home")
    assert b.organisation.name in site.content.decode(), site.content[:300]
    findings = sweep_foreign_domain(document(client_for, b.host), b.host, credentials, sides, org_markers(a))
    # B's own users, with the ids and secrets of A's objects, on B's domain: never anything of A.
    doc = document(client_for, b.host)
    a_ids = Side(f"{a.slug} (the other organisation's)", a, a.first)
    for address, name in enumerate(("resident token", "staff admin token"), start=20):
        fresh_throttles()
        for op in operations(doc):
            result = call(
                op,
                host=b.host,
                side=a_ids,
                credential_name=f"{name} of {b.slug}",
                credential=b.credentials[name],
                remote_addr=f"127.0.0.{address}",
            )
            findings.check_no_server_error(result)
            findings.check_markers(result, org_markers(a), result.url)
    # The operations on B (logout included) did nothing to A's credentials.
    assert_credentials_work(a, operator)
    assert not findings.items, findings.report(f"{a.slug} credentials on {b.host}")


def test_tenant_credentials_are_worthless_on_the_platform_domain(client_for, db):
    a = build_organisation("noord", second_customer=False)
    credentials = {f"{name} of {a.slug}": value for name, value in a.credentials.items()}
    doc = document(client_for, settings.PLATFORM_DOMAIN)
    sides = [Side(a.slug, a, a.first)]
    findings = sweep_foreign_domain(doc, settings.PLATFORM_DOMAIN, credentials, sides, org_markers(a))
    assert_credentials_work(a)
    assert not findings.items, findings.report(f"{a.slug} credentials on the platform domain")


def resident_bodies(a) -> dict[tuple[str, str], tuple[object, str]]:
    """Valid requests for the resident's writes, so that only ownership can refuse them."""
    second = a.second
    return {
        ("put", "/api/portal/contracts/{id}/advance/"): ({"amount": "105.00"}, "json"),
        ("post", "/api/portal/move-outs/{id}/photos/"): (
            {"meter_id": second.move_out_meter, "photo": jpeg_upload()},
            "multipart",
        ),
    }


def test_a_resident_never_gets_another_customers_data(two_organisations, client_for):
    a, _b = two_organisations
    own, other = a.first, a.second
    doc = document(client_for, a.host)
    side = Side(f"customer {other.marker}", a, other, secrets_from=own)
    bodies = resident_bodies(a)
    findings = Findings()
    with_own = Side("own", a, own)
    for op in operations(doc):
        # The same reads with the resident's own ids work: the refusals below are about ownership.
        if op.method == "get" and op.path.startswith("/api/portal/") and op.path_parameters:
            result = call(
                op,
                host=a.host,
                side=with_own,
                credential_name="resident token",
                credential={"token": own.token},
            )
            if result.status != 200:
                findings.add(result, "the resident's own object is refused")
    for address, name in enumerate(("resident token", "resident session"), start=2):
        fresh_throttles()
        for op in operations(doc):
            body, body_format = bodies.get((op.method, op.path), (None, "json"))
            if body_format == "multipart":
                body = {**body, "photo": jpeg_upload()}  # a file is read once
            result = call(
                op,
                host=a.host,
                side=side,
                credential_name=name,
                credential=a.credentials[name],
                remote_addr=f"127.0.1.{address}",
                body=body,
                body_format=body_format,
            )
            findings.check_no_server_error(result)
            findings.check_markers(result, [other.marker], result.url)
            foreign = [p for p in op.path_parameters if kind_of(op.path, p) in CUSTOMER_KINDS]
            if foreign and result.status not in (403, 404):
                findings.add(result, "another customer's object answered with something else than 403/404")
    assert not findings.items, findings.report("resident requests with another customer's ids")


def test_the_schema_says_which_operations_need_credentials(two_organisations, client_for):
    """An operation that answers a visitor must say so in the document (security: [{}]), and vice versa."""
    a, _b = two_organisations
    findings = Findings()
    for host, doc in ((a.host, document(client_for, a.host)), (settings.PLATFORM_DOMAIN, None)):
        doc = doc or document(client_for, settings.PLATFORM_DOMAIN)
        side = Side(a.slug, a, a.first)
        fresh_throttles()
        for op in operations(doc):
            result = anonymous(op, host, side)
            refused = result.status in (401, 403)
            if op.declared_public and result.status == 401:
                findings.add(result, "declared public, but a visitor must log in")
            if not op.declared_public and not refused:
                findings.add(result, "declared to need credentials, but a visitor is answered")
    assert not findings.items, findings.report("security declarations that do not match the behaviour")
