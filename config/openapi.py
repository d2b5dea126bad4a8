"""Per-host OpenAPI documents, and the error answers each operation can give.

Each URLconf serves only the operations of its own host. drf-spectacular documents success answers
only; ``document_errors`` (a postprocessing hook) adds, per operation, the error statuses the view
can really answer, derived from what the view is made of (parsers, authenticators, permissions,
throttles, path and query parameters), and the ones its services raise, from ``DOMAIN_ERRORS``.
Every error answer has the project's shape: ``{"code", "detail", <field>: [...]}``
(docs/architecture.md, Error shape).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import path
from drf_spectacular.drainage import warn
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny

from contracts.energy_services import ENERGY_SERVICES


def schema_urls(urlconf: str, title: str) -> list:
    return [
        path(
            "api/schema/",
            SpectacularAPIView.as_view(urlconf=urlconf, custom_settings={"TITLE": title}),
            name="schema",
        ),
        path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    ]


# Named once for the OpenAPI documents (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
LANGUAGE_CHOICES = settings.LANGUAGES
# The import API's pydantic rows name services by code only (no labels): a choice set of its own.
SERVICE_CODES = list(ENERGY_SERVICES)

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer: a stable code, a translated text, and for invalid input "
    "the messages per field name (`non_field_errors` for the input as a whole; nested fields nest).",
    "properties": {
        "code": {
            "type": "string",
            "description": "Stable, for clients to branch on (`invalid`, `not_found`, `throttled`, ...)",
        },
        "detail": {"type": "string", "description": "What is wrong, in the caller's language"},
    },
    "required": ["code"],
    "additionalProperties": {
        "description": "The messages for one field (a list), or the errors of a nested field",
        "anyOf": [{"type": "array", "items": {}}, {"type": "object"}],
    },
}

WHY = {
    400: "The input is not valid: the messages per field name. Also text with characters that are not "
    "allowed in a parameter or the body (`invalid_characters`), or a body that cannot be read (`parse_error`).",
    401: "No credentials, or credentials that are invalid or expired here.",
    403: "The credentials do not allow this (role, impersonation, a switched-off feature, or a "
    "session without its CSRF token).",
    404: "No such object here (or not one of the caller's own), or no such page of the list.",
    409: "The object's state does not allow this (now).",
    410: "The link or key has expired.",
    413: "The body is larger than this operation accepts (`request_too_large`).",
    415: "The body's media type is not one this operation reads: JSON, or multipart/form-data "
    "where the operation takes a file.",
    429: "Too many requests from this client: try again after `Retry-After` seconds (`throttled`).",
}

# Errors raised by the services an operation calls (not visible on the view's parts), for views
# that do not declare them with extend_schema: (method, path) -> {status: [codes]}. Each entry
# names a real operation of one of the two documents; a stale one is a schema warning.
_TOKEN_LINK = ["token_invalid", "token_expired", "token_used"]
_PORTAL = "/api/admin/customers/{customer_id}/portal"
_DRAFT = "/api/moves/move-in/{key}"
DOMAIN_ERRORS: dict[tuple[str, str], dict[int, list[str]]] = {
    # The link's token is in the path; a bad one is a field error on "token" (credentials.TokenError).
    ("get", "/api/auth/activation/{token}/"): {400: _TOKEN_LINK},
    ("get", "/api/auth/invitations/{token}/"): {400: _TOKEN_LINK},
    ("post", "/api/auth/impersonation/stop/"): {400: ["not_impersonating"]},
    # moves.move_in: every use of a draft key (draft_for_key), and the steps of a submitted draft.
    ("get", f"{_DRAFT}/"): {410: ["draft_expired"]},
    ("put", f"{_DRAFT}/steps/{{number}}/"): {409: ["already_submitted"], 410: ["draft_expired"]},
    ("post", f"{_DRAFT}/photos/"): {409: ["already_submitted"], 410: ["draft_expired"]},
    ("post", f"{_DRAFT}/send-link/"): {400: ["no_email"], 410: ["draft_expired"]},
    ("post", f"{_DRAFT}/submit/"): {400: ["incomplete"], 410: ["draft_expired"]},
    ("post", "/api/moves/move-in/resume/"): {404: ["not_found"]},
    # moves.move_out and moves.approval
    ("post", "/api/portal/move-outs/"): {404: ["not_found"], 409: ["already_submitted"]},
    ("post", "/api/portal/move-outs/{id}/photos/"): {409: ["already_processed"]},
    ("post", "/api/admin/move-ins/{id}/approve/"): {409: ["not_submitted", "email_is_portal_login"]},
    ("post", "/api/admin/move-ins/{id}/reject/"): {409: ["not_submitted"]},
    ("post", "/api/admin/move-outs/{id}/process/"): {400: ["reading_refused"], 409: ["not_submitted"]},
    ("post", "/api/admin/move-outs/{id}/reject/"): {409: ["not_submitted"]},
    # consumption.submitted_readings (meter readings outside a move)
    ("post", "/api/portal/meter-readings/"): {409: ["already_submitted"]},
    ("post", "/api/admin/consumption/submitted-readings/{id}/accept/"): {
        400: ["reading_refused"],
        409: ["not_submitted"],
    },
    ("post", "/api/admin/consumption/submitted-readings/{id}/reject/"): {409: ["not_submitted"]},
    # memberships.services.portal_card and .impersonation
    ("post", f"{_PORTAL}/resend-confirmation/"): {409: ["no_account", "already_confirmed"]},
    ("post", f"{_PORTAL}/send-password-reset/"): {409: ["no_account", "not_confirmed"]},
    ("post", f"{_PORTAL}/reset/"): {409: ["no_account"]},
    ("post", f"{_PORTAL}/impersonate/"): {409: ["no_active_account"]},
    # memberships.services.sessions
    ("post", f"{_PORTAL}/log-out-everywhere/"): {404: ["no_account"], 409: ["staff_identity"]},
    # self_service.bank_account
    ("post", "/api/portal/details/bank-account/mandate/"): {409: ["mandate_active"]},
    ("delete", "/api/portal/details/bank-account/mandate/"): {409: ["no_mandate"]},
    # support.services
    ("post", "/api/admin/tickets/{id}/reply/"): {409: ["closed"]},
    ("post", "/api/admin/tickets/{id}/close/"): {409: ["already_closed"]},
    ("post", "/api/admin/tickets/{id}/reopen/"): {409: ["not_closed"]},
    # consumption.reports: a `locations` id that is not one of the resident's
    ("get", "/api/portal/consumption/year/"): {404: ["unknown_location"]},
    ("get", "/api/portal/consumption/month/"): {404: ["unknown_location"]},
    ("get", "/api/portal/consumption/compare/"): {404: ["unknown_location"]},
    ("get", "/api/portal/consumption/register/"): {404: ["unknown_location"]},
    # integration.api.readings.ingest_request
    ("post", "/api/integration/readings/"): {413: ["request_too_large"], 415: ["unsupported_media_type"]},
    # tenants.services (the platform's document)
    ("post", "/api/platform/organisations/"): {409: ["conflict"]},
    ("delete", "/api/platform/organisations/{slug}/domains/{domain}/"): {400: ["primary_domain"]},
    # tenants.placement
    ("post", "/api/platform/organisations/{slug}/placement/"): {
        400: ["unknown_node", "already_there"],
        409: ["not_distributed", "move_in_progress"],
    },
}


def _views(generator, request) -> dict[tuple[str, str], object]:
    """The view instance behind each (path, method) of the document, as drf-spectacular made it."""
    found = {}
    for path_, _regex, method, callback in generator.endpoints or []:
        view = generator.create_view(callback, method)
        path_ = generator.coerce_path(path_, method, view)
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path_, view, request)
        found[(path_, method.lower())] = view
    return found


def _needs_credentials(operation: dict) -> bool:
    security = operation.get("security")
    return bool(security) and all(option for option in security)


def _is_page_number(parameter: dict) -> bool:
    return parameter["name"] == "page" and parameter.get("schema", {}).get("type") == "integer"


def derived_errors(view, method: str, operation: dict) -> set[int]:
    """The error statuses DRF and the view's own parts can answer for this operation."""
    statuses: set[int] = set()
    takes_body = "requestBody" in operation
    query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
    in_path = any(p.get("in") == "path" for p in operation.get("parameters", []))
    # Any parameter or body can hold characters that are not allowed (core.input_guard), even a
    # free-text search or a page number; any body can be larger than the operation accepts.
    if takes_body or query or in_path:
        statuses.add(400)
    if takes_body:
        statuses.add(413)
    if takes_body and view.get_parsers():
        statuses.add(415)  # DRF refuses a media type none of the view's parsers reads
    authenticators = view.get_authenticators()
    if authenticators and authenticators[0].authenticate_header(view.request):
        statuses.add(401)  # also where no login is needed: a bad or expired credential is refused
    permissions = view.get_permissions()
    session_write = method.upper() not in SAFE_METHODS and any(
        isinstance(a, SessionAuthentication) for a in authenticators
    )
    if (
        _needs_credentials(operation)
        or any(not isinstance(p, AllowAny) for p in permissions)
        or session_write
    ):
        statuses.add(403)
    if in_path or any(_is_page_number(p) for p in query):
        statuses.add(404)
    if view.get_throttles():
        statuses.add(429)
    return statuses


