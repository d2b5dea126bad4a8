"""The demo that README's first command sets up, checked over HTTP as a newcomer would use it.

`make run` migrates every schema and runs `seed_demo`; this module does the same in a database of
its own, runs `seed_demo` a second time (it must change nothing), serves it with gunicorn and
walks through what README promises: two branded portals, the operator API, demo residents who
can log in (and one who has not confirmed), invoices with a refund notice and PDFs, the advance
range, consumption with a gap, and credentials that are worthless on the other organisation.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import date, timedelta

import psycopg
import pytest
from django.conf import settings

from tests.support.live import ROOT, PortalServer, child_environment

pytestmark = pytest.mark.slow

PASSWORD = "portal-demo-2026"
NOORD, ZUID, PLATFORM = "noord.localhost", "zuid.localhost", "platform.localhost"


def _admin_conninfo() -> dict:
    database = settings.DATABASES["default"]
    return {
        "dbname": "postgres",
        "user": database["USER"],
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
    }


@pytest.fixture(scope="module")
def demo(django_db_setup):
    """A seeded demo database (seeded twice) and a server on it."""
    name = f"test_demo_{os.getpid()}"
    admin = _admin_conninfo()
    with psycopg.connect(**admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    from urllib.parse import quote

    environment = {
        "DATABASE_URL": f"postgres://{admin['user']}@{quote(str(admin['host']), safe='')}:{admin['port']}/{name}",
        # Its own cache keys and queue: the demo's schemas have the same names as the test session's.
        "CACHE_KEY_PREFIX": f"demo{os.getpid()}",
        "CELERY_TASK_DEFAULT_QUEUE": f"demo{os.getpid()}",
        "TENANT_SPARE_SCHEMAS": "0",
    }

    def manage(*arguments: str) -> str:
        completed = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=child_environment(**environment),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
        return completed.stdout

    server = PortalServer(**environment)
    try:
        manage("migrate_platform", "--verbosity", "0")
        first = manage("seed_demo")
        second = manage("seed_demo")
        server.start()
        yield {"server": server, "first": first, "second": second}
    finally:
        server.stop()
        with psycopg.connect(**admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def call(demo, host: str, path: str, *, token: str | None = None, body: dict | None = None, method=None):
    headers = {"Host": host, "Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{demo['server'].port}{path}", data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def login(demo, host: str, email: str) -> str:
    status, _headers, body = call(demo, host, "/api/auth/login/", body={"email": email, "password": PASSWORD})
    assert status == 200, body
    return json.loads(body)["key"]


def test_seeding_twice_changes_nothing_and_prints_the_logins(demo):
    for line in ("http://noord.localhost:8000/", "http://zuid.localhost:8000/", "anna@noord.localhost"):
        assert line in demo["first"]
    assert "0 error(s)" in demo["first"]
    # The second run finds everything in place: no new imports, tokens or requests.
    assert "imported" not in demo["second"] or "'created': " not in demo["second"].split("imported", 1)[1]
    assert "(shown once)" not in demo["second"]
    # Today's notifications went to the mail sink once; seeding again sends none of them twice.
    assert re.search(r"notifications queued: [1-9]", demo["first"]), demo["first"]
    assert "notifications queued: 0" in demo["second"]
    assert not re.search(r"notifications queued: [1-9]", demo["second"])


def test_each_host_serves_its_own_api_document_and_an_unknown_host_gets_json(demo):
    status, _headers, body = call(demo, NOORD, "/api/schema/?format=json")
    assert status == 200
    tenant_paths = json.loads(body)["paths"]
    assert "/api/portal/overview/" in tenant_paths
    assert not [path for path in tenant_paths if path.startswith("/api/platform/")]
    status, _headers, body = call(demo, PLATFORM, "/api/schema/?format=json")
    platform_paths = json.loads(body)["paths"]
    assert "/api/platform/organisations/" in platform_paths
    assert "/api/portal/overview/" not in platform_paths
    status, headers, body = call(demo, "unknown.example", "/api/portal/site/")
    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["code"] == "unknown_host"


def test_the_two_portals_are_branded_apart(demo):
    noord = json.loads(call(demo, NOORD, "/api/portal/site/?page=overview")[2])
    zuid = json.loads(call(demo, ZUID, "/api/portal/site/?page=overview")[2])
    assert noord["branding"]["primary_colour"] != zuid["branding"]["primary_colour"]
    assert noord["branding"]["logo_url"]
    assert zuid["branding"]["logo_url"]
    assert noord["messages"], "noord's demo shows a message on the overview"
    status, _headers, page = call(demo, NOORD, "/")
    assert status == 200
    assert b"Warmtenet Noord" in page
    assert b"Stadswarmte Zuid" not in page


def test_a_demo_resident_sees_invoices_a_refund_and_a_pdf(demo):
    token = login(demo, NOORD, "anna@noord.localhost")
    overview = json.loads(call(demo, NOORD, "/api/portal/overview/", token=token)[2])
    assert overview["outstanding_invoices"], overview
    assert float(overview["refund_total"]) > 0
    assert overview["refund_invoices"][0]["refund_notice"]
    assert overview["currency"] == "EUR"
    invoices = json.loads(call(demo, NOORD, "/api/portal/invoices/", token=token)[2])
    assert invoices["count"] >= 24
    first = invoices["results"][0]
    status, headers, pdf = call(demo, NOORD, f"/api/portal/invoices/{first['id']}/pdf/", token=token)
    assert status == 200, demo["server"].output()
    assert headers["Content-Type"] == "application/pdf"
    assert pdf.startswith(b"%PDF-")


def test_a_demo_resident_can_pay_an_open_invoice(demo):
    token = login(demo, NOORD, "anna@noord.localhost")
    overview = json.loads(call(demo, NOORD, "/api/portal/overview/", token=token)[2])
    payable = [
        i for i in overview["outstanding_invoices"] if i["payment_status"] in ("open", "partially_paid")
    ]
    assert payable, overview
    invoice = json.loads(call(demo, NOORD, f"/api/portal/invoices/{payable[0]['id']}/", token=token)[2])
    payment = invoice["payment"]
    assert payment["iban"] == "BE71096123456769"
    assert payment["reference"].startswith("+++")
    assert payment["pay_url"].startswith("https://pay.example.test/checkout?invoice=")
    status, headers, _svg = call(demo, NOORD, payment["qr_url"], token=token)
    assert status == 200
    assert headers["Content-Type"] == "image/svg+xml"


def test_the_advance_range_is_enforced(demo):
    token = login(demo, NOORD, "anna@noord.localhost")
    contracts = json.loads(call(demo, NOORD, "/api/portal/contracts/", token=token)[2])
    ranges = [
        json.loads(call(demo, NOORD, f"/api/portal/contracts/{row['id']}/advance/", token=token)[2])
        for row in contracts
    ]
    advance = next(row for row in ranges if row["allowed"])
    path = f"/api/portal/contracts/{advance['contract_id']}/advance/"
    low, high = advance["minimum"], advance["maximum"]
    status, _headers, body = call(demo, NOORD, path, token=token, body={"amount": high}, method="PUT")
    assert status == 200, body
    too_much = f"{float(high) + 100:.2f}"
    status, _headers, body = call(demo, NOORD, path, token=token, body={"amount": too_much}, method="PUT")
    assert status == 400
    assert json.loads(body)["code"] == "out_of_range"
    assert float(low) <= float(high)


def test_consumption_shows_the_gap_as_missing_data(demo):
    token = login(demo, NOORD, "anna@noord.localhost")
    gap_day = date.today() - timedelta(days=35)
    status, _headers, body = call(
        demo,
        NOORD,
        f"/api/portal/consumption/month/?service=heating&year={gap_day.year}&month={gap_day.month}",
        token=token,
    )
    assert status == 200, body
    points = json.loads(body)["points"]
    missing = [point for point in points if point["value"] is None]
    assert missing
    assert all(point["no_data"] for point in missing)
    assert [point for point in points if point["value"] is not None], "days around the gap have data"


def test_credentials_of_one_demo_organisation_are_worthless_on_the_other(demo):
    token = login(demo, NOORD, "anna@noord.localhost")
    status, _headers, body = call(demo, ZUID, "/api/portal/overview/", token=token)
    assert status == 401
    assert json.loads(body)["code"] == "token_invalid"
    status, _headers, body = call(
        demo, NOORD, "/api/auth/login/", body={"email": "bram@noord.localhost", "password": PASSWORD}
    )
    assert status == 403
    assert json.loads(body)["code"] == "email_not_confirmed"
