"""Optional error reporting: on only when SENTRY_DSN is set.

Events carry the organisation (``organisation`` tag, set per request by
``observability.middleware``) and the database schema in use (``schema``), never personal data:
no cookies, bodies, query strings, client addresses or local variables are sent, the URL is
reduced to its route pattern (links carry tokens), and email addresses and API tokens found in
messages, exception values and breadcrumbs are replaced before an event leaves the process.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# credentials.services: "<key id>.<secret>" (token_urlsafe(9) "." token_urlsafe(32)); also whatever
# follows "Token " or "Bearer " in any text.
TOKEN = re.compile(
    r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"
    r"|(?<=Token )\S+|(?<=Bearer )\S+"
)
# Request headers worth keeping for debugging; everything else (cookies, authorisation,
# forwarded-for, custom headers) is dropped.
KEPT_HEADERS = {
    "accept",
    "accept-language",
    "content-length",
    "content-type",
    "host",
    "user-agent",
    "x-forwarded-proto",
    "x-request-id",
}
FILTERED = "[Filtered]"


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float, release: str | None = None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        # Residents' names, emails and IP addresses stay out of error reports.
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        integrations=[DjangoIntegration(transaction_style="url"), CeleryIntegration()],
    )


def scrub_event(event: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Tag the schema and remove personal data from an event (Sentry's ``before_send``)."""
    from .logs import _current_schema  # only when SENTRY_DSN is set (settings call this)

    tags = event.setdefault("tags", {})
    if isinstance(tags, dict):
        tags.setdefault("schema", _current_schema())
    event.pop("user", None)
    routed = (event.get("transaction_info") or {}).get("source") not in (None, "url")
    if not routed and "transaction" in event:
        event["transaction"] = FILTERED  # the raw path: it may hold a token of an emailed link
    request = event.get("request")
    if isinstance(request, dict):
        _scrub_request(request, event.get("transaction") if routed else None)
    return _redact(event)


def _scrub_request(request: dict[str, Any], route: str | None) -> None:
    for key in ("query_string", "cookies", "data", "env"):
        request.pop(key, None)
    url = request.get("url")
    if isinstance(url, str):
        parts = urlsplit(url)
        path = route if isinstance(route, str) and route.startswith("/") else f"/{FILTERED}"
        request["url"] = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    headers = request.get("headers")
    if isinstance(headers, dict):
        request["headers"] = {k: v for k, v in headers.items() if str(k).lower() in KEPT_HEADERS}


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return TOKEN.sub(FILTERED, EMAIL.sub(FILTERED, value))
    if isinstance(value, dict):
        return {key: _redact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(item) for item in value]
    if value is None or isinstance(value, bool | int | float | datetime | date):
        return value
    # Anything else (a log call's arguments, e.g. an SMTP error naming the recipient) would be
    # sent as its repr: redact that text now.
    return _redact(repr(value))
