"""Consumption at scale: five years of 15-minute readings for a 10-location contract with 3 services.

Run: .venv/bin/python benchmarks/consumption.py [--years 5] [--rounds 50] [--keep] [--parts ingestion]

Prints ingestion rows per second (validation, COPY, upsert and aggregate refresh included), and the
p50/p95 latency of the resident's year and month views through HTTP (a gunicorn server on this
machine), the year view again with cost visualisation on (costs, estimates, similar customers),
next to the same numbers computed from the raw readings in the same run. It also checks that the
API's monthly values equal the raw aggregation, month by month. Ingestion is set against a bare
COPY and commit of a batch of the same rows, already parsed, into an empty table with the readings'
primary and foreign keys: the floor PostgreSQL itself sets on this machine, timed after the first
batch and after every FLOOR_EVERY-th on that batch's rows (the median), so that floor and ingestion
meet the same load on a shared machine.
Targets (issue 20): ingestion >= 0.8x the floor; year view p50 < 20 ms and >= 10x faster than raw
aggregation.

Without ``--keep`` every run starts from an empty benchmark organisation and drops it at the end.
With ``--keep`` the organisation and its readings stay for the next ``--keep`` run, which reuses
them when they cover the years asked for; ingestion is then measured by re-sending one month of
readings (upserts of existing rows), and the table says so.
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
from decimal import Decimal
from zoneinfo import ZoneInfo

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
    from operators.onboarding import onboard_organisation
    from tenants.models import Organisation

    organisation = Organisation.objects.filter(slug=ORG_SLUG).first()
    if organisation is None:
        organisation = onboard_organisation(
            name="Bench consumption", slug=ORG_SLUG, domain=HOST, admin_email="admin@benchc.test"
        ).organisation
    start = date(date.today().year - years, 1, 1)
    with schema_context(organisation.schema_name):
        run_import(payload=_import_payload(start))
        _confirmed_resident(organisation)
    return organisation, start


def _import_payload(start: date) -> dict:
    """One customer with a contract since ``start`` at ten locations, a meter per service at each."""
    return {
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


def _confirmed_resident(organisation) -> None:
    """The customer's portal account, registered and confirmed once (in the organisation's schema)."""
    from credentials.models import OneTimeToken
    from credentials.services import issue_one_time_token
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident

    if PortalAccount.objects.filter(login_email="bench@benchc.test", user__isnull=False).exists():
        return
    register_resident(
        organisation=organisation,
        customer_number="BENCH-1",
        email="bench@benchc.test",
        password=PASSWORD,
    )
    account = PortalAccount.objects.get(login_email="bench@benchc.test")
    token = issue_one_time_token(
        purpose=OneTimeToken.Purpose.CONFIRMATION,
        subject=f"portal_account:{account.pk}",
        email=account.login_email,
    )
    confirm_registration(raw_token=token.raw)


def generate(start: date, end: datetime, batch: int, zone: ZoneInfo):
    """15-minute readings for every meter from local midnight of ``start`` up to ``end``, in
    batches of dicts as the API would receive them."""
    moment = datetime(start.year, start.month, start.day, tzinfo=zone).astimezone(UTC)
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


FLOOR_EVERY = 4  # a floor batch after every 4th ingestion batch (and after the first)


def ingest_all(organisation, start: date, end: datetime, batch: int) -> tuple[int, float, list[float]]:
    """Ingest every batch; (rows, seconds, floor rates): after the first batch and every
    FLOOR_EVERY-th, the floor is timed on that batch's rows, so the two share the machine's mood."""
    from django_tenants.utils import schema_context

    from consumption.ingestion import ingest, meter_bounds

    total, seconds, floors = 0, 0.0, []
    with schema_context(organisation.schema_name):
        meters = {external_id: bounds.pk for external_id, bounds in meter_bounds(organisation).items()}
        for number, rows in enumerate(generate(start, end, batch, organisation.zone)):
            started = time.perf_counter()
            result = ingest(rows=rows, organisation=organisation)
            seconds += time.perf_counter() - started
            assert result.error_count == 0, result.errors[:3]
            total += result.accepted
            if number % FLOOR_EVERY == 0 and len(rows) == batch:
                floors.append(bare_copy_rate(meters, rows))
            print(
                f"\r  ingested {total:,} readings ({total / seconds:,.0f}/s)",
                end="",
                file=sys.stderr,
                flush=True,
            )
    print(file=sys.stderr)
    return total, seconds, floors


def bare_copy_rate(meters: dict[str, int], rows: list[dict]) -> float:
    """PostgreSQL's own floor on this machine: one batch, already parsed, COPYed and committed into
    an empty ordinary table shaped like the readings (the same primary key and deferred foreign key
    to the meters), with no validation, upsert or aggregates. The table is dropped afterwards."""
    from django.db import connection, transaction

    tuples = [
        (meters[row["meter"]], datetime.fromisoformat(row["timestamp"]), Decimal(row["value"]), "a")
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_copy")
        cursor.execute(
            "CREATE TABLE bench_bare_copy (LIKE consumption_intervalreading INCLUDING ALL, "
            "FOREIGN KEY (meter_id) REFERENCES consumption_meter (id) DEFERRABLE INITIALLY DEFERRED)"
        )
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.copy("COPY bench_bare_copy (meter_id, start, value, source) FROM STDIN") as copy,
    ):
        for row in tuples:
            copy.write_row(row)
    seconds = time.perf_counter() - started  # the commit (and its deferred key checks) included
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare_copy")
    return len(tuples) / seconds


def kept_data_covers(organisation, start: date) -> bool:
    """Readings of an earlier ``--keep`` run that start no later than ``start``."""
    from django_tenants.utils import schema_context

    from consumption.models import IntervalReading

    with schema_context(organisation.schema_name):
        first = IntervalReading.objects.order_by("start").values_list("start", flat=True).first()
    return first is not None and first.astimezone(organisation.zone).date() <= start


def set_costs(organisation, on: bool) -> None:
    """Cost visualisation on or off (operator feature and portal switch), with tariffs."""
    from django_tenants.utils import schema_context

    from configuration.models import PortalPreferences
    from integration.importing import run_import
    from tenants.services import update_organisation

    update_organisation(organisation=organisation, features={"cost_visualisation": on})
    with schema_context(organisation.schema_name):
        PortalPreferences.objects.current()
        PortalPreferences.objects.update(cost_visualisation=on)
        if on:
            run_import(
                payload={
                    "tariffs": [
                        {
                            "external_id": f"bench-{service}",
                            "service": service,
                            "unit_price": "0.11",
                            "fixed_monthly": "12.50",
                            "vat_rate": "6",
                            "valid_from": "2000-01-01",
                        }
                        for service in SERVICES
                    ]
                }
            )


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


def raw_year(organisation, year: int) -> tuple[float, dict[str, Decimal]]:
    """The year view computed from the raw readings of the same 10 heating meters: time and values."""
    from django.db import connection
    from django_tenants.utils import schema_context

    zone = organisation.zone
    with schema_context(organisation.schema_name), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "SELECT to_char(date_trunc('month', r.start AT TIME ZONE %s), 'YYYY-MM'), sum(r.value), count(*) "
            "FROM consumption_intervalreading r JOIN consumption_meter m ON m.id = r.meter_id "
            "JOIN consumption_service s ON s.id = m.service_id "
            "WHERE s.code = 'heating' AND r.source = 'a' AND r.start >= %s AND r.start < %s GROUP BY 1 ORDER BY 1",
            [
                organisation.time_zone,
                datetime(year, 1, 1, tzinfo=zone),
                datetime(year + 1, 1, 1, tzinfo=zone),
            ],
        )
        rows = cursor.fetchall()
        return time.perf_counter() - started, {month: total for month, total, _count in rows}


def check_year_values(body: dict, raw: dict[str, Decimal]) -> None:
    """The API's monthly values (from the aggregates) are the raw sums, month by month."""
    for point in body["points"]:
        expected = raw.get(point["period"])
        shown = Decimal(point["value"]) if point["value"] is not None else None
        wanted = expected.quantize(Decimal("0.001")) if expected is not None else None
        assert shown == wanted, (point["period"], shown, wanted)
    assert body["total"]["complete"] is True, body["total"]
    total = sum(raw.values(), Decimal("0")).quantize(Decimal("0.001"))
    assert Decimal(body["total"]["value"]) == total, (body["total"]["value"], total)


