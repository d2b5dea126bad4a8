"""Prometheus metrics: request latency per organisation and view, Celery tasks, the outbox backlog.

With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn and Celery prefork children), every process writes
its samples to that folder and a scrape aggregates them; without it (development, tests) the
process's own registry is used.
"""

from __future__ import annotations

import hmac
import os
import socketserver
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.cache import cache
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it.",
    ["organisation", "view", "method"],
    buckets=LATENCY_BUCKETS,
)
RESPONSES = Counter(
    "portal_http_responses_total", "Responses by organisation and status class.", ["organisation", "status"]
)
TASKS = Counter("portal_celery_tasks_total", "Celery tasks by name and outcome.", ["task", "state"])
TASK_DURATION = Histogram(
    "portal_celery_task_duration_seconds", "Run time of Celery tasks.", ["task"], buckets=LATENCY_BUCKETS
)

OUTBOX_CACHE_KEY = "metrics:outbox"
OUTBOX_CACHE_SECONDS = 15


class OutboxCollector:
    """Unsent and given-up emails and the age of the oldest unsent one, per organisation.

    One UNION ALL query over all schemas (``communications.selectors``), cached for a few seconds
    so that several Prometheus servers scraping several pods do not multiply the load.
    """

    def collect(self):
        rows = cache.get(OUTBOX_CACHE_KEY)
        if rows is None:
            rows = outbox_rows()
            cache.set(OUTBOX_CACHE_KEY, rows, OUTBOX_CACHE_SECONDS)
        unsent = GaugeMetricFamily(
            "portal_outbox_unsent_emails",
            "Emails waiting to be sent, per organisation.",
            labels=["organisation"],
        )
        oldest = GaugeMetricFamily(
            "portal_outbox_oldest_unsent_age_seconds",
            "Age of the oldest email still waiting, per organisation (0 when none).",
            labels=["organisation"],
        )
        given_up = GaugeMetricFamily(
            "portal_outbox_given_up_emails",
            "Emails the outbox stopped retrying (see docs/operations.md), per organisation.",
            labels=["organisation"],
        )
        for row in rows:
            unsent.add_metric([row["organisation"]], row["unsent"])
            oldest.add_metric([row["organisation"]], row["oldest_age_seconds"])
            given_up.add_metric([row["organisation"]], row["given_up"])
        yield unsent
        yield oldest
        yield given_up


def outbox_rows() -> list[dict]:
    """Outbox numbers for every organisation and the platform, zeros included.

    ``outbox_by_schema`` returns only schemas with waiting emails; an organisation without any
    still gets its series (0), so that alerts and dashboards see "nothing waiting" rather than no data.
    Two queries plus one per 200 schemas, whatever the number of emails.
    """
    from django.conf import settings

    from communications.selectors import (
        outbox_by_schema,  # loaded by the Celery hooks before Django is set up
    )
    from tenants.models import Organisation  # models: only once Django is set up

    found = {row["organisation"]: row for row in outbox_by_schema(now=timezone.now())}
    organisations = Organisation.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("slug")
    names = ["platform", *organisations.values_list("slug", flat=True)]
    empty = {"unsent": 0, "oldest_age_seconds": 0.0, "given_up": 0}
    return [found.get(name) or {"organisation": name, **empty} for name in names]


def scrape_registry() -> CollectorRegistry:
    """What a scrape exposes: every process's samples plus the outbox gauges."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
    else:
        registry = CollectorRegistry()
        registry.register(_ProcessSamples())
    registry.register(OutboxCollector())
    return registry


class _ProcessSamples:
    """This process's own metrics (no multi-process folder): re-exposed from the default registry."""

    def collect(self):
        yield from REGISTRY.collect()


def render_metrics() -> tuple[bytes, str]:
    from prometheus_client import CONTENT_TYPE_LATEST

    return generate_latest(scrape_registry()), CONTENT_TYPE_LATEST


def scrape_allowed(authorization: str) -> bool:
    """Whether an ``Authorization`` header may read the metrics: the one rule for every metrics port.

    ``Bearer <METRICS_TOKEN>``, compared in constant time. Without a token configured, only a
    development server (DEBUG) shows its metrics: production fails closed.
    """
    from django.conf import settings

    expected = settings.METRICS_TOKEN
    if not expected:
        return bool(settings.DEBUG)
    scheme, _, given = authorization.strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected.encode())


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        """Scrapes are not logged (one line per scrape every few seconds)."""


def serve_metrics(port: int, registry: CollectorRegistry, host: str = "0.0.0.0") -> WSGIServer:  # noqa: S104 - scraped from outside the pod
    """Serve ``registry`` on its own port (the Celery worker's), behind the same token as /metrics."""
    from prometheus_client import make_wsgi_app

    metrics_app = make_wsgi_app(registry)

    def app(environ, start_response):
        if environ.get("PATH_INFO") != "/metrics" or not scrape_allowed(
            environ.get("HTTP_AUTHORIZATION", "")
        ):
            start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
            return [b""]
        return metrics_app(environ, start_response)

    server = make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics-server", daemon=True).start()
    return server
