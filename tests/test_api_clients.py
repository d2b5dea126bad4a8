"""The OpenAPI documents as a contract that integrators generate clients from (docs/api.md).

A Python client is generated from each document with openapi-python-client; every module of it must
import, and it logs in (a JSON body) and calls resident, staff and operator operations against the
portal under gunicorn, parsing the answers into its models. Spectral lints both documents with the
project's ruleset (.spectral.yaml, ``spectral:oas``) and must find nothing. Both tools are installed
on demand under .var/tools/ (tests/support/api_tools.py). The document-level rules that make this work are
also checked directly, without the tools, in the first tests.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django_tenants.utils import schema_context
from PIL import Image

from tests.support.api_tools import generate_client, generator_python, spectral_findings
from tests.support.billing_data import billing_customer
from tests.support.live import PortalServer
from tests.support.organisations import OPERATOR_EMAIL, ORGANISATIONS, PASSWORD, login

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).resolve().parent / "tools" / "client_calls.py"
NOORD = ORGANISATIONS["noord"]["domain"]
RESIDENT_PASSWORD = "generated-client-pass-5"
# The operations that take a file: documented as multipart/form-data; every other body is JSON.
UPLOADS = {
    ("put", "/api/admin/configuration/general/"),
    ("patch", "/api/admin/configuration/general/"),
    ("put", "/api/admin/configuration/preferences/"),
    ("patch", "/api/admin/configuration/preferences/"),
    ("post", "/api/admin/documents/"),
    ("post", "/api/admin/tickets/{id}/reply/"),
    ("post", "/api/moves/move-in/{key}/photos/"),
    ("post", "/api/portal/meter-readings/"),
    ("post", "/api/portal/move-outs/{id}/photos/"),
    ("post", "/api/portal/tickets/{id}/reply/"),
    ("post", "/api/support/tickets/"),
}
# Readings also come as CSV (a format of their own, besides the JSON one).
CSV_TOO = {("post", "/api/integration/readings/"), ("post", "/api/admin/consumption/readings/")}

_documents: dict[str, dict] = {}


def served_document(client_for, host: str) -> dict:
    """The document a host serves (generated once per test module)."""
    if host not in _documents:
        answer = client_for(host).get("/api/schema/?format=json")
        assert answer.status_code == 200
        _documents[host] = answer.json()
    return _documents[host]


@pytest.fixture
def both_documents(db, client_for) -> dict[str, dict]:
    return {
        "tenant": served_document(client_for, NOORD),
        "platform": served_document(client_for, settings.PLATFORM_DOMAIN),
    }


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_request_bodies_are_json_and_multipart_only_where_a_file_is_uploaded(both_documents):
    media_types = {
        (method, path): sorted(operation["requestBody"]["content"])
        for document in both_documents.values()
        for method, path, operation in operations(document)
        if "requestBody" in operation
    }
    assert len(media_types) > 50
    multipart = {key for key, types in media_types.items() if types == ["multipart/form-data"]}
    assert multipart == UPLOADS
    csv = {key for key, types in media_types.items() if types == ["application/json", "text/csv"]}
    assert csv == CSV_TOO
    others = {key: types for key, types in media_types.items() if key not in UPLOADS | CSV_TOO}
    assert {tuple(types) for types in others.values()} == {("application/json",)}


def _api_views(urlconf: str):
    """Every DRF view class the URLconf routes to, with the path it is reached at."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
                yield prefix + str(pattern.pattern), pattern.callback.cls

    return walk(get_resolver(urlconf).url_patterns, "")


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_platform"])
def test_every_api_view_reads_bodies_with_the_projects_parsers(urlconf):
    """One place chooses how bodies are read (the setting, plus core.api_uploads for files): no
    view brings parsers of its own that would skip the project's checks or widen the documents."""
    from rest_framework.settings import api_settings

    from core.api_uploads import TakesUploads

    own = list(api_settings.DEFAULT_PARSER_CLASSES)
    found = {}
    for path, view in _api_views(urlconf):
        if not path.startswith("api/"):
            continue
        expected = own + (list(TakesUploads.upload_parser_classes) if issubclass(view, TakesUploads) else [])
        parsers = [type(parser) for parser in view().get_parsers()]
        if parsers != expected:
            found[f"{path} {view.__name__}"] = [parser.__name__ for parser in parsers]
    assert found == {}