def _error_response(description: str, status: int) -> dict:
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}},
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}
        }
    return response


def document_errors(result: dict, generator, request, public, **kwargs) -> dict:
    """Postprocessing hook: every operation lists the error answers it can give, in the error shape."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    views = _views(generator, request)
    unused = set(DOMAIN_ERRORS)
    for path_, item in result.get("paths", {}).items():
        for method, operation in item.items():
            view = views.get((path_, method))
            if view is None or not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            statuses = {status: WHY[status] for status in derived_errors(view, method, operation)}
            for status, codes in DOMAIN_ERRORS.get((method, path_), {}).items():
                unused.discard((method, path_))
                listed = ", ".join(f"`{code}`" for code in codes)
                statuses[status] = f"{WHY[status]} Codes include {listed}."
            for status, description in statuses.items():
                responses.setdefault(str(status), {"description": description})
            for status, response in responses.items():
                # The view's own declarations (e.g. ``410: None``) get the error shape too.
                if status[0] in "45" and "content" not in response:
                    described = response.get("description") or ""
                    if described in ("", "No response body"):
                        described = statuses.get(int(status)) or WHY.get(int(status), "Refused.")
                    responses[status] = _error_response(described, int(status))
            operation["responses"] = dict(sorted(responses.items()))
    # An entry for this document's host that names no operation is stale (the other host's are not).
    platform = any(p.startswith("/api/platform/") for p in result.get("paths", {}))
    for method, path_ in sorted(unused):
        if path_.startswith("/api/platform/") == platform:
            warn(f"DOMAIN_ERRORS names {method.upper()} {path_}, which is not an operation")
    return result
