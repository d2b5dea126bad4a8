"""API fuzzing of a portal domain's OpenAPI document with schemathesis (docs/robustness.md).

Every operation of the document gets generated requests (valid and invalid ones) as a visitor, as a
resident and as a staff administrator, sent in-process to the WSGI application (config.wsgi) with the
portal's Host header, against the test database. Checks: no server error; every status (success or
error) is one the document lists for the operation; its body matches the documented schema and
content type; every error is the JSON error shape of docs/architecture.md (a string ``code``).
The documents themselves must be valid OpenAPI and generate without a single warning.

The number of examples per operation is small (FUZZ_EXAMPLES, default 6) so that the file runs in a
few minutes on two cores; raise it locally for a deeper run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import zlib

import pytest
import schemathesis
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.sweep_data import build_organisation
from tests.support.sweep_schema import Side, kind_of

pytestmark = pytest.mark.fuzz

HOST = "portal.noord.test"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
# Logging out revokes the token the rest of the run uses: it is fuzzed on its own, with a fresh
# token for every request (test_logout_fuzzed_with_a_fresh_token_each_time).
LOGOUT = "/api/auth/logout/"

CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": False},  # hundreds of boundary cases per operation: too slow here
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True},
    }
)


class ServerErrors(logging.Handler):
    """Tracebacks that Django logs for 500 answers, to put into the failure message."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[str] = []
        self.guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        with self.guard:
            self.records.append(text)

    def take(self) -> str:
        with self.guard:
            found, self.records = self.records, []
        return "\n".join(found)[-4000:]


@contextlib.contextmanager
def inside_the_test_transaction():
    """Django closes connections around each request; inside the test's transaction that would end
    it. Django's test client switches this off per request (and on again after), so do we."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def in_process(db):
    """The WSGI application (config.wsgi), and the tracebacks it logs for 500 answers."""
    from config.wsgi import application

    errors = ServerErrors()
    logger = logging.getLogger("django.request")
    logger.addHandler(errors)
    yield application, errors
    logger.removeHandler(errors)


ROLES = ["visitor", "resident", "staff admin"]


def caller_for(role: str) -> dict:
    """Who calls, in an organisation with data (a resident's contracts, invoices, tickets, ...)."""
    world = build_organisation("noord", second_customer=False)
    token = {
        "visitor": None,
        "resident": world.first.token,
        "staff admin": world.credentials["staff admin token"]["token"],
    }[role]
    headers = {"Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Token {token}"
    return {"role": role, "world": world, "headers": headers}


def portal_schema(client_for, application):
    document = client_for(HOST).get("/api/schema/?format=json").json()
    schema = schemathesis.openapi.from_dict(document, config=CONFIG)
    schema.app = application
    return schema


def real_ids(case, caller) -> None:
    """Half of the generated path ids are replaced by the caller's real objects, so that the
    fuzzer also reaches past the 404 (which half depends on the generated value: deterministic)."""
    side = Side("own", caller["world"], caller["world"].first)
    for name, value in list((case.path_parameters or {}).items()):
        kind = kind_of(case.operation.path, name)
        if kind is None or zlib.crc32(str(value).encode()) % 2:
            continue
        case.path_parameters[name] = side.value(kind)


def check_error_shape(response, case) -> None:
    if response.status_code < 400:
        return
    content_type = (response.headers.get("content-type") or [""])[0]
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if (
        "application/json" not in content_type
        or not isinstance(body, dict)
        or not isinstance(body.get("code"), str)
    ):
        raise AssertionError(
            f"answered {response.status_code} without the JSON error shape "
            f'{{"code": ..., "detail": ...}}: {content_type} {response.content[:300]!r}'
        )


def run_case(case, caller, errors) -> None:
    cache.delete_pattern("*throttle*")  # the fuzzer is one client: throttles would hide the endpoints
    with inside_the_test_transaction():
        response = case.call(base_url=f"http://{HOST}", headers=caller["headers"])
    if response.status_code >= 500:
        raise AssertionError(f"server error {response.status_code}\n{errors.take()}")
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            response_schema_conformance,
            content_type_conformance,
        ],
        headers=caller["headers"],
    )
    check_error_shape(response, case)


def fuzz(operation, mode, caller, errors, prepare=None) -> str | None:
    """Run EXAMPLES generated cases; the first failure (not shrunk: that would take minutes) or None."""
    failure: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        if failure:
            return
        if prepare is not None:
            prepare(case)
        try:
            run_case(case, caller, errors)
        except AssertionError as exc:
            failure.append(f"{exc}\n    {case.as_curl_command(headers=caller['headers'])}")
        except FailureGroup as group:  # failed schemathesis checks (not an Exception subclass)
            messages = "; ".join(describe_failure(item) for item in group.exceptions)
            failure.append(f"{messages}\n    {case.as_curl_command(headers=caller['headers'])}")

    try:
        run()
    except Unsatisfiable:
        # Every input of the operation accepts anything (free strings, free objects): nothing to negate.
        if mode == GenerationMode.POSITIVE:
            raise
    return failure[0] if failure else None


def describe_failure(failure) -> str:
    """One schemathesis failure in a few lines: what is wrong and where."""
    parts = (getattr(failure, "title", ""), getattr(failure, "message", "") or str(failure))
    return " ".join(" ".join(str(part) for part in parts).split())[:700]