def test_a_json_operation_refuses_form_bodies_and_an_upload_also_reads_json(noord_client):
    """What the documents say is what the server reads: a form body on a JSON operation is a 415."""
    form = noord_client.post("/api/auth/password/reset/", {"email": "x@example.test"}, format="multipart")
    assert form.status_code == 415
    assert form.json()["code"] == "unsupported_media_type"
    body = login(noord_client, "admin@noord.test")
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    preferences = "/api/admin/configuration/preferences/"
    as_json = noord_client.patch(preferences, {"support_phone": "+32 9 000 00 01"}, format="json")
    assert as_json.status_code == 200, as_json.content
    as_form = noord_client.patch(preferences, {"support_phone": "+32 9 000 00 02"}, format="multipart")
    assert as_form.status_code == 200, as_form.content
    assert as_form.json()["support_phone"] == "+32 9 000 00 02"


def operation_text_problems(name: str, document: dict) -> list[str]:
    """What a generated client or a linter would miss: summaries, descriptions, declared tags."""
    declared = {tag["name"]: tag.get("description") for tag in document.get("tags", [])}
    problems = [
        f"{name}: tag {tag!r} is declared without a description" for tag, text in declared.items() if not text
    ]
    summaries: dict[str, list[str]] = {}
    for method, path, operation in operations(document):
        where = f"{name}: {method.upper()} {path}"
        summary = operation.get("summary") or ""
        summaries.setdefault(summary, []).append(where)
        if not summary or len(summary) > 80 or "\n" in summary or summary.endswith("."):
            problems.append(f"{where}: summary {summary!r} is not one short line")
        if not operation.get("description") or operation["description"] == summary:
            problems.append(f"{where}: no description besides the summary")
        if not operation.get("tags") or not set(operation["tags"]) <= set(declared):
            problems.append(f"{where}: tags {operation.get('tags')} are not declared")
    problems += [
        f"{name}: {len(where)} operations share the summary {summary!r}"
        for summary, where in summaries.items()
        if len(where) > 1
    ]
    used = {tag for _, _, operation in operations(document) for tag in operation.get("tags", [])}
    problems += [f"{name}: tag {tag!r} is declared but not used" for tag in set(declared) - used]
    return problems


def test_every_operation_has_a_summary_a_description_and_a_declared_tag(both_documents):
    problems = [
        problem
        for name, document in both_documents.items()
        for problem in operation_text_problems(name, document)
    ]
    assert problems == []


