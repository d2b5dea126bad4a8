"""The isolation sweep's machinery: read an OpenAPI document, fill every operation, call it, judge it.

Path parameters are filled by rules (path pattern, parameter name) -> kind of object; the sweep's data
(tests/support/sweep_data.py) provides a real object of each kind on each side. A parameter no rule fills
is reported, so a new endpoint cannot slip past the sweep.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from rest_framework.test import APIClient

METHODS = ("get", "put", "post", "patch", "delete")

# Kinds of object a path parameter can name. "customer" kinds belong to one customer; "org" kinds to
# the organisation; "secret" kinds are capabilities (whoever holds the secret may use it, by design).
CUSTOMER_KINDS = {
    "customer": lambda c: c.customer.pk,
    "contract": lambda c: c.contract.pk,
    "invoice": lambda c: c.invoice.pk,
    "document": lambda c: c.document.pk,
    "ticket": lambda c: c.ticket.pk,
    "ticket_message": lambda c: c.ticket_message.pk,
    "move_out": lambda c: c.move_out.pk,
    "meter_photo": lambda c: c.meter_photo.pk,
    "submitted_reading": lambda c: c.submitted_reading.pk,
    "deletion_request": lambda c: c.deletion_request.pk,
    "meter": lambda c: c.meters[0],
    "location": lambda c: c.location.pk,
    "transaction": lambda c: c.transaction.pk,
    # An API token's public part (not one the sweep calls with): a resident may revoke only their own.
    "access_token": lambda c: (c.spare_token or "none.none").split(".")[0],
}
SECRET_KINDS = {"staff_invitation_token", "activation_token", "move_in_key"}

# (path pattern, parameter name, kind): the first rule that matches fills the parameter.
PATH_RULES: list[tuple[str, str, str]] = [
    (r"^/api/admin/account-deletions/\{id\}/", "id", "deletion_request"),
    (r"^/api/admin/configuration/emails/\{key\}/\{language\}/", "key", "email_template_key"),
    (r"^/api/admin/configuration/emails/\{key\}/\{language\}/", "language", "language"),
    (r"^/api/admin/configuration/messages/\{message_id\}/", "message_id", "page_message"),
    (r"^/api/admin/configuration/domains/\{domain\}/", "domain", "domain"),
    (r"^/api/admin/consumption/meters/\{id\}/", "id", "meter"),
    (r"^/api/admin/consumption/submitted-readings/\{id\}/", "id", "submitted_reading"),
    (r"^/api/admin/contracts/\{id\}/", "id", "contract"),
    (r"^/api/admin/customers/\{customer_id\}/", "customer_id", "customer"),
    (r"^/api/admin/customers/\{id\}/", "id", "customer"),
    (r"^/api/admin/documents/\{id\}/", "id", "document"),
    (r"^/api/admin/faq/categories/\{id\}/", "id", "faq_category"),
    (r"^/api/admin/faq/entries/\{id\}/", "id", "faq_entry"),
    (r"^/api/admin/impersonations/\{session_id\}/", "session_id", "impersonation_session"),
    (r"^/api/admin/integration/import-runs/\{id\}/", "id", "import_run"),
    (r"^/api/admin/integration/tokens/\{membership_id\}/", "membership_id", "integration_membership"),
    (r"^/api/admin/invoices/\{id\}/", "id", "invoice"),
    (r"^/api/admin/locations/\{id\}/", "id", "location"),
    (r"^/api/admin/meter-photos/\{id\}/", "id", "meter_photo"),
    (r"^/api/admin/move-ins/\{id\}/", "id", "move_in_request"),
    (r"^/api/admin/move-outs/\{id\}/", "id", "move_out"),
    (r"^/api/admin/staff/\{membership_id\}/", "membership_id", "staff_membership"),
    (r"^/api/admin/tickets/\{id\}/messages/\{message_id\}/", "message_id", "ticket_message"),
    (r"^/api/admin/tickets/\{id\}/", "id", "ticket"),
    (r"^/api/admin/transactions/\{id\}/", "id", "transaction"),
    (r"^/api/auth/activation/\{token\}/", "token", "activation_token"),
    (r"^/api/auth/invitations/\{token\}/", "token", "staff_invitation_token"),
    (r"^/api/auth/tokens/\{key_id\}/", "key_id", "access_token"),
    (r"^/api/moves/move-in/\{key\}/", "key", "move_in_key"),
    (r"^/api/moves/move-in/\{key\}/steps/\{number\}/", "number", "move_in_step"),
    (r"^/api/portal/contracts/\{id\}/", "id", "contract"),
    (r"^/api/portal/devices/\{key_id\}/", "key_id", "access_token"),
    (r"^/api/portal/documents/\{id\}/", "id", "document"),
    (r"^/api/portal/invoices/\{id\}/", "id", "invoice"),
    (r"^/api/portal/meter-readings/\{id\}/", "id", "submitted_reading"),
    (r"^/api/portal/move-outs/\{id\}/", "id", "move_out"),
    (r"^/api/portal/tickets/\{id\}/", "id", "ticket"),
    (r"^/api/platform/organisations/\{slug\}/", "slug", "organisation_slug"),
    (r"^/api/platform/organisations/\{slug\}/domains/\{domain\}/", "domain", "domain"),
]

# Query parameters that name objects: filled with the other side's objects, like path parameters.
ID_QUERY = {
    "contract": "contract",
    "customer": "customer",
    "invoice": "invoice",
    "location": "location",
    "locations": "location",
    "meter": "meter",
}

# Logging out, revoking one's other tokens and signing out one's other devices end credentials: they
# run last in every pass (and are covered like any other).
LAST = {
    ("post", "/api/auth/logout/"),
    ("post", "/api/auth/tokens/revoke-others/"),
    ("post", "/api/portal/devices/sign-out-others/"),
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"\{([^}]+)\}", self.path)

    @property
    def declared_public(self) -> bool:
        """The document says the operation needs no credentials (no security, or an empty option)."""
        security = self.spec.get("security")
        return security is None or security == [] or any(not option for option in security)


def operations(document: dict) -> list[Operation]:
    found = [
        Operation(method, path, spec)
        for path, item in document["paths"].items()
        for method, spec in item.items()
        if method in METHODS
    ]
    return sorted(found, key=lambda op: ((op.method, op.path) in LAST, op.path, op.method))


def kind_of(path: str, parameter: str) -> str | None:
    for pattern, name, kind in PATH_RULES:
        if name == parameter and re.match(pattern, path):
            return kind
    return None


def unfillable(document: dict) -> list[str]:
    return [
        f"{op.name}: no rule fills {{{parameter}}}"
        for op in operations(document)
        for parameter in op.path_parameters
        if kind_of(op.path, parameter) is None
    ]


@dataclass
class Side:
    """Where path parameters come from: a customer (for customer kinds) and an organisation."""

    label: str
    org: object  # tests.support.sweep_data.OrgWorld
    customer: object  # tests.support.sweep_data.CustomerWorld
    secrets_from: object | None = None  # a CustomerWorld whose own secrets to use, if any

    def value(self, kind: str):
        if kind in CUSTOMER_KINDS:
            return CUSTOMER_KINDS[kind](self.customer)
        if kind == "move_in_key" and self.secrets_from is not None:
            return self.secrets_from.move_in_key
        return self.org.values[kind]


def _sample(parameter: dict):
    """A plausible value for a required query parameter that names no object."""
    schema = parameter.get("schema", {})
    name, today = parameter["name"], date.today()
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("type") == "integer":
        return {"year": today.year, "other_year": today.year - 1, "month": today.month}.get(
            name, schema.get("minimum", 1)
        )
    if schema.get("format") == "date":
        return today.isoformat()
    return "zzqq"


def request_parts(op: Operation, side: Side) -> tuple[str, dict]:
    path = op.path
    for parameter in op.path_parameters:
        path = path.replace("{" + parameter + "}", str(side.value(kind_of(op.path, parameter))))
    query = {}
    for parameter in op.spec.get("parameters", []):
        if parameter.get("in") != "query":
            continue
        name = parameter["name"]
        if name in ID_QUERY:
            query[name] = side.value(ID_QUERY[name])
        elif parameter.get("required"):
            query[name] = _sample(parameter)
    return path, query


@dataclass
class Call:
    op: Operation
    credential: str
    side: str
    url: str
    status: int
    text: str  # body and headers, lower case
    traceback: str = ""

    def describe(self, why: str) -> str:
        snippet = self.text[:300].replace("\n", " ")
        message = f"{self.op.name} as {self.credential} with ids of {self.side}: {self.url} -> {self.status}: {why}; {snippet}"
        if self.traceback:
            message += "\n" + self.traceback
        return message


def _text(response) -> str:
    streaming = getattr(response, "streaming", False)
    body = b"".join(response.streaming_content) if streaming else response.content
    headers = " ".join(f"{key}: {value}" for key, value in response.items())
    return (body.decode("utf-8", "replace") + "\n" + headers).lower()


def call(
    op: Operation,
    *,
    host: str,
    side: Side,
    credential_name: str,
    credential: dict,
    remote_addr: str = "127.0.0.1",
    body=None,
    body_format: str = "json",
) -> Call:
    client = APIClient(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=remote_addr)
    client.raise_request_exception = False  # a 500 is a finding, reported with its traceback
    if "token" in credential:
        client.credentials(HTTP_AUTHORIZATION=f"Token {credential['token']}")
    if "session" in credential:
        client.cookies[settings.SESSION_COOKIE_NAME] = credential["session"]
    path, query = request_parts(op, side)
    url = path + ("?" + urlencode(query) if query else "")
    if op.method == "get":
        response = client.get(url)
    else:
        response = getattr(client, op.method)(url, {} if body is None else body, format=body_format)
    trace = ""
    if getattr(response, "exc_info", None):
        trace = "".join(traceback.format_exception(*response.exc_info))[-3000:]
    return Call(op, credential_name, side.label, url, response.status_code, _text(response), trace)


@dataclass
class Findings:
    items: list[str] = field(default_factory=list)
    calls: int = 0  # every call is checked for server errors: this proves the sweep ran

    def add(self, call_: Call, why: str) -> None:
        self.items.append(call_.describe(why))

    def check_markers(self, call_: Call, markers: list[str], request_text: str = "") -> None:
        leaked = [marker for marker in markers if marker in call_.text and marker not in request_text.lower()]
        if leaked:
            self.add(call_, f"foreign data in the response ({', '.join(leaked)})")

    def check_no_server_error(self, call_: Call) -> None:
        self.calls += 1
        if call_.status >= 500:
            self.add(call_, "server error")

    def report(self, title: str) -> str:
        return f"{title}: {len(self.items)} finding(s)\n" + "\n".join(f"- {item}" for item in self.items)
