"""Where organisations live on the database's nodes: the operator API, the command and the tasks.

Runs on both backends. On plain PostgreSQL there is one node, ``local``, and a move is refused
(409 ``not_distributed``). On a Citus cluster (tests/support/citus_cluster.py) the coordinator holds no
organisations, the two workers do, and an organisation really moves (``citus_schema_move``, by the
Celery worker for the API and in the process for the command).
"""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from operators import onboarding
from tenants import cluster, placement, provisioning, services, tasks
from tenants.models import Organisation, SchemaMove
from tests.support.citus_cluster import ON_CITUS
from tests.support.common import wait_until
from tests.support.organisations import OPERATOR_EMAIL, login
from tests.support.placement import (
    free_worker_slots,
    other_worker,
    pg_dist_nodes,
    still_has_its_data,
    stop_moves,
)

CLUSTER = "/api/platform/cluster/"
NOORD_PLACEMENT = "/api/platform/organisations/noord/placement/"
OPERATIONS = [("get", CLUSTER), ("get", NOORD_PLACEMENT), ("post", NOORD_PLACEMENT)]
only_on_citus = pytest.mark.skipif(not ON_CITUS, reason="needs a Citus cluster (CITUS=1)")
only_on_postgresql = pytest.mark.skipif(ON_CITUS, reason="plain PostgreSQL only")


def placement_path(slug: str) -> str:
    return f"/api/platform/organisations/{slug}/placement/"