def _schemas(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas(value)


def test_nullable_references_and_defaults_are_what_strict_tools_accept(both_documents):
    for name, document in both_documents.items():
        untyped = [
            node for node in _schemas(document["components"]) if node.get("nullable") and "type" not in node
        ]
        assert untyped == [], f"{name}: nullable without a type (a no-op in OpenAPI 3.0)"
        in_branches = [
            branch
            for node in _schemas(document["components"])
            for branch in node.get("oneOf", []) + node.get("anyOf", [])
            if isinstance(branch, dict) and "default" in branch
        ]
        assert in_branches == [], f"{name}: a default inside one alternative of a oneOf/anyOf"
    schemas = both_documents["tenant"]["components"]["schemas"]
    latest = schemas["Overview"]["properties"]["latest_invoice"]
    assert latest["oneOf"][0] == {"$ref": "#/components/schemas/Invoice"}
    assert latest["oneOf"][1] == {"type": "object", "nullable": True, "enum": [None]}
    terms = schemas["PortalPreferences"]["properties"]["terms_url"]
    assert terms["default"] == ""  # valid against the alternative that allows an empty string


def test_the_token_scheme_says_token_and_not_bearer(both_documents):
    for document in both_documents.values():
        scheme = document["components"]["securitySchemes"]["tokenAuth"]
        assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
        assert "Authorization: Token <key>" in scheme["description"]
        assert "not `Bearer" in scheme["description"]


# --- the tools, against the portal under gunicorn -------------------------------------------------


@contextlib.contextmanager
def _committed(blocker, schema: str = "public"):
    """ORM work on committed data, which the server's processes see."""
    with blocker.unblock(), schema_context(schema):
        try:
            yield
        finally:
            connection.set_schema_to_public()
            connections.close_all()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """An organisation of its own (dropped afterwards) with its administrator and a resident with
    three invoices; the operator is the test session's."""
    from credentials.models import OneTimeToken
    from credentials.services import issue_one_time_token
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident
    from memberships.services.staff import accept_staff_invitation
    from operators.onboarding import onboard_organisation
    from tenants import provisioning

    slug = f"api{uuid.uuid4().hex[:6]}"
    with _committed(django_db_blocker):
        result = onboard_organisation(
            name="Warmte API",
            slug=slug,
            domain=f"portal.{slug}.test",
            admin_email=f"admin@{slug}.test",
            default_language="en",
        )
    organisation = result.organisation
    with _committed(django_db_blocker, organisation.schema_name):
        accept_staff_invitation(raw_token=result.invitation.raw_token, password=PASSWORD)
    with _committed(django_db_blocker):
        data = billing_customer(organisation.schema_name, invoices=3, email=f"api-{slug}@example.test")
    with _committed(django_db_blocker, organisation.schema_name):
        register_resident(
            organisation=organisation,
            customer_number=data["number"],
            email=data["email"],
            password=RESIDENT_PASSWORD,
            language="en",
        )
        account = PortalAccount.objects.get(customer__customer_number=data["number"])
        issued = issue_one_time_token(
            purpose=OneTimeToken.Purpose.CONFIRMATION,
            subject=f"portal_account:{account.pk}",
            email=data["email"],
        )
        confirm_registration(raw_token=issued.raw)
    yield {"slug": slug, "host": f"portal.{slug}.test", "schema": organisation.schema_name, **data}
    with _committed(django_db_blocker):
        provisioning.drop_schema(organisation.schema_name)
        organisation.domains.all().delete()
        organisation.delete()


@pytest.fixture(scope="module")
def server(world):
    portal = PortalServer()
    portal.start()
    yield portal
    portal.stop()


def _fetch(server: PortalServer, host: str, path: str) -> bytes:
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", headers={"Host": host})
    with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310 - the test's own server
        return answer.read()


@pytest.fixture(scope="module")
def documents(server, world, tmp_path_factory) -> dict[str, Path]:
    """Both documents as the running portal serves them, saved as files for the tools."""
    folder = tmp_path_factory.mktemp("openapi")
    saved = {}
    for name, host in (("tenant", world["host"]), ("platform", settings.PLATFORM_DOMAIN)):
        saved[name] = folder / f"{name}.json"
        saved[name].write_bytes(_fetch(server, host, "/api/schema/?format=json"))
    return saved


@pytest.mark.parametrize("name", ["tenant", "platform"])
def test_spectral_finds_nothing_in_the_document(name, documents):
    findings = spectral_findings(documents[name])
    described = [
        f"{finding['code']} ({['error', 'warning', 'info', 'hint'][finding['severity']]}) at "
        f"{'.'.join(str(part) for part in finding['path'])}: {finding['message']}"
        for finding in findings
    ]
    assert described == []


def _logo(folder: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (11, 83, 148)).save(buffer, format="PNG")
    path = folder / "logo.png"
    path.write_bytes(buffer.getvalue())
    return path


def test_generated_clients_import_log_in_and_call_the_portal(
    documents, server, world, tmp_path, django_db_blocker
):
    message = f"Generated client notice {world['slug']}"
    report = _run_generated_clients(documents, server, world, tmp_path, message)
    for name, imported in report["imports"].items():
        assert imported["failed"] == {}, f"{name}: modules that do not import"
    assert report["imports"]["portal_client"]["operations"] > 130
    assert report["imports"]["platform_client"]["operations"] >= 13

    _check_resident(report["resident"], world, django_db_blocker)
    _check_staff(report["staff"], world, django_db_blocker, message)
    operator = report["operator"]
    assert "error" not in operator, operator.get("error")
    assert operator["organisations"]["slugs"] == [world["slug"]]

    media_types = {
        (request["method"], request["path"]): request["media_type"] for request in report["requests"]
    }
    assert media_types["POST", "/api/auth/login/"] == "application/json"
    assert media_types["POST", "/api/admin/configuration/messages/"] == "application/json"
    assert media_types["PATCH", "/api/admin/configuration/preferences/"] == "multipart/form-data"


def _run_generated_clients(documents, server, world, tmp_path: Path, message: str) -> dict:
    """Generate both clients and run the driver with them (its own interpreter); its report."""
    packages = {"tenant": "portal_client", "platform": "platform_client"}
    for name, package in packages.items():
        config = tmp_path / f"{name}.yaml"
        config.write_text(
            f"project_name_override: {package.replace('_', '-')}\npackage_name_override: {package}\n"
        )
        generate_client(documents[name], tmp_path / name, config)
    plan = {
        "paths": [str(tmp_path / name) for name in packages],
        "tenant_package": packages["tenant"],
        "platform_package": packages["platform"],
        "base_url": f"http://127.0.0.1:{server.port}",
        "tenant_host": world["host"],
        "platform_host": settings.PLATFORM_DOMAIN,
        "resident": {
            "email": world["email"],
            "password": RESIDENT_PASSWORD,
            "customer_number": world["number"],
        },
        "staff": {
            "email": f"admin@{world['slug']}.test",
            "password": PASSWORD,
            "message": message,
            "phone": "+32 9 123 45 67",
            "logo": str(_logo(tmp_path)),
        },
        "operator": {"email": OPERATOR_EMAIL, "password": PASSWORD, "slug": world["slug"]},
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    run = subprocess.run(
        [str(generator_python()), str(DRIVER), str(tmp_path / "plan.json")],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return json.loads(run.stdout)


def _check_resident(resident: dict, world, django_db_blocker) -> None:
    """The resident logged in, read who they are, their invoices and the overview."""
    assert "error" not in resident, resident.get("error")
    assert resident["token_type"] == "TokenResponse"
    assert resident["me"] == {"type": "Resident", "email": world["email"], "customer_number": world["number"]}
    with _committed(django_db_blocker, world["schema"]):
        from invoicing.models import Invoice

        invoices = list(Invoice.objects.filter(customer__customer_number=world["number"]))
    assert resident["invoices"]["type"] == "PaginatedInvoiceList"
    assert resident["invoices"]["count"] == len(invoices) >= 3
    assert resident["invoices"]["numbers"] == sorted(invoice.number for invoice in invoices)
    assert resident["invoices"]["amounts"] == sorted(str(invoice.amount_incl_tax) for invoice in invoices)
    assert resident["overview"]["type"] == "Overview"
    assert resident["overview"]["latest_invoice"] == "Invoice"  # a nullable reference, parsed
    assert resident["overview"]["latest_invoice_number"] in resident["invoices"]["numbers"]


def _check_staff(staff: dict, world, django_db_blocker, message: str) -> None:
    """The admin listed customers, wrote a page message and changed the preferences with a logo."""
    assert "error" not in staff, staff.get("error")
    assert staff["customers"]["numbers"] == [world["number"]]
    assert staff["message"]["type"] == "PageMessage"
    assert (
        staff["message"]["bodies"]["en"] == f"<p>{message}</p>" or message in staff["message"]["bodies"]["en"]
    )
    assert staff["preferences"]["support_phone"] == "+32 9 123 45 67"
    assert staff["preferences"]["logo_url"]
    with _committed(django_db_blocker, world["schema"]):
        from configuration.models import PageMessage, PortalPreferences

        assert PageMessage.objects.filter(pk=staff["message"]["id"]).exists()
        saved = PortalPreferences.objects.current()
        assert saved.support_phone == "+32 9 123 45 67"
        assert saved.logo