def has_inputs(operation) -> bool:
    raw = operation.definition.raw
    return bool(raw.get("parameters") or raw.get("requestBody"))


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_as_visitor_resident_and_staff(role, in_process, client_for):
    application, errors = in_process
    caller = caller_for(role)
    schema = portal_schema(client_for, application)
    findings, fuzzed = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == LOGOUT and role != "visitor":
            continue  # fuzzed with a fresh token per request below
        fuzzed += 1
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if has_inputs(operation) else [])
        for mode in modes:
            found = fuzz(operation, mode, caller, errors, prepare=lambda case: real_ids(case, caller))
            if found:
                findings.append(f"{operation.label} ({mode.value}, as {role}): {found}")
    assert fuzzed > 100, "the document lists fewer operations than expected"
    assert not findings, f"{len(findings)} operation(s) fail as {role}:\n" + "\n\n".join(findings)


@pytest.mark.parametrize("role", ["resident", "staff admin"])
def test_logout_fuzzed_with_a_fresh_token_each_time(role, in_process, client_for):
    """Logging out revokes the token the other operations use, so it gets a new one each time."""
    from tests.support.organisations import PASSWORD
    from tests.support.sweep_data import RESIDENT_PASSWORD

    application, errors = in_process
    caller = caller_for(role)
    schema = portal_schema(client_for, application)
    [operation] = [result.ok() for result in schema.get_all_operations() if result.ok().path == LOGOUT]
    email, password = (
        (caller["world"].first.email, RESIDENT_PASSWORD)
        if role == "resident"
        else ("admin@noord.test", PASSWORD)
    )

    def fresh_token(case):
        cache.delete_pattern("*throttle*")
        login = client_for(HOST).post(
            "/api/auth/login/", {"email": email, "password": password}, format="json"
        )
        assert login.status_code == 200, login.content
        caller["headers"]["Authorization"] = f"Token {login.json()['key']}"

    findings = [
        found
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (found := fuzz(operation, mode, caller, errors, prepare=fresh_token))
    ]
    assert not findings, "\n\n".join(findings)


def generated_document(urlconf: str, folder) -> dict:
    """``manage.py spectacular --validate --fail-on-warn``: valid OpenAPI 3, and not one warning."""
    target = folder / "openapi.json"
    call_command(
        "spectacular",
        urlconf=urlconf,
        format="openapi-json",
        validate=True,
        fail_on_warn=True,
        file=str(target),
    )
    return json.loads(target.read_text())


def responses_of(document: dict, method: str, path: str) -> dict:
    return document["paths"][path][method]["responses"]


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_platform"])
def test_the_documents_are_valid_and_generate_without_warnings(urlconf, tmp_path):
    document = generated_document(urlconf, tmp_path)
    assert "ServicesD4eEnum" not in json.dumps(document)  # enum names are chosen, not hashed
    error = "#/components/schemas/Error"
    assert document["components"]["schemas"]["Error"]["required"] == ["code"]
    undocumented = [
        f"{method.upper()} {path} {status}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        if status[0] == "4"
        and response.get("content", {}).get("application/json", {}).get("schema") != {"$ref": error}
    ]
    assert undocumented == [], "error answers without the error shape"
    me = "/api/auth/me/"
    assert sorted(responses_of(document, "get", me)) == ["200", "401", "403"]
    assert "429" in responses_of(document, "post", "/api/auth/login/")  # throttled
    assert "401" not in responses_of(document, "post", "/api/auth/login/")  # needs no login...
    assert "400" in responses_of(document, "post", "/api/auth/login/")  # ...but takes input


def test_error_answers_follow_each_views_parts(tmp_path):
    """Derived from the view (no blanket list): input, credentials, path ids, pages, throttles.

    Any parameter or body can hold characters that are not allowed (core.input_guard: 400), and
    any body can be larger than the operation accepts (413)."""
    document = generated_document("config.urls_tenant", tmp_path)
    statuses = {
        (method, path): sorted(operation["responses"])
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    # Public, no input, no credentials read: nothing can go wrong but the host.
    assert statuses["get", "/api/support/faq/"] == ["200"]
    # Resident reads: credentials; a path id; a page number; a filter that can be invalid.
    assert statuses["get", "/api/portal/overview/"] == ["200", "401", "403"]
    assert statuses["get", "/api/portal/invoices/{id}/"] == ["200", "400", "401", "403", "404"]
    assert statuses["get", "/api/portal/documents/"] == ["200", "400", "401", "403", "404"]
    assert statuses["get", "/api/portal/invoices/"] == ["200", "400", "401", "403", "404"]
    assert (
        "`invalid_characters`"
        in responses_of(document, "get", "/api/portal/documents/")["400"]["description"]
    )
    # A body: invalid input, sizes and media types; a throttled public form.
    assert statuses["post", "/api/support/tickets/"] == ["201", "400", "401", "403", "413", "415", "429"]
    assert (
        "`request_too_large`" in responses_of(document, "post", "/api/support/tickets/")["413"]["description"]
    )
    # The services' own refusals, with their codes.
    close = responses_of(document, "post", "/api/admin/tickets/{id}/close/")
    assert sorted(close) == ["200", "400", "401", "403", "404", "409"]
    assert "`already_closed`" in close["409"]["description"]
    assert (
        "`draft_expired`"
        in responses_of(document, "put", "/api/moves/move-in/{key}/steps/{number}/")["410"]["description"]
    )
    assert "413" in responses_of(document, "post", "/api/integration/import/")
    # Answers and schema agree on names (the gaps answer names its period like the query).
    assert {"start", "end"} <= set(document["components"]["schemas"]["Gaps"]["required"])
