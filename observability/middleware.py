"""Request ids, per-request metrics and log lines, and the /metrics endpoint."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.http import HttpResponse

from .context import current_request_id, reset_request_id, set_request_id
from .metrics import REQUEST_LATENCY, RESPONSES, render_metrics, scrape_allowed

logger = logging.getLogger("portal.request")
QUIET_PATHS = {"/healthz", "/readyz", "/metrics"}


class RequestIdMiddleware:
    """First in the chain: every later log line of this request carries its id, and so does the answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_id(request.headers.get("X-Request-ID"))
        try:
            request.request_id = current_request_id()
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            reset_request_id(token)


class MetricsEndpointMiddleware:
    """``/metrics`` on any host, before tenant routing, for scrapers holding ``METRICS_TOKEN``.

    Without a token configured the endpoint exists only in development (``DEBUG``); anyone else
    gets the 404 of a path that does not exist (``metrics.scrape_allowed``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/metrics":
            return self.get_response(request)
        if not scrape_allowed(request.headers.get("Authorization", "")):
            return HttpResponse(status=404)
        body, content_type = render_metrics()
        return HttpResponse(body, content_type=content_type)


class RequestMetricsMiddleware:
    """After tenant routing: latency per organisation and view, and one log line per request.

    The log line names the URL pattern, never the raw path, so tokens in links stay out of logs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        organisation = getattr(getattr(request, "organisation", None), "slug", None) or "platform"
        # Before the view: an exception's event is captured while the request is still running.
        _tag_sentry(organisation)
        response = self.get_response(request)
        if request.path in QUIET_PATHS:
            return response
        elapsed = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match.route) if match else "unresolved"
        REQUEST_LATENCY.labels(organisation, view, request.method).observe(elapsed)
        RESPONSES.labels(organisation, f"{response.status_code // 100}xx").inc()
        logger.info(
            "request",
            extra={
                "method": request.method,
                "route": f"/{match.route}" if match else "-",
                "view": view,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
                "organisation": organisation,
            },
        )
        return response


def _tag_sentry(organisation: str) -> None:
    if settings.SENTRY_DSN:
        import sentry_sdk

        sentry_sdk.get_isolation_scope().set_tag("organisation", organisation)
