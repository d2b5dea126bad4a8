"""The platform on a Citus cluster (schema-based sharding): layout, onboarding, migrations, moves.

Runs with ``make test CITUS=1`` (or a DATABASE_URL at a coordinator); on plain PostgreSQL there
is no cluster to check, so every test here is skipped there. All data is committed (servers and
commands in other processes read it); each test removes what it made.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from tenants import cluster, provisioning, snapshot
from tenants.models import Organisation, SpareSchema
from tests.support.citus_cluster import ON_CITUS
from tests.support.live import ROOT, PortalServer, child_environment

pytestmark = [
    pytest.mark.skipif(
        not ON_CITUS, reason="needs a Citus cluster (make test CITUS=1); plain PostgreSQL has no nodes"
    ),
    pytest.mark.slow,
]

PASSWORD = "Harbour-lantern-7319"
PGBOUNCER_PORT = 9760


def rows(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Autocommit on the test database; organisations in ``made`` and all spares are removed after."""
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_")
        connection.set_schema_to_public()
        made: list[Organisation] = []
        yield made
        connection.set_schema_to_public()
        for organisation in made:
            provisioning.drop_schema(organisation.schema_name)
            organisation.domains.all().delete()
            organisation.delete()
        for spare in SpareSchema.objects.all():
            provisioning.drop_schema(spare.name)
            spare.delete()


def onboard(made: list, prefix: str) -> tuple[Organisation, str]:
    from operators.onboarding import onboard_organisation

    slug = f"{prefix}{uuid.uuid4().hex[:8]}"
    result = onboard_organisation(
        name=f"Warmte {slug}", slug=slug, domain=f"portal.{slug}.test", admin_email=f"a@{slug}.test"
    )
    connection.set_schema_to_public()
    made.append(result.organisation)
    return result.organisation, result.schema_method


def assert_cluster_layout() -> None:
    """What docs/scaling.md promises: reference table, regular template, one node per organisation."""
    assert rows(
        "SELECT repmodel FROM pg_dist_partition WHERE logicalrelid = 'public.accounts_user'::regclass"
    ) == [("t",)]
    assert not cluster.is_distributed(provisioning.template_schema_name())
    assert (
        rows(
            "SELECT o.schema_name FROM public.tenants_organisation o "
            "WHERE NOT EXISTS (SELECT 1 FROM citus_schemas c WHERE c.schema_name::text = o.schema_name)"
        )
        == []
    )
    assert (
        rows(
            "SELECT split_part(table_name::text, '.', 1) FROM citus_shards "
            "WHERE split_part(table_name::text, '.', 1) IN (SELECT schema_name::text FROM citus_schemas) "
            "GROUP BY 1 HAVING count(DISTINCT (nodename, nodeport)) <> 1"
        )
        == []
    )


def test_the_cluster_holds_each_organisation_whole_on_one_worker(db):
    assert_cluster_layout()
    workers = [node for node in cluster.nodes() if node.accepts_schemas]
    assert len(workers) == 2
    for slug in ("noord", "zuid"):
        assert cluster.node_of(f"org_{slug}") in {node.name for node in workers}
    # The coordinator holds no organisation: it only routes.
    coordinator = [node for node in cluster.nodes() if not node.accepts_schemas]
    assert [node.schemas for node in coordinator] == [0]


def test_onboarding_from_a_spare_and_from_the_snapshot(committed, settings):
    settings.TENANT_SPARE_SCHEMAS = 1
    assert provisioning.replenish_spare_schemas() == 1
    [spare] = SpareSchema.objects.values_list("name", flat=True)
    spare_node = cluster.node_of(spare)
    # Placed on the least loaded worker, counting every other schema.
    loads = {node.name: node.load for node in cluster.nodes() if node.accepts_schemas}
    size = cluster.schema_sizes()[spare]
    loads[spare_node] = (loads[spare_node][0] - size, loads[spare_node][1] - 1)
    assert loads[spare_node] == min(loads.values())

    first, method = onboard(committed, "cs")
    assert method == provisioning.SPARE
    assert cluster.node_of(first.schema_name) == spare_node  # a rename keeps the placement

    second, method = onboard(committed, "cc")  # no spare left: the template's DDL snapshot
    assert method == provisioning.CLONE
    assert cluster.is_distributed(second.schema_name)
    assert snapshot.schema_signature(second.schema_name) == snapshot.schema_signature(
        provisioning.template_schema_name()
    )
    for organisation in (first, second):
        with schema_context(organisation.schema_name):
            from memberships.models import StaffMembership

            assert StaffMembership.objects.get().email.startswith("a@")
    assert_cluster_layout()


