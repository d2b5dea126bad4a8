"""Tenant resolution per request with 1,000 organisations' domains: ours against stock django-tenants.

Run: .venv/bin/python benchmarks/tenant_resolution.py [--organisations 1000] [--requests 20000]

Both middlewares run in this process on the same requests (random hosts among the 1,000) in front
of a view that does nothing, so the time per request is the routing overhead. Stock
``TenantMainMiddleware`` reads the Domain table (joined to the tenant) on every request; ours keeps
a host map per process, checked against a version key in Redis (one GET). Also reported: database
queries per request, and a cold pass (every process map emptied, as after an operator change).
"""

from __future__ import annotations

import argparse
import random
import time

from harness import Result, print_table, setup_django, write_results

PREFIX = "resbench"


def _organisations(count: int) -> list[str]:
    """Organisation and domain rows only: routing never touches a tenant's tables."""
    from tenants.models import Domain, Organisation

    existing = set(Organisation.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True))
    missing = [f"{PREFIX}{n:04d}" for n in range(count) if f"{PREFIX}{n:04d}" not in existing]
    created = Organisation.objects.bulk_create(
        [Organisation(schema_name=f"org_{slug}", name=slug, slug=slug) for slug in missing]
    )
    Domain.objects.bulk_create(
        [Domain(domain=f"{o.slug}.bench.test", tenant=o, is_primary=True) for o in created]
    )
    return [f"{PREFIX}{n:04d}.bench.test" for n in range(count)]


def _measure(middleware, requests: list) -> tuple[float, float]:
    """Seconds per request and database queries per request."""
    from django.db import connection, reset_queries

    connection.force_debug_cursor = True
    reset_queries()
    started = time.perf_counter()
    for request in requests:
        response = middleware(request)
        assert response.status_code == 200, response.content
    elapsed = time.perf_counter() - started
    queries = len([q for q in connection.queries if not q["sql"].startswith("SET search_path")])
    connection.force_debug_cursor = False
    reset_queries()
    return elapsed / len(requests), queries / len(requests)


def run(organisations: int = 1000, requests: int = 20000) -> list[Result]:
    setup_django(migrate=True)
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django_tenants.middleware.main import TenantMainMiddleware

    from tenants.middleware import OrganisationMiddleware
    from tenants.routing import bump_version, routing_table

    hosts = _organisations(organisations)
    factory = RequestFactory()
    rng = random.Random(7)
    batch = [factory.get("/api/portal/site/", HTTP_HOST=rng.choice(hosts)) for _ in range(requests)]

    def view(request):
        return HttpResponse("ok")

    ours, stock, floor = OrganisationMiddleware(view), TenantMainMiddleware(view), view
    for middleware in (ours, stock):  # warm-up: imports, connection, query plans
        _measure(middleware, batch[:500])

    floor_s, _ = _measure(floor, batch)
    stock_s, stock_q = _measure(stock, batch)
    # Cold: right after a routing change every host is loaded once; that also warms the map.
    bump_version()
    routing_table.clear()
    cold_batch = [factory.get("/api/portal/site/", HTTP_HOST=host) for host in hosts]
    cold_s, cold_q = _measure(ours, cold_batch)
    warm_s, warm_q = _measure(ours, batch)
    # Routing rows only, without schemas: remove them so that other benchmarks can migrate every tenant.
    from tenants.models import Domain, Organisation

    Domain.objects.filter(tenant__slug__startswith=PREFIX).delete()
    Organisation.objects.filter(slug__startswith=PREFIX).delete()

    extra = {"organisations": organisations, "requests": requests, "stock_queries_per_request": stock_q}
    overheads = {"stock": stock_s - floor_s, "warm": warm_s - floor_s, "cold": cold_s - floor_s}
    return _results(overheads, {"warm": warm_q, "cold": cold_q, "stock": stock_q}, organisations, extra)


def _results(overheads: dict, queries: dict, organisations: int, extra: dict) -> list[Result]:
    """The routing overhead per request (over a bare view), warm and cold, against the stock middleware."""
    stock_overhead, warm_overhead, cold_overhead = overheads["stock"], overheads["warm"], overheads["cold"]
    warm_q, cold_q, stock_q = queries["warm"], queries["cold"], queries["stock"]
    common = {
        "benchmark": "tenant resolution",
        "unit": "µs",
        "baseline": "stock TenantMainMiddleware",
        "baseline_value": stock_overhead * 1e6,
    }
    return [
        Result(
            measure=f"routing overhead per request, warm ({organisations:,} domains)",
            value=warm_overhead * 1e6,
            ratio=stock_overhead / warm_overhead,
            target="faster than stock",
            met=warm_overhead < stock_overhead,
            notes=f"{warm_q:.2f} queries/request (stock: {stock_q:.2f})",
            extra=extra,
            **common,
        ),
        Result(
            measure="routing overhead per request, cold (first request per host after a change)",
            value=cold_overhead * 1e6,
            ratio=stock_overhead / cold_overhead,
            notes=f"{cold_q:.2f} queries/request",
            extra=extra,
            **common,
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20000)
    arguments = parser.parse_args()
    results = run(arguments.organisations, arguments.requests)
    print_table(results)
    print(f"\nwritten to {write_results('tenant_resolution', results)}")