# --- who may call it ------------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_anonymous_gets_401(platform_client, method, path):
    response = getattr(platform_client, method)(path, {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_an_organisations_staff_administrator_gets_403(platform_client, method, path):
    body = login(platform_client, "admin@noord.test")
    platform_client.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    response = getattr(platform_client, method)(path, {"node": "local"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not SchemaMove.objects.exists()


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_a_tenant_token_is_unknown_on_the_platform_domain(noord_client, platform_client, method, path):
    body = login(noord_client, "admin@noord.test")
    platform_client.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    response = getattr(platform_client, method)(path, {"node": "local"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_the_placement_api_is_not_served_on_a_portal_domain(noord_client):
    body = login(noord_client, "admin@noord.test")
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    assert noord_client.get(CLUSTER).status_code == 404
    assert noord_client.get(NOORD_PLACEMENT).status_code == 404


def test_an_unknown_organisation_is_404(operator_client):
    response = operator_client.get(placement_path("nobody"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- reading the placement --------------------------------------------------------------------------
def test_the_cluster_overview_lists_the_nodes(operator_client):
    response = operator_client.get(CLUSTER)
    assert response.status_code == 200, response.content
    body = response.json()
    if not ON_CITUS:
        assert body == {
            "distributed": False,
            "nodes": [
                {
                    "name": "local",
                    "schemas": Organisation.objects.count(),
                    "size_bytes": body["nodes"][0]["size_bytes"],
                    "accepts_organisations": True,
                }
            ],
        }
        assert body["nodes"][0]["size_bytes"] > 0
        return
    coordinator, workers = pg_dist_nodes()
    assert body["distributed"] is True
    nodes = {node["name"]: node for node in body["nodes"]}
    assert sorted(nodes) == sorted([coordinator, *workers])
    assert len(workers) == 2
    assert nodes[coordinator]["accepts_organisations"] is False
    assert all(nodes[worker]["accepts_organisations"] for worker in workers)
    # noord and zuid live on the workers, with their bytes.
    assert sum(nodes[worker]["schemas"] for worker in workers) >= 2
    assert sum(nodes[worker]["size_bytes"] for worker in workers) > 0


def test_an_organisations_placement(operator_client):
    response = operator_client.get(NOORD_PLACEMENT)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["moves"] == []
    assert body["size_bytes"] > 0
    if ON_CITUS:
        _coordinator, workers = pg_dist_nodes()
        assert body["distributed"] is True
        assert body["node"] in workers
        assert body["node"] == cluster.node_of("org_noord")
    else:
        assert (body["distributed"], body["node"]) == (False, "local")


# --- moving: refusals -----------------------------------------------------------------------------
@only_on_postgresql
def test_a_move_is_refused_on_plain_postgresql(operator_client, client_for):
    response = operator_client.post(NOORD_PLACEMENT, {"node": "local"}, format="json")
    assert response.status_code == 409, response.content
    assert response.json() == {
        "code": "not_distributed",
        "detail": "This platform runs on one database server: there is no other node to move to.",
    }
    assert not SchemaMove.objects.exists()
    with pytest.raises(CommandError, match="one database server"):
        call_command("organisation_placement", "--move", "noord", "--to", "local", stdout=StringIO())


@only_on_citus
def test_a_node_that_holds_no_organisations_is_a_field_error(operator_client, client_for):
    coordinator, workers = pg_dist_nodes()
    current = cluster.node_of("org_noord")
    for node in ("10.9.9.9:5432", coordinator, "", "  "):
        response = operator_client.post(NOORD_PLACEMENT, {"node": node}, format="json")
        assert response.status_code == 400, (node, response.content)
        body = response.json()
        assert body["code"] == ("unknown_node" if node.strip() else "invalid"), body
        if node.strip():
            assert body["node"] == [
                f"“{node}” is not a node that holds organisations. Choose one of: {', '.join(workers)}."
            ]
    there = operator_client.post(NOORD_PLACEMENT, {"node": current}, format="json")
    assert there.status_code == 400
    assert there.json() == {
        "code": "already_there",
        "node": [f"The organisation already lives on {current}."],
    }
    assert not SchemaMove.objects.exists()
    # The refusal is in the operator's language.
    dutch = operator_client.post(
        NOORD_PLACEMENT, {"node": current}, format="json", HTTP_ACCEPT_LANGUAGE="nl"
    ).json()
    assert dutch["code"] == "already_there"
    assert dutch["node"] != there.json()["node"]


@only_on_citus
def test_one_move_at_a_time(operator_client, django_capture_on_commit_callbacks):
    target = other_worker(cluster.node_of("org_noord"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = operator_client.post(NOORD_PLACEMENT, {"node": target}, format="json")
    assert response.status_code == 202, response.content
    move = response.json()
    assert move["status"] == "queued"
    assert (move["source_node"], move["target_node"]) == (cluster.node_of("org_noord"), target)
    assert move["requested_by"] == OPERATOR_EMAIL
    assert (move["started_at"], move["finished_at"], move["seconds"]) == (None, None, None)
    assert len(callbacks) == 1  # the task is published once the request has committed
    again = operator_client.post(NOORD_PLACEMENT, {"node": target}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "move_in_progress"
    placed = operator_client.get(NOORD_PLACEMENT).json()
    assert [row["id"] for row in placed["moves"]] == [move["id"]]
    assert placed["node"] != target  # not moved yet


@only_on_citus
def test_a_move_whose_runner_stopped_is_replaced(operator_client, noord):
    target = other_worker(cluster.node_of("org_noord"))
    stopped = SchemaMove.objects.create(
        organisation=noord, source_node="x", target_node=target, status=SchemaMove.Status.MOVING
    )
    response = operator_client.post(NOORD_PLACEMENT, {"node": target}, format="json")
    assert response.status_code == 202, response.content
    stopped.refresh_from_db()
    assert stopped.status == SchemaMove.Status.FAILED
    assert "stopped before it finished" in stopped.error
    assert stopped.finished_at is not None


def test_run_move_refuses_to_run_inside_a_transaction(noord):
    move = SchemaMove.objects.create(organisation=noord, source_node="a", target_node="b")
    with pytest.raises(RuntimeError, match="outside a transaction"):
        placement.run_move(move_id=move.pk)


# --- onboarding places new organisations ------------------------------------------------------------
def test_onboarding_publishes_the_placement_on_citus(db, monkeypatch, django_capture_on_commit_callbacks):
    published = []
    monkeypatch.setattr(
        "tenants.services.publish", lambda task, *args, **_: published.append((task.name, args))
    )
    with django_capture_on_commit_callbacks(execute=True):
        onboarding.onboard_organisation(
            name="Warmte Plaats", slug="plaats", domain="portal.plaats.test", admin_email="a@plaats.test"
        )
    placed = [args[0] for name, args in published if name == "tenants.tasks.place_new_organisation"]
    assert placed == (["org_plaats"] if ON_CITUS else [])


# --- moving for real (committed data: Citus refuses a move inside a transaction) ---------------------
@pytest.fixture
def committed_organisation(django_db_setup, django_db_blocker, monkeypatch):
    """An organisation of its own, committed, with the placement after onboarding left out (the
    test chooses where it goes); dropped afterwards."""
    monkeypatch.setattr(services, "_place_new_organisation", lambda schema_name: None)
    slug = f"place-{uuid.uuid4().hex[:6]}"
    with django_db_blocker.unblock():
        organisation = onboarding.onboard_organisation(
            name="Warmte Verhuis",
            slug=slug,
            domain=f"portal.{slug}.test",
            admin_email=f"admin@{slug}.test",
            default_language="en",
        ).organisation
        connection.set_schema_to_public()
    yield organisation
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        stop_moves(organisation.schema_name)
        provisioning.drop_schema(organisation.schema_name)
        organisation.domains.all().delete()
        organisation.delete()


@pytest.fixture
def committed_operator(django_db_blocker, client_for):
    client = client_for(settings.PLATFORM_DOMAIN)
    with django_db_blocker.unblock():
        client.credentials(HTTP_AUTHORIZATION=f"Token {login(client, OPERATOR_EMAIL)['key']}")
    return client


@only_on_citus
def test_the_operator_moves_an_organisation_with_the_worker(
    committed_organisation, committed_operator, celery_worker, django_db_blocker
):
    organisation, client = committed_organisation, committed_operator
    path = placement_path(organisation.slug)
    with django_db_blocker.unblock():
        before = client.get(path).json()
        assert before["distributed"] is True
        target = other_worker(before["node"])
        response = client.post(path, {"node": target}, format="json")
        assert response.status_code == 202, response.content
        move_id = response.json()["id"]

        def finished():
            body = client.get(path).json()
            return body if body["moves"][0]["status"] in ("done", "failed") else None

        try:
            after = wait_until(finished, timeout=120)
        except AssertionError:
            raise AssertionError(
                "the move did not finish in 120 s; free background worker slots per worker node: "
                f"{free_worker_slots()} (the target needs one for the move's logical replication)"
            ) from None
        [move] = after["moves"]
        assert move["id"] == move_id
        assert move["status"] == "done", move["error"]
        assert (move["source_node"], move["target_node"]) == (before["node"], target)
        assert move["seconds"] > 0
        assert move["started_at"]
        assert move["finished_at"]
        assert after["node"] == target == cluster.node_of(organisation.schema_name)
        assert still_has_its_data(organisation)
        nodes = {node["name"]: node for node in client.get(CLUSTER).json()["nodes"]}
        assert nodes[target]["schemas"] >= 1


@only_on_citus
def test_the_command_lists_and_moves(committed_organisation, django_db_blocker):
    organisation = committed_organisation
    with django_db_blocker.unblock():
        coordinator, workers = pg_dist_nodes()
        source = cluster.node_of(organisation.schema_name)
        target = other_worker(source)
        listing = StringIO()
        call_command("organisation_placement", stdout=listing)
        text = listing.getvalue()
        assert "Nodes (a Citus cluster):" in text
        [coordinator_line] = [line for line in text.splitlines() if coordinator in line]
        assert "(holds no organisations)" in coordinator_line
        assert all(worker in text for worker in workers)
        [line] = [line for line in text.splitlines() if line.strip().startswith(organisation.slug)]
        assert source in line

        output = StringIO()
        call_command("organisation_placement", "--move", organisation.slug, "--to", target, stdout=output)
        assert f"Moved {organisation.slug} to {target} in " in output.getvalue()
        assert cluster.node_of(organisation.schema_name) == target
        move = SchemaMove.objects.get(organisation=organisation)
        assert (move.status, move.requested_by, move.source_node) == ("done", "", source)
        assert move.seconds > 0
        assert still_has_its_data(organisation)

        # A move that fails is recorded with Citus's (or the cluster module's) reason.
        failing = SchemaMove.objects.create(
            organisation=organisation, source_node=target, target_node="10.9.9.9:1"
        )
        placement.run_move(move_id=failing.pk)
        failing.refresh_from_db()
        assert failing.status == "failed"
        assert "is not a node that holds organisations" in failing.error
        assert failing.finished_at is not None
        # Running it again (a second delivery of the task) changes nothing.
        assert placement.run_move(move_id=failing.pk).finished_at == failing.finished_at


@only_on_citus
def test_a_new_organisation_goes_to_the_least_loaded_worker(committed_organisation, django_db_blocker):
    """The task behind onboarding's placement (its body, here, outside any transaction): the schema
    stays where it is unless another worker holds less than its own would without it."""
    schema = committed_organisation.schema_name
    with django_db_blocker.unblock():
        current = cluster.node_of(schema)
        workers = {node.name: node.load for node in cluster.nodes() if node.accepts_schemas}
        size = cluster.schema_sizes()[schema]
        here = (workers[current][0] - size, workers[current][1] - 1)
        best = min((load, name) for name, load in workers.items() if name != current)
        expected = current if here <= best[0] else best[1]
        assert tasks.place_new_organisation(schema) == expected
        assert cluster.node_of(schema) == expected
        assert still_has_its_data(committed_organisation)


def test_the_command_lists_every_organisation(db):
    output = StringIO()
    call_command("organisation_placement", stdout=output)
    text = output.getvalue()
    lines = {line.split()[0]: line for line in text.splitlines() if line.startswith("  ")}
    assert {"noord", "zuid"} <= set(lines)
    if not ON_CITUS:
        assert "Nodes (one PostgreSQL server):" in text
        assert lines["local"].split()[2] == str(Organisation.objects.count())
        assert "local" in lines["noord"]
    with pytest.raises(CommandError, match="go together"):
        call_command("organisation_placement", "--move", "noord", stdout=StringIO())
    with pytest.raises(CommandError, match="No organisation"):
        call_command("organisation_placement", "--move", "nobody", "--to", "x:1", stdout=StringIO())
