"""The test database on a Citus cluster (``make test CITUS=1``, or a DATABASE_URL at a coordinator).

Citus keeps its metadata per database, so the test database needs what ``scripts/citus.py`` gives
the main one: the database and the extension on every node, the coordinator and the workers
registered. The nodes are read from the main database's ``pg_dist_node``. Citus's maintenance
daemon holds connections to every database, so the test database is dropped ``WITH (FORCE)``.
"""

from __future__ import annotations

import os

import dj_database_url
import psycopg
import pytest

ON_CITUS = os.environ.get("CITUS") == "1"


def skip_on_citus(reason: str):
    """Skip a test that cannot run on a Citus cluster, with the reason (plain PostgreSQL runs it)."""
    return pytest.mark.skipif(ON_CITUS, reason=f"not on Citus: {reason}")


def _nodes(url: str) -> list[tuple[str, int, int]]:
    """(host, port, group) of every primary node, coordinator (group 0) first."""
    config = dj_database_url.parse(url)
    with _admin(config["HOST"], int(config["PORT"] or 5432), config["NAME"]) as connection:
        return connection.execute(
            "SELECT nodename, nodeport, groupid FROM pg_dist_node WHERE noderole = 'primary' ORDER BY groupid"
        ).fetchall()


def _admin(host: str, port: int, dbname: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(host=host, port=port, user="postgres", dbname=dbname, autocommit=True)


def create_test_database(url: str, name: str) -> None:
    nodes = _nodes(url)
    drop_test_database(url, name, nodes)
    for host, port, _group in nodes:
        with _admin(host, port) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        with _admin(host, port, name) as connection:
            connection.execute("CREATE EXTENSION citus")
    coordinator_host, coordinator_port, _ = nodes[0]
    with _admin(coordinator_host, coordinator_port, name) as connection:
        connection.execute("SELECT citus_set_coordinator_host(%s, %s)", [coordinator_host, coordinator_port])
        for host, port, _group in nodes[1:]:
            connection.execute("SELECT citus_add_node(%s, %s)", [host, port])


def drop_test_database(url: str, name: str, nodes: list[tuple[str, int, int]] | None = None) -> None:
    for host, port, _group in nodes or _nodes(url):
        with _admin(host, port) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