def test_migrate_platform_on_the_cluster_with_new_organisations(committed):
    onboard(committed, "cm")
    environment = child_environment(TENANT_SPARE_SCHEMAS="1")
    run = subprocess.run(
        [sys.executable, "manage.py", "migrate_platform", "--verbosity", "1"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    later, _ = onboard(committed, "cn")
    assert provisioning.schema_is_current(later.schema_name)
    assert provisioning.template_is_current()
    assert_cluster_layout()
    assert all(cluster.is_distributed(name) for name in SpareSchema.objects.values_list("name", flat=True))


# --- moving an organisation while residents use it ---------------------------------------------
def resident_with_data(organisation: Organisation) -> dict:
    """A confirmed resident with invoices and a month of quarter-hour readings; returns its token."""
    from credentials.services import issue_access_token
    from customers.models import Customer
    from memberships.models import PortalAccount
    from memberships.services.registration import confirm_registration, register_resident
    from tests.support.billing_data import billing_customer
    from tests.support.consumption_data import add_meters, day_rows, ingest_rows
    from tests.support.factories import last_link

    schema = organisation.schema_name
    data = billing_customer(schema, invoices=6, email=f"resident@{organisation.slug}.test")
    meters = add_meters(data, schema)
    first_day = date.today() - timedelta(days=30)
    ingest_rows(
        [row for d in range(30) for row in day_rows(meters["heat1"], first_day + timedelta(days=d))], schema
    )
    with schema_context(schema):
        register_resident(
            organisation=organisation, customer_number=data["number"], email=data["email"], password=PASSWORD
        )
        confirm_registration(
            raw_token=last_link(schema, data["email"], "registration_confirmation", "/confirm/")
        )
        account = PortalAccount.objects.get(customer=Customer.objects.get(customer_number=data["number"]))
        token = issue_access_token(user=account.user).raw
    connection.set_schema_to_public()
    return {"host": organisation.domains.get().domain, "token": token, "number": data["number"]}


# What the load itself writes: a token's last use. Only its rows' ids are compared.
WRITTEN_BY_THE_LOAD = {"credentials_accesstoken": "t.id"}


def schema_checksum(schema: str) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every table's rows, in a stable order."""
    tables = [
        name
        for (name,) in rows(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY 1",
            [schema],
        )
    ]
    found = {}
    for table in tables:
        value = WRITTEN_BY_THE_LOAD.get(table, "t")
        [(count, digest)] = rows(
            f"SELECT count(*), md5(coalesce(string_agg(({value})::text, '|' ORDER BY ({value})::text), '')) "
            f'FROM "{schema}"."{table}" t'
        )
        found[table] = (count, digest)
    return found


class LoadLoop:
    """Threads calling the residents' API of several organisations until stopped; counts every answer."""

    PATHS = ("/api/portal/overview/", "/api/portal/invoices/", "/api/portal/contracts/")

    def __init__(self, server: PortalServer, residents: list[dict], threads: int = 4):
        self.server, self.residents, self.threads = server, residents, threads
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.requests = self.errors = self.foreign = 0
        self.problems: list[str] = []

    def _worker(self, offset: int) -> None:
        import json
        import urllib.error
        import urllib.request

        turn = offset
        while not self.stop.is_set():
            resident = self.residents[turn % len(self.residents)]
            path = self.PATHS[turn % len(self.PATHS)]
            turn += 1
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.server.port}{path}",
                headers={"Host": resident["host"], "Authorization": f"Token {resident['token']}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - 127.0.0.1
                    status, body = response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                status, body = error.code, error.read().decode(errors="replace")
            except OSError as error:
                status, body = 0, str(error)
            others = [r["number"] for r in self.residents if r is not resident]
            with self.lock:
                self.requests += 1
                if status != 200:
                    self.errors += 1
                    self.problems.append(f"{status} {resident['host']}{path}: {body[:200]}")
                elif any(number in body for number in others) or not json.loads(body):
                    self.foreign += 1
                    self.problems.append(f"foreign data in {resident['host']}{path}")

    def __enter__(self) -> LoadLoop:
        self.workers = [
            threading.Thread(target=self._worker, args=(i,), daemon=True) for i in range(self.threads)
        ]
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for worker in self.workers:
            worker.join(timeout=60)


def pgbouncer_url() -> str:
    database = settings.DATABASES["default"]
    return f"postgres://{database['USER']}@127.0.0.1:{PGBOUNCER_PORT}/{database['NAME']}"


@pytest.mark.parametrize("pooler", ["direct", "pgbouncer"])
def test_moving_an_organisation_under_load_loses_nothing_and_shows_no_foreign_data(
    committed, pooler, settings
):
    """``citus_schema_move`` (logical replication) while residents of two organisations call the API.

    Through PgBouncer in session mode (docs/scaling.md §3) with ``DB_CONN_MAX_AGE=0``: every request
    borrows a server connection whose search_path another organisation's request set before.
    """
    # From spares, placed when they were made: no placement task moves them meanwhile.
    settings.TENANT_SPARE_SCHEMAS = 2
    provisioning.replenish_spare_schemas()
    mover, method = onboard(committed, "mv")
    neighbour, _ = onboard(committed, "nb")
    assert method == provisioning.SPARE
    residents = [resident_with_data(mover), resident_with_data(neighbour)]
    source = cluster.node_of(mover.schema_name)
    [target] = [node.name for node in cluster.nodes() if node.accepts_schemas and node.name != source]
    before = schema_checksum(mover.schema_name)
    assert before["consumption_intervalreading"][0] == 30 * 96

    environment = {"DATABASE_URL": pgbouncer_url(), "DB_CONN_MAX_AGE": "0"} if pooler == "pgbouncer" else {}
    server = PortalServer(**environment)
    server.start()
    try:
        with LoadLoop(server, residents) as load:
            time.sleep(1.5)  # the load runs before, during and after the move
            started = time.monotonic()
            cluster.move_schema(mover.schema_name, target)
            moved_in = time.monotonic() - started
            time.sleep(1.5)
    finally:
        server.stop()
    assert cluster.node_of(mover.schema_name) == target
    assert (load.errors, load.foreign, load.problems[:5]) == (0, 0, [])
    assert load.requests > 20, f"only {load.requests} requests in {moved_in:.1f} s"
    assert schema_checksum(mover.schema_name) == before
    assert_cluster_layout()


def test_ingestion_and_aggregates_on_the_organisations_node(db):
    from consumption.models import DailyConsumption, MonthlyConsumption
    from tests.support.billing_data import billing_customer
    from tests.support.consumption_data import add_meters, day_rows, ingest_rows

    data = billing_customer("org_noord", invoices=2)
    meters = add_meters(data, "org_noord")
    day = date(2026, 3, 29)  # daylight saving starts in Brussels: 92 quarter hours
    ingest_rows(day_rows(meters["heat1"], day, value="0.25"), "org_noord")
    with schema_context("org_noord"):
        daily = DailyConsumption.objects.get(meter__external_id=meters["heat1"], day=day)
        assert (daily.actual_intervals, daily.expected_intervals, daily.value) == (92, 92, Decimal("23.000"))
        monthly = MonthlyConsumption.objects.get(meter__external_id=meters["heat1"], month=date(2026, 3, 1))
        assert monthly.value == Decimal("23.000")