def raw_month(organisation, year: int, month: int) -> float:
    from django.db import connection
    from django_tenants.utils import schema_context

    first = datetime(year, month, 1, tzinfo=organisation.zone)
    last = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=organisation.zone)
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


def measure(port: int, token: str, path: str, rounds: int) -> list[float]:
    for _ in range(5):
        request(port, path, token)
    return [request(port, path, token)[0] for _ in range(rounds)]


def _ingest(years: int, batch: int, keep: bool):
    """The organisation with its readings ingested (or, kept from an earlier --keep run, one month
    sent again): (organisation, label, rows, seconds, bare COPY rates)."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from consumption.ingestion import meter_bounds

    start = date(date.today().year - years, 1, 1)
    organisation = None
    if keep:
        from tenants.models import Organisation

        organisation = Organisation.objects.filter(slug=ORG_SLUG).first()
        if organisation is not None and not kept_data_covers(organisation, start):
            organisation = None  # kept data too short (or none): start afresh
    reuse = organisation is not None
    if not reuse:
        drop_previous_run()
    organisation, start = prepare(years)
    set_costs(organisation, on=False)
    connection.set_schema_to_public()
    end = datetime.now(UTC) - timedelta(hours=1)
    if reuse:
        # Re-send March of the first year: every row is an upsert of a stored one.
        march = date(start.year, 3, 1)
        label = "ingestion (re-sent month, upserts)"
        rows, ingest_seconds, floors = ingest_all(
            organisation, march, datetime(start.year, 4, 1, tzinfo=UTC), batch
        )
    else:
        label = "ingestion"
        rows, ingest_seconds, floors = ingest_all(organisation, start, end, batch)
    if not floors:  # a re-sent month is shorter than one batch: time the floor on a batch of it
        with schema_context(organisation.schema_name):
            meters = {external_id: b.pk for external_id, b in meter_bounds(organisation).items()}
            floors = [bare_copy_rate(meters, next(generate(start, end, batch, organisation.zone)))]
    return organisation, label, rows, ingest_seconds, floors


def _http_views(organisation, year: int, rounds: int):
    """The year and month views over HTTP (a server of their own), then the year with costs:
    (year, month, cost timings, year body, cost body)."""
    from django.db import connection

    year_path = f"/api/portal/consumption/year/?service=heating&year={year}"
    month_path = f"/api/portal/consumption/month/?service=heating&year={year}&month=3"
    port = free_port()
    server = start_server(port)
    try:
        _t, login = request(
            port, "/api/auth/login/", method="POST", body={"email": "bench@benchc.test", "password": PASSWORD}
        )
        token = login["key"]
        year_times = measure(port, token, year_path, rounds)
        month_times = measure(port, token, month_path, rounds)
        _t, year_body = request(port, year_path, token)
        assert "costs" not in year_body
        set_costs(organisation, on=True)
        connection.close()
        cost_times = measure(port, token, year_path, rounds)
        _t, cost_body = request(port, year_path, token)
        assert cost_body["costs"]["available"] is True, cost_body["costs"]
        assert cost_body["similar_customers"]["months"], cost_body["similar_customers"]
    finally:
        server.terminate()
        server.wait(timeout=10)
    return year_times, month_times, cost_times, year_body, cost_body


PARTS = ("ingestion", "views")


def run(
    years: int = 5, rounds: int = 50, batch: int = 300_000, keep: bool = False, parts: tuple[str, ...] = PARTS
) -> list[Result]:
    setup_django()
    from django.db import connection

    organisation, label, rows, ingest_seconds, floors = _ingest(years, batch, keep)
    bare_rate = median(floors)
    print(f"==> floor rates ({len(floors)} batches): {', '.join(f'{rate:,.0f}' for rate in floors)} rows/s")
    connection.close()
    if "views" not in parts:  # ingestion only: the views need the readings, so ingestion always runs
        if not keep:
            drop_previous_run()
        return _results(label, rows / ingest_seconds, rows, bare_rate, batch, None, None)[:1]

    year = date.today().year - 1
    year_times, month_times, cost_times, year_body, cost_body = _http_views(organisation, year, rounds)
    raw = [raw_year(organisation, year) for _ in range(max(5, rounds // 10))]
    raw_year_times = [seconds for seconds, _values in raw]
    check_year_values(year_body, raw[0][1])
    check_year_values(cost_body, raw[0][1])
    raw_month_times = [raw_month(organisation, year, 3) for _ in range(rounds)]
    if not keep:
        drop_previous_run()

    times = {"year": year_times, "month": month_times, "costs": cost_times}
    raw_times = {"year": raw_year_times, "month": raw_month_times}
    return _results(label, rows / ingest_seconds, rows, bare_rate, batch, times, raw_times)


def _results(label: str, rate: float, rows: int, bare_rate: float, batch: int, times: dict, raw_times: dict):
    """The figures: ingestion against a bare COPY, each view's p50 against the raw SQL and its p95."""
    ms = 1000
    ingestion = [
        Result(
            "consumption",
            f"{label} ({rows:,} readings)",
            rate,
            "rows/s",
            baseline=f"bare COPY + commit of {batch:,} parsed rows (same keys), median of batches spread over the run",
            baseline_value=bare_rate,
            ratio=(rate) / bare_rate,
            target=">= 0.8x the floor",
            met=rate >= 0.8 * bare_rate,
            notes="the ratio is the share of PostgreSQL's raw COPY speed kept with validation, upsert and aggregates",
        )
    ]
    if times is None:
        return ingestion
    year_times, month_times, cost_times = times["year"], times["month"], times["costs"]
    raw_year_times, raw_month_times = raw_times["year"], raw_times["month"]
    return [
        *ingestion,
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
            notes="monthly values equal the raw aggregation",
        ),
        Result("consumption", "year view p95 (HTTP)", percentile(year_times, 95) * ms, "ms"),
        Result(
            "consumption",
            "year view with costs p50 (HTTP, costs, estimates, similar customers)",
            median(cost_times) * ms,
            "ms",
            baseline="raw aggregation p50 (SQL only)",
            baseline_value=median(raw_year_times) * ms,
            ratio=median(raw_year_times) / median(cost_times),
        ),
        Result("consumption", "year view with costs p95 (HTTP)", percentile(cost_times, 95) * ms, "ms"),
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
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Keep the benchmark organisation and its readings afterwards, and reuse those of an "
        "earlier --keep run (ingestion is then measured on one re-sent month)",
    )
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help="some of: " + ",".join(PARTS) + " (ingestion always runs: the views read its readings)",
    )
    arguments = parser.parse_args()
    parts = tuple(arguments.parts.split(","))
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    results = run(arguments.years, arguments.rounds, keep=arguments.keep, parts=parts)
    print_table(results)
    # A run of some parts keeps its own file: run_all.py collects the whole run's (consumption.json).
    name = "consumption" if set(parts) == set(PARTS) else "consumption-" + "-".join(parts)
    print(f"\nwritten to {write_results(name, results)}")
