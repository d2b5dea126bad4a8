"""Moving one organisation's schema to the other Citus worker while its residents use the portal.

Used by ``citus.py`` (the ``move`` part, on Citus only). The fleet of the HTTP benchmark runs under
gunicorn; a few threads call the resident API of two organisations, the one that moves and another
one, and compare every body with that organisation's own answer read before. Meanwhile
``tenants.cluster.move_schema`` moves the first organisation's schema to the other worker
(``citus_schema_move``, logical replication: writes wait only for the switch-over).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import fleet

PATHS = {"overview": "/api/portal/overview/", "invoices": "/api/portal/invoices/"}


@dataclass
class Tally:
    """What the load threads saw; every request's (start, end) to count those during the move."""

    requests: int = 0
    errors: int = 0  # exception, or a status other than 200
    wrong: int = 0  # a 200 whose body is not the organisation's own answer
    foreign: int = 0  # ... and shows another organisation's invoice numbers
    spans: list[tuple[float, float]] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)  # the first few failures, for the log
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, started: float, ended: float, failure: str | None, *, wrong=False, foreign=False):
        with self.lock:
            self.requests += 1
            self.spans.append((started, ended))
            if failure is not None:
                self.errors += not wrong
                self.wrong += wrong
                self.foreign += foreign
                if len(self.samples) < 5:
                    self.samples.append(failure)


def _load_loop(server, member, bodies, tally: Tally, stop: threading.Event) -> None:
    names = list(PATHS)
    turn = 0
    while not stop.is_set():
        name = names[turn % len(names)]
        turn += 1
        started = time.monotonic()
        try:
            status, body = server.get(member.host, PATHS[name], member.token)
        except OSError as error:
            tally.record(started, time.monotonic(), f"{member.slug} {name}: {error}")
            continue
        ended = time.monotonic()
        if status != 200:
            tally.record(started, ended, f"{member.slug} {name}: status {status} {body[:200]!r}")
        elif body != bodies[(member.index, name)]:
            marks = {match.decode() for match in fleet.INVOICE_MARK.findall(body)}
            foreign = bool(marks - {member.prefix})
            tally.record(started, ended, f"{member.slug} {name}: body differs", wrong=True, foreign=foreign)
        else:
            tally.record(started, ended, None)


def _move_under_load(
    server, members, tally: Tally, *, schema: str, source: str, target: str, threads: int, settle: float
):
    """Move ``schema`` to ``target`` while ``threads`` clients ask both organisations' pages;
    (start, end) of the move on the monotonic clock."""
    from tenants import cluster

    server.start()
    stop = threading.Event()
    try:
        bodies = fleet.expected_bodies(server, list(members), PATHS)
        workers = [
            threading.Thread(
                target=_load_loop,
                args=(server, members[n % 2], bodies, tally, stop),
                daemon=True,
            )
            for n in range(threads)
        ]
        for worker in workers:
            worker.start()
        time.sleep(settle)
        print(f"==> moving {schema} from {source} to {target} under load", flush=True)
        move_started = time.monotonic()
        cluster.move_schema(schema, target)
        move_ended = time.monotonic()
        time.sleep(settle)
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
    finally:
        stop.set()
        server.stop()
    return move_started, move_ended


def measure(organisations: int, port: int, threads: int = 4, settle: float = 3.0) -> dict:
    """Move the first fleet organisation to the other worker under load; returns the figures."""
    members = fleet.load_or_build(organisations)
    from tenants import cluster
    from tenants.models import Organisation

    moving, other = members[0], members[1]
    schema = Organisation.objects.get(slug=moving.slug).schema_name
    source = cluster.node_of(schema)
    targets = [node.name for node in cluster.nodes() if node.accepts_schemas and node.name != source]
    if source is None or not targets:
        raise RuntimeError(f"{schema} is not on a worker ({source}), or there is no other worker")
    target = targets[0]
    other_node = cluster.node_of(Organisation.objects.get(slug=other.slug).schema_name)
    tally = Tally()
    move_started, move_ended = _move_under_load(
        fleet.Server(port),
        (moving, other),
        tally,
        schema=schema,
        source=source,
        target=target,
        threads=threads,
        settle=settle,
    )
    now_on = cluster.node_of(schema)
    during = [(s, e) for s, e in tally.spans if e >= move_started and s <= move_ended]
    outside = [(s, e) for s, e in tally.spans if e < move_started or s > move_ended]
    return {
        "schema": schema,
        "source": source,
        "target": target,
        "now_on": now_on,
        "other_organisation_node": other_node,
        "seconds": move_ended - move_started,
        "requests": tally.requests,
        "requests_during_move": len(during),
        "longest_during_move_ms": max((e - s for s, e in during), default=0.0) * 1000,
        "longest_outside_move_ms": max((e - s for s, e in outside), default=0.0) * 1000,
        "errors": tally.errors,
        "wrong": tally.wrong,
        "foreign": tally.foreign,
        "samples": tally.samples,
        "threads": threads,
        "settle_seconds": settle,
    }
