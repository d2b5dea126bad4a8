"""Consumption at scale: five years of 15-minute readings for a 10-location contract with 3 services.

Run: .venv/bin/python benchmarks/consumption.py [--years 5] [--rounds 50]

Prints ingestion rows per second (validation, COPY, upsert and aggregate refresh included), and the
p50/p95 latency of the resident's year and month views through HTTP (a gunicorn server on this
machine), next to the same numbers computed from the raw readings in the same run.
Targets: ingestion >= 50,000 rows/s; year view p50 < 20 ms and >= 10x faster than raw aggregation.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta

from harness import ROOT, Result, median, percentile, print_table, setup_django, write_results

ORG_SLUG = "benchconsumption"
HOST = f"{ORG_SLUG}.bench.test"
SERVICES = ("heating", "hot_tap_water", "cooling")
PASSWORD = "bench-password-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(years: int):
    from django_tenants.utils import schema_context

    from integration.importing import run_import
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident
    from tenants.models import Organisation
    from tenants.services import onboard_organisation

    organisation = Organisation.objects.filter(slug=ORG_SLUG).first()
    if organisation is None:
        organisation = onboard_organisation(
            name="Bench consumption", slug=ORG_SLUG, domain=HOST, admin_email="admin@benchc.test"
        ).organisation
    start = date(date.today().year - years, 1, 1)
    payload = {
        "customers": [
            {
                "external_id": "cust",
                "customer_number": "BENCH-1",
                "last_name": "Bench",
                "email": "bench@benchc.test",
            }
        ],
        "locations": [
            {
                "external_id": f"loc{i}",
                "street": "Bench street",
                "house_number": str(i),
                "postal_code": "9000",
                "city": "Gent",
                "building_type": "apartment",
                "floor_area_m2": 80,
            }
            for i in range(10)
        ],
        "contracts": [
            {
                "external_id": "k",
                "number": "BENCH-K",
                "customer_external_id": "cust",
                "start_date": start.isoformat(),
                "locations": [
                    {"location_external_id": f"loc{i}", "services": list(SERVICES)} for i in range(10)
                ],
            }
        ],
        "meters": [
            {
                "external_id": f"m-{i}-{service}",
                "number": f"M{i}{service[:2]}",
                "location_external_id": f"loc{i}",
                "service": service,
            }
            for i in range(10)
            for service in SERVICES
        ],
    }
    with schema_context(organisation.schema_name):
        run_import(payload=payload)
        if not PortalAccount.objects.filter(login_email="bench@benchc.test", user__isnull=False).exists():
            register_resident(
                organisation=organisation,
                customer_number="BENCH-1",
                email="bench@benchc.test",
                password=PASSWORD,
            )
            from credentials.models import OneTimeToken
            from credentials.services import issue_one_time_token

            account = PortalAccount.objects.get(login_email="bench@benchc.test")
            token = issue_one_time_token(
                purpose=OneTimeToken.Purpose.CONFIRMATION,
                subject=f"portal_account:{account.pk}",
                email=account.login_email,
            )
            confirm_registration(raw_token=token.raw)
    return organisation, start


def generate(start: date, end: datetime, batch: int):
    """15-minute readings for every meter, in batches of dicts as the API would receive them."""
    moment = datetime(start.year, 1, 1, tzinfo=UTC) - timedelta(hours=1)
    meters = [f"m-{i}-{service}" for i in range(10) for service in SERVICES]
    rows = []
    step = timedelta(minutes=15)
    while moment < end:
        stamp = moment.isoformat()
        for meter in meters:
            rows.append(
                {
                    "meter": meter,
                    "timestamp": stamp,
                    "kind": "interval",
                    "value": f"{random.random():.3f}",
                    "source": "actual",
                }
            )
        if len(rows) >= batch:
            yield rows
            rows = []
        moment += step
    if rows:
        yield rows


def ingest_all(organisation, start: date, batch: int) -> tuple[int, float]:
    from django_tenants.utils import schema_context

    from consumption.ingestion import ingest

    end = datetime.now(UTC) - timedelta(hours=1)
    total, seconds = 0, 0.0
    with schema_context(organisation.schema_name):
        for rows in generate(start, end, batch):
            started = time.perf_counter()
            result = ingest(rows=rows, organisation=organisation)
            seconds += time.perf_counter() - started
            assert result.error_count == 0, result.errors[:3]
            total += result.accepted
            print(
                f"\r  ingested {total:,} readings ({total / seconds:,.0f}/s)",
                end="",
                file=sys.stderr,
                flush=True,
            )
    print(file=sys.stderr)
    return total, seconds


def start_server(port: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        DEBUG="0",
        SECRET_KEY="benchmark-secret-key-that-is-long-enough-1234",
        ALLOW_LOCAL_SMTP="1",
        SECURE_SSL_REDIRECT="0",
        PORTAL_URL_SCHEME="http",
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def request(port: int, path: str, token: str | None = None, method: str = "GET", body: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": HOST, "Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Token {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    connection.request(method, path, body=json.dumps(body) if body else None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    assert response.status == 200, (path, response.status, data[:300])
    return elapsed, json.loads(data)


def raw_year(organisation, year: int) -> float:
    """The year view computed from the raw readings of the same 10 heating meters."""
    from django.db import connection
    from django_tenants.utils import schema_context

    with schema_context(organisation.schema_name), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "SELECT date_trunc('month', r.start AT TIME ZONE %s) AS month, sum(r.value), count(*) "
            "FROM consumption_intervalreading r JOIN consumption_meter m ON m.id = r.meter_id "
            "JOIN consumption_service s ON s.id = m.service_id "
            "WHERE s.code = 'heating' AND r.source = 'a' AND r.start >= %s AND r.start < %s GROUP BY 1 ORDER BY 1",
            [
                organisation.time_zone,
                datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=2),
                datetime(year + 1, 1, 1, tzinfo=UTC),
            ],
        )
        cursor.fetchall()
        return time.perf_counter() - started


def raw_month(organisation, year: int, month: int) -> float:
    from django.db import connection
    from django_tenants.utils import schema_context

    first = datetime(year, month, 1, tzinfo=UTC) - timedelta(hours=2)
    last = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    with schema_context(organisation.schema_name), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "SELECT (r.start AT TIME ZONE %s)::date, sum(r.value), count(*) "
            "FROM consumption_intervalreading r JOIN consumption_meter m ON m.id = r.meter_id "
            "JOIN consumption_service s ON s.id = m.service_id "
            "WHERE s.code = 'heating' AND r.source = 'a' AND r.start >= %s AND r.start < %s GROUP BY 1 ORDER BY 1",
            [organisation.time_zone, first, last],
        )
        cursor.fetchall()
        return time.perf_counter() - started


def drop_previous_run() -> None:
    from tenants import provisioning
    from tenants.models import Domain, Organisation

    organisation = Organisation.objects.filter(slug=ORG_SLUG).first()
    if organisation is not None:
        provisioning.drop_schema(organisation.schema_name)
        Domain.objects.filter(tenant=organisation).delete()
        organisation.delete()


def run(years: int = 5, rounds: int = 50, batch: int = 300_000, fresh: bool = True) -> list[Result]:
    setup_django()
    from django.db import connection

    if fresh:
        drop_previous_run()

    organisation, start = prepare(years)
    connection.set_schema_to_public()
    from django_tenants.utils import schema_context

    from consumption.models import IntervalReading

    with schema_context(organisation.schema_name):
        present = IntervalReading.objects.count()
    rows, ingest_seconds = (0, 0.0)
    if present == 0:
        rows, ingest_seconds = ingest_all(organisation, start, batch)
    else:
        # Data from an earlier run: measure ingestion on a fresh month of re-sent readings (upserts).
        with schema_context(organisation.schema_name):
            from consumption.ingestion import ingest

            sample = next(
                generate(date(start.year + 1, 3, 1), datetime(start.year + 1, 5, 1, tzinfo=UTC), batch)
            )
            started = time.perf_counter()
            ingest(rows=sample, organisation=organisation)
            rows, ingest_seconds = len(sample), time.perf_counter() - started
    connection.close()

    port = free_port()
    server = start_server(port)
    try:
        _t, login = request(
            port, "/api/auth/login/", method="POST", body={"email": "bench@benchc.test", "password": PASSWORD}
        )
        token = login["key"]
        year = date.today().year - 1
        year_path = f"/api/portal/consumption/year/?service=heating&year={year}"
        month_path = f"/api/portal/consumption/month/?service=heating&year={year}&month=3"
        for _ in range(5):
            request(port, year_path, token)
            request(port, month_path, token)
        year_times = [request(port, year_path, token)[0] for _ in range(rounds)]
        month_times = [request(port, month_path, token)[0] for _ in range(rounds)]
        _t, body = request(port, year_path, token)
        assert body["points"][2]["value"] is not None
    finally:
        server.terminate()
        server.wait(timeout=10)
    raw_year_times = [raw_year(organisation, year) for _ in range(max(5, rounds // 10))]
    raw_month_times = [raw_month(organisation, year, 3) for _ in range(rounds)]

    ms = 1000
    return [
        Result(
            "consumption",
            f"ingestion ({rows:,} readings)",
            rows / ingest_seconds,
            "rows/s",
            target=">= 50,000 rows/s",
            met=rows / ingest_seconds >= 50_000,
        ),
        Result(
            "consumption",
            "year view p50 (HTTP, 10 locations)",
            median(year_times) * ms,
            "ms",
            baseline="raw aggregation p50 (SQL only)",
            baseline_value=median(raw_year_times) * ms,
            ratio=median(raw_year_times) / median(year_times),
            target="< 20 ms and >= 10x",
            met=median(year_times) * ms < 20 and median(raw_year_times) / median(year_times) >= 10,
        ),
        Result("consumption", "year view p95 (HTTP)", percentile(year_times, 95) * ms, "ms"),
        Result(
            "consumption",
            "month view p50 (HTTP, daily values)",
            median(month_times) * ms,
            "ms",
            baseline="raw aggregation p50 (SQL only)",
            baseline_value=median(raw_month_times) * ms,
            ratio=median(raw_month_times) / median(month_times),
        ),
        Result("consumption", "month view p95 (HTTP)", percentile(month_times, 95) * ms, "ms"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="Reuse the readings of an earlier run")
    arguments = parser.parse_args()
    results = run(arguments.years, arguments.rounds, fresh=not arguments.keep)
    print_table(results)
    print(f"\nwritten to {write_results('consumption', results)}")
