"""Hostile input on every operation of both OpenAPI documents (issue 15; docs/robustness.md).

The operations, their parameters and their request bodies come from the documents themselves
(tests/support/sweep_schema.py fills path parameters with real objects, tests/support/sweep_data.py builds them), so
a new endpoint gets the same treatment without anyone adding it here. Every operation is called as a
visitor, a resident and a staff administrator on an organisation's domain, and as a visitor and the
platform operator on the platform domain, once with each kind of hostile input:

- bodies: JSON nested a few thousand levels deep; every string field holding an unpaired surrogate,
  NUL or a non-character (JSON escapes, or their UTF-8 bytes in multipart bodies); every string field
  holding 3 MB; every string field holding 100,000 characters (under the body limit, so that each
  field's own maximum must refuse it);
- the same three characters in every query parameter, in every path parameter and in a header.

Each answer must be a 4xx in the JSON error shape (a string ``code``), and the request must not have
written a single row: PostgreSQL's per-transaction counters (pg_stat_xact_user_tables) of inserted,
updated and deleted rows in every table of every schema must not move. Where the input guard decides
(core.input_guard), the status and code are exact.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import resolve

from tests.support.sweep_data import build_organisation, jpeg_upload, operator_credentials
from tests.support.sweep_schema import Operation, Side, kind_of, operations, request_parts

pytestmark = pytest.mark.fuzz

NOORD = "portal.noord.test"
# The characters no text may hold (core.characters), as a Python string and as the bytes a client
# sends for it (a surrogate can only be sent as its invalid UTF-8 form, or as a JSON escape).
CHARACTERS = {"surrogate": "\ud800", "nul": "\x00", "noncharacter": "\uffff"}
MEGABYTES = 3 * 1024 * 1024
LONG = 100_000
# A body with every string field at 3 MB is over every limit with its first few fields; more of them
# would only cost the test memory (the import has some eighty string fields).
MAX_HUGE_FIELDS = 3
MAX_LONG_FIELDS = 20  # 2 MB: under the 2.5 MB body limit, so each field's own maximum must refuse
DEEP = ("[" * 3000 + "]" * 3000).encode()
HEADERS = {
    "surrogate": "HTTP_USER_AGENT",
    "nul": "HTTP_ACCEPT_LANGUAGE",
    "noncharacter": "HTTP_X_CLIENT_NOTE",
}


def wire(character: str) -> bytes:
    """The bytes of ``character`` on the wire (UTF-8; a surrogate as the invalid bytes of its code)."""
    return character.encode("utf-8", "surrogatepass")


# -- request bodies from the documents' schemas ------------------------------------------------------
@dataclass
class Filler:
    """Fills a request body schema: every string field gets ``text`` (up to ``limit`` of them; the
    rest a short ordinary text), numbers 1, booleans true, arrays one item."""

    document: dict
    text: str
    limit: int | None = None
    used: int = 0

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.document["components"]["schemas"][name]
        for combined in ("allOf", "oneOf", "anyOf"):
            options = [self.resolve(option) for option in schema.get(combined, [])]
            options = [option for option in options if option.get("type") != "null"]
            if options:
                merged = {key: value for key, value in schema.items() if key != combined}
                return {**options[0], **merged}
        return schema

    def string(self) -> str:
        if self.limit is not None and self.used >= self.limit:
            return "x"
        self.used += 1
        return self.text

    def value(self, schema: dict, depth: int = 0):
        schema = self.resolve(schema)
        kind = schema.get("type")
        if depth > 8:
            return self.string()
        if kind == "object" or "properties" in schema:
            properties = {
                name: sub for name, sub in schema.get("properties", {}).items() if not sub.get("readOnly")
            }
            if properties:
                return {name: self.value(sub, depth + 1) for name, sub in properties.items()}
            extra = schema.get("additionalProperties")
            return {"en": self.value(extra if isinstance(extra, dict) else {}, depth + 1)}
        if kind == "array":
            return [self.value(schema.get("items", {}), depth + 1)]
        if kind == "integer" or kind == "number":
            return 1
        if kind == "boolean":
            return True
        if kind == "string" and schema.get("format") == "binary":
            return jpeg_upload()
        return self.string()  # strings, and free values of any type


def multipart_body(op: Operation, filler: Filler) -> tuple[bytes, str]:
    """The multipart form, built by hand: Django's test client cannot encode a lone surrogate."""
    values = filler.value(op.spec["requestBody"]["content"]["multipart/form-data"]["schema"])
    boundary = "hostile-input-boundary"
    parts = []
    for name, value in values.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'.encode()
        if hasattr(value, "read"):
            head += f'; filename="{value.name}"\r\nContent-Type: image/jpeg'.encode()
            content = value.read()
        elif isinstance(value, bool | int):
            content = json.dumps(value).encode()
        else:
            content = wire(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        parts.append(head + b"\r\n\r\n" + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# -- calls ---------------------------------------------------------------------------------------------
@dataclass
class Answer:
    where: str
    status: int
    content_type: str
    body: object
    writes: dict

    def describe(self, why: str) -> str:
        shown = json.dumps(self.body)[:300] if self.body is not None else "(not JSON)"
        return f"{self.where} -> {self.status} {self.content_type}: {why}; {shown}"


def row_writes() -> dict[str, int]:
    """Rows inserted, updated and deleted so far in this transaction, per table of every schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname || '.' || relname, n_tup_ins + n_tup_upd + n_tup_del "
            "FROM pg_stat_xact_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"
        )
        return dict(cursor.fetchall())


def send(
    caller: dict, method: str, url: str, body: bytes | None, content_type: str | None, where: str, **headers
):
    client = Client(HTTP_HOST=caller["host"], **{"HTTP_ACCEPT_LANGUAGE": "en", **headers})
    client.raise_request_exception = False  # a 500 is a finding
    if caller.get("token"):
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {caller['token']}"
    cache.delete_pattern("*throttle*")  # one client, many requests: a 429 would hide the answer
    check = caller["findings"].check_each
    before = row_writes() if check else {}
    extra = {"content_type": content_type} if content_type else {}
    response = client.generic(method.upper(), url, body or b"", **extra)
    after = row_writes() if check else {}
    connection.set_schema_to_public()
    content = b"".join(response.streaming_content) if response.streaming else response.content
    try:
        parsed = json.loads(content)
    except ValueError:
        parsed = None
    changed = {
        table: count - before.get(table, 0) for table, count in after.items() if count != before.get(table, 0)
    }
    return Answer(where, response.status_code, response.get("Content-Type", ""), parsed, changed)


@dataclass
class Findings:
    items: list[str] = field(default_factory=list)
    calls: int = 0
    refused_by_guard: int = 0
    check_each: bool = False  # count the rows each request writes (after an operation wrote some)
    answers: Counter = field(default_factory=Counter)  # (kind, status, code): how far the input got

    def judge(self, answer: Answer, expected: tuple[int, str] | None = None) -> None:
        if self.check_each:  # the second pass over an operation: only to name the rows' writer
            if answer.writes:
                self.items.append(answer.describe(f"rows written: {answer.writes}"))
            return
        self.calls += 1
        body = answer.body
        code = body.get("code") if isinstance(body, dict) else None
        self.answers[(answer.where.split(", ", 1)[-1].split(" of the body")[0], answer.status, code)] += 1
        if not 400 <= answer.status < 500:
            self.items.append(answer.describe("not a 4xx"))
        elif not (answer.content_type.startswith("application/json") and isinstance(body, dict)):
            self.items.append(answer.describe("not the JSON error shape"))
        elif not isinstance(body.get("code"), str):
            self.items.append(answer.describe("no string code"))
        elif expected and (answer.status, body["code"]) != expected:
            self.items.append(answer.describe(f"expected {expected}"))
        elif expected:
            self.refused_by_guard += 1


def media_of(op: Operation) -> str | None:
    content = op.spec.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return "application/json"
    return "multipart/form-data" if "multipart/form-data" in content else None


def reads_its_own_body(op: Operation, host: str) -> bool:
    """A bulk endpoint (billing import, readings) declares a larger body limit than the default."""
    urlconf = settings.PUBLIC_SCHEMA_URLCONF if host == settings.PLATFORM_DOMAIN else settings.ROOT_URLCONF
    path = re.sub(r"\{[^}]+\}", "1", op.path)
    match = resolve(path, urlconf=urlconf)
    return getattr(getattr(match.func, "cls", None), "max_body_bytes", None) is not None


def hostile_bodies(op: Operation, document: dict, media: str):
    """(what, body, content type, the string fields filled, the guard's answer if it must decide)."""
    json_guarded = media == "application/json"
    texts = [
        (
            f"{name} in every string",
            f"a{character}b",
            None,
            (400, "invalid_characters") if json_guarded else None,
        )
        for name, character in CHARACTERS.items()
    ]
    texts.append(("3 MB in every string", "x" * MEGABYTES, MAX_HUGE_FIELDS, (413, "request_too_large")))
    texts.append(("100,000 characters in every string", "x" * LONG, MAX_LONG_FIELDS, None))
    for what, text, limit, expected in texts:
        filler = Filler(document, text, limit)
        if media == "application/json":
            schema = op.spec["requestBody"]["content"][media]["schema"]
            raw, content_type = json.dumps(filler.value(schema)).encode(), media
        else:
            raw, content_type = multipart_body(op, filler)
        yield what, raw, content_type, filler.used, expected


def body_kinds(op: Operation, document: dict, caller: dict, url: str, findings: Findings) -> None:
    media = media_of(op)
    if media is None:
        return
    label = f"{op.name} as {caller['name']}"
    where = f"{label}, deep JSON"
    findings.judge(send(caller, op.method, url, DEEP, "application/json", where), (400, "parse_error"))
    bulk = reads_its_own_body(op, caller["host"])
    for what, raw, content_type, strings, expected in hostile_bodies(op, document, media):
        if strings == 0:
            continue  # no string field to put it in: an ordinary request
        if expected and expected[0] == 413:
            # The guard answers 413 for a JSON body over the default limit (bulk views take more);
            # a multipart form over it reaches its parser, which answers 413 too, after the login.
            too_big = len(raw) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            expected = expected if media == "application/json" and too_big and not bulk else None
        answer = send(caller, op.method, url, raw, content_type, f"{label}, {what} of the body")
        findings.judge(answer, expected)


def value_kinds(op: Operation, caller: dict, side: Side, turn: int, findings: Findings) -> None:
    """One request each with a refused character in every query parameter, every path parameter and
    a header; which character goes where turns with ``turn``, so every one reaches every place."""
    path, query = request_parts(op, side)
    url = path + ("?" + urlencode(query) if query else "")
    label = f"{op.name} as {caller['name']}"
    refused = (400, "invalid_characters")
    names = list(CHARACTERS)
    name = names[turn % 3]
    bad = quote(wire(f"a{CHARACTERS[name]}b"), safe="")
    parameters = [p["name"] for p in op.spec.get("parameters", []) if p.get("in") == "query"] or ["q"]
    bad_query = urlencode(query | dict.fromkeys(parameters, "PLACEHOLDER")).replace("PLACEHOLDER", bad)
    where = f"{label}, {name} in every query parameter"
    findings.judge(send(caller, op.method, f"{path}?{bad_query}", None, None, where), refused)
    if op.path_parameters:
        name = names[(turn + 1) % 3]
        bad = quote(wire(f"a{CHARACTERS[name]}b"), safe="")
        bad_path = op.path
        for parameter in op.path_parameters:
            real = quote(str(side.value(kind_of(op.path, parameter))), safe="")
            bad_path = bad_path.replace("{" + parameter + "}", real + bad)
        findings.judge(
            send(caller, op.method, bad_path, None, None, f"{label}, {name} in every path parameter"), refused
        )
    name = names[(turn + 2) % 3]
    header = HEADERS[name]
    value = wire(f"a{CHARACTERS[name]}b").decode("latin-1")  # how a WSGI server hands the bytes over
    answer = send(caller, op.method, url, None, None, f"{label}, {name} in {header}", **{header: value})
    findings.judge(answer, refused)


def sweep(document: dict, caller: dict, turn: int, side: Side, findings: Findings) -> None:
    """Every operation gets every kind; the rows written are compared around each operation's
    requests (and, should they move, request by request, to name the culprit)."""
    for index, op in enumerate(operations(document)):
        path, query = request_parts(op, side)
        url = path + ("?" + urlencode(query) if query else "")
        before = row_writes()
        body_kinds(op, document, caller, url, findings)
        value_kinds(op, caller, side, turn + index, findings)
        if row_writes() != before:
            findings.check_each = True
            body_kinds(op, document, caller, url, findings)
            value_kinds(op, caller, side, turn + index, findings)
            findings.check_each = False


def report(findings: Findings, title: str) -> str:
    """The findings, the worst first (server errors and successes, rows written), with a tally."""
    statuses = Counter(re.search(r" -> (\d+) ", item).group(1) for item in findings.items)
    worst = sorted(findings.items, key=lambda item: "not a 4xx" not in item and "rows written" not in item)
    return (
        f"{title}: {len(findings.items)} finding(s) in {findings.calls} calls (by status: {dict(statuses)})\n"
        + "\n".join(f"- {item}" for item in worst[:80])
    )


def document(host: str) -> dict:
    response = Client(HTTP_HOST=host).get("/api/schema/?format=json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_hostile_input_on_every_operation_of_the_portal_document(db):
    world = build_organisation("noord", second_customer=False)
    doc = document(NOORD)
    side = Side("own", world, world.first)
    findings = Findings()
    callers = [
        {"name": "visitor", "host": NOORD},
        {"name": "resident", "host": NOORD, "token": world.first.token},
        {"name": "staff admin", "host": NOORD, "token": world.credentials["staff admin token"]["token"]},
    ]
    for turn, caller in enumerate(callers):
        sweep(doc, {**caller, "findings": findings}, turn, side, findings)
    assert not findings.items, report(findings, "hostile input on the portal's operations")
    count = len(operations(doc))
    assert count > 100, "the document lists fewer operations than expected"
    assert findings.calls >= count * 3 * 2, findings.calls
    assert findings.refused_by_guard >= count * 3 * 2  # query and header, at least, for every one
    # The long texts got past the guard to the fields' own limits, as staff, on dozens of operations.
    validated = findings.answers[("100,000 characters in every string", 400, "invalid")]
    assert validated > 20, findings.answers


def test_hostile_input_on_every_operation_of_the_platform_document(db):
    doc = document(settings.PLATFORM_DOMAIN)
    org = SimpleNamespace(values={"organisation_slug": "noord", "domain": NOORD})
    # The operator API names organisations and domains; an API token's key id (tests/sweep_schema)
    # comes from a customer there is none of on this host: a placeholder the guard refuses anyway.
    side = Side("platform", org, SimpleNamespace(spare_token=None, token=None))
    findings = Findings()
    operator = operator_credentials()["platform operator token"]["token"]
    callers = [
        {"name": "visitor", "host": settings.PLATFORM_DOMAIN},
        {"name": "operator", "host": settings.PLATFORM_DOMAIN, "token": operator},
    ]
    for turn, caller in enumerate(callers):
        sweep(doc, {**caller, "findings": findings}, turn, side, findings)
    assert not findings.items, report(findings, "hostile input on the operator's operations")
    count = len(operations(doc))
    assert count > 10
    assert findings.refused_by_guard >= count * 2 * 2, findings.calls
