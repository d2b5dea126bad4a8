"""Per-request organisation resolution from the Host header."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants import services
from tenants.models import Domain, Organisation
from tenants.routing import routing_table
from tests.support.common import data_queries
from tests.support.live import child_environment

ROOT = Path(__file__).resolve().parent.parent


def test_each_host_gets_its_own_organisation(noord_client, zuid_client):
    noord = noord_client.get("/api/portal/site/")
    zuid = zuid_client.get("/api/portal/site/")
    assert noord.status_code == zuid.status_code == 200
    assert (noord.json()["slug"], noord.json()["name"]) == ("noord", "Warmtenet Noord")
    assert (zuid.json()["slug"], zuid.json()["name"]) == ("zuid", "Stadswarmte Zuid")
    assert noord.json()["default_language"] == "nl"
    assert zuid.json()["default_language"] == "fr"


def test_host_matching_ignores_case_port_and_trailing_dot(client_for, db):
    for host in ("PORTAL.NOORD.TEST", "portal.noord.test:8000", "portal.noord.test."):
        response = client_for(host).get("/api/portal/site/")
        assert response.status_code == 200, host
        assert response.json()["slug"] == "noord"


def test_the_request_uses_the_organisations_schema(noord_client, db):
    with CaptureQueriesContext(connection):
        noord_client.get("/api/portal/site/")
        assert connection.schema_name == "org_noord"


def test_warm_cache_spends_no_database_query_on_resolution(noord_client, db):
    noord_client.get("/api/portal/site/")  # warms this process's map
    with CaptureQueriesContext(connection) as queries:
        organisation = routing_table.resolve("portal.noord.test")
    assert organisation.slug == "noord"
    assert data_queries(queries) == []
    with CaptureQueriesContext(connection) as queries:
        response = noord_client.get("/api/portal/site/")
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if "tenants_" in q["sql"]], queries.captured_queries


def test_cold_cache_costs_one_query(db):
    with CaptureQueriesContext(connection) as queries:
        assert routing_table.resolve("portal.zuid.test").slug == "zuid"
    assert len(data_queries(queries)) == 1


def test_unknown_host_gets_a_json_404(client_for, db):
    response = client_for("nobody.example.org").get("/api/portal/site/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "unknown_host", "detail": "No portal is configured for this address."}


def test_unknown_host_never_shows_a_debug_page(client_for, db, settings):
    settings.DEBUG = True
    response = client_for("nobody.example.org").get("/does/not/exist")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_host"


def test_unknown_path_on_a_portal_is_a_json_404(noord_client, settings):
    settings.DEBUG = False
    response = noord_client.get("/api/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_malformed_host_gets_a_json_400(client_for, db):
    response = client_for("bad host!").get("/api/portal/site/")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_host"


def test_suspended_organisation_gets_a_clear_json_error(
    noord_client, noord, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_organisation(organisation=noord, reason="Contract ended")
    response = noord_client.get("/api/portal/site/")
    assert response.status_code == 403
    assert response.json() == {
        "code": "organisation_suspended",
        "detail": "This organisation's portal has been suspended.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.reactivate_organisation(organisation=Organisation.objects.get(slug="noord"), reason="Paid")
    assert noord_client.get("/api/portal/site/").status_code == 200


def test_inactive_portal_blocks_residents_but_not_staff_administration(
    noord_client, noord, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_organisation(organisation=noord, portal_status="inactive")
    response = noord_client.get("/api/portal/site/")
    assert response.status_code == 503
    assert response.json()["code"] == "portal_inactive"
    login = noord_client.post(
        "/api/auth/login/",
        {"email": "admin@noord.test", "password": "correct-horse-battery-9"},
        format="json",
    )
    assert login.status_code == 200
    assert login.json()["roles"] == ["staff:admin"]


def test_domain_changes_apply_at_once_in_this_process(client_for, noord, django_capture_on_commit_callbacks):
    client = client_for("extra.noord.test")
    assert client.get("/api/portal/site/").status_code == 404  # now cached as unknown
    with django_capture_on_commit_callbacks(execute=True):
        services.add_domain(organisation=noord, domain="extra.noord.test")
    assert client.get("/api/portal/site/").json()["slug"] == "noord"
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_domain(organisation=noord, domain="extra.noord.test")
    assert client.get("/api/portal/site/").status_code == 404


SECOND_PROCESS = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from tenants.routing import routing_table

    def look(host):
        with CaptureQueriesContext(connection) as queries:
            organisation = routing_table.resolve(host)
        count = len([q for q in queries.captured_queries if not q["sql"].startswith("SET search_path")])
        return (organisation.slug if organisation else None), count

    warm = [look("late.noord.test"), look("late.noord.test")]
    print(json.dumps({"warm": warm}), flush=True)
    sys.stdin.readline()          # the test adds the domain and commits
    print(json.dumps({"after": look("late.noord.test")}), flush=True)
    """
)


def test_a_domain_change_is_seen_at_once_by_another_process(django_db_blocker):
    """A second process with a warm map sees a new domain on its very next lookup."""
    child = subprocess.Popen(
        [sys.executable, "-c", SECOND_PROCESS],
        cwd=ROOT,
        env=child_environment(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        warm = json.loads(child.stdout.readline())["warm"]
        assert warm[0] == [None, 1]  # unknown, one query
        assert warm[1] == [None, 0]  # unknown, from memory
        with django_db_blocker.unblock():
            organisation = Organisation.objects.get(slug="noord")
            services.add_domain(organisation=organisation, domain="late.noord.test")  # commits, bumps
        child.stdin.write("go\n")
        child.stdin.flush()
        after = json.loads(child.stdout.readline())["after"]
        assert after[0] == "noord"
    finally:
        child.kill()
        with django_db_blocker.unblock():
            Domain.objects.filter(domain="late.noord.test").delete()
            connection.set_schema_to_public()


def test_without_redis_resolution_falls_back_to_the_database(noord_client, settings, db):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    caches._settings = None
    try:
        for _attempt in range(2):
            with CaptureQueriesContext(connection) as queries:
                response = noord_client.get("/api/portal/site/")
            assert response.status_code == 200
            assert [q for q in queries.captured_queries if "tenants_" in q["sql"]]
    finally:
        caches._settings = None


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_endpoints_answer_on_any_host_without_lookup(client_for, path, db):
    with CaptureQueriesContext(connection) as queries:
        response = client_for("no-such-host.example").get(path)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert not [q for q in queries.captured_queries if "tenants_" in q["sql"]]
