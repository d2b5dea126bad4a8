"""Requests per second and latency of the resident's main pages under gunicorn, against a trivial endpoint.

Run: .venv/bin/python benchmarks/http_load.py [--organisations 100] [--seconds 20] [--connections 16]

The platform runs under gunicorn with its production settings (DEBUG off, 2 workers with 4 threads
each: the container's defaults) on this machine's cores; wrk drives it from the same machine over
loopback, each request for a random organisation of the fleet (fleet.py) with that organisation's
resident token. Per endpoint: requests per second and p50/p95/p99 latency, next to `/healthz`
(answered before any tenant lookup) measured in the same run; every response is compared with the
organisation's own answer, so a figure never counts a wrong or foreign body as a success.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

import fleet
from harness import Result, print_table, write_results

TRIVIAL = "healthz"
# Issue 20's starting point: requests/s as a share of /healthz's in the published run of commit
# 7e20752 (docs/performance.md): 83.8, 105.8 and 108.8 req/s against 1,406. Target: 3x that share,
# and p99 under 150 ms at 16 connections.
BEFORE_SHARE = {"overview": 83.8 / 1406, "invoice list": 105.8 / 1406, "consumption year": 108.8 / 1406}
SHARE_GAIN_TARGET = 3.0
P99_TARGET_MS = 150.0


def endpoints() -> dict[str, str]:
    return {
        "overview": "/api/portal/overview/",
        "invoice list": "/api/portal/invoices/",
        "consumption year": fleet.year_path(date.today().year),
    }


def measure(server, members, name, path, bodies, *, seconds, connections, folder) -> dict:
    targets = fleet.write_targets(
        Path(folder) / name.replace(" ", "_"), members, {name: path}, {name: 1}, bodies
    )
    fleet.run_wrk(server.port, targets, seconds=min(3, seconds), connections=connections)  # warm-up
    return fleet.run_wrk(server.port, targets, seconds=seconds, connections=connections)


def worker_models(text: str) -> list[tuple[str, int, int]]:
    """ "sync:4x1,gthread:4x2" -> [("sync", 4, 1), ("gthread", 4, 2)]."""
    models = []
    for item in filter(None, text.split(",")):
        kind, shape = item.split(":")
        workers, threads = shape.split("x")
        models.append((kind, int(workers), int(threads)))
    return models


def compare_worker_models(members, models, *, seconds, connections, port) -> list[Result]:
    """The overview's requests/s and p99 under other gunicorn worker models, each against its own
    /healthz, to choose config/gunicorn.py's by measurement."""
    path = endpoints()["overview"]
    results = []
    for kind, workers, threads in models:
        server = fleet.Server(port, workers=workers, threads=threads, worker_class=kind)
        server.start()
        try:
            bodies = fleet.expected_bodies(server, members, {"overview": path})
            with tempfile.TemporaryDirectory(prefix="bench-http-") as folder:
                options = {"seconds": seconds, "connections": connections, "folder": folder}
                print(f"==> worker model {kind} {workers}x{threads}: {seconds} s each", flush=True)
                base = measure(server, members, TRIVIAL, "/healthz", None, **options)
                overview = measure(server, members, "overview", path, bodies, **options)
        finally:
            server.stop()
        results.append(
            Result(
                benchmark="http",
                measure=f"worker model {kind} {workers}x{threads}: GET overview requests/s (p99 {overview['p99_ms']:.0f} ms)",
                value=round(overview["rps"], 1),
                unit="req/s",
                baseline="/healthz, same model",
                baseline_value=round(base["rps"], 1),
                ratio=overview["rps"] / base["rps"] if base["rps"] else None,
                target="0 errors, 0 wrong bodies",
                met=_failures(overview) == 0,
                notes=f"{connections} connections; {overview['requests']} requests",
                extra={"overview": overview, "healthz": base},
            )
        )
    return results


def run(
    organisations: int, seconds: int, connections: int, port: int, models: list[tuple[str, int, int]]
) -> list[Result]:
    members = fleet.load_or_build(organisations)
    server = fleet.Server(port)
    server.start()
    try:
        paths = endpoints()
        print("==> reading every organisation's answers", flush=True)
        bodies = fleet.expected_bodies(server, members, paths)
        with tempfile.TemporaryDirectory(prefix="bench-http-") as folder:
            options = {"seconds": seconds, "connections": connections, "folder": folder}
            measured = {TRIVIAL: measure(server, members, TRIVIAL, "/healthz", None, **options)}
            for name, path in paths.items():
                print(f"==> {name}: {seconds} s", flush=True)
                measured[name] = measure(server, members, name, path, bodies, **options)
    finally:
        server.stop()
    setting = f"{organisations} organisations, {connections} connections, gunicorn 2x4 threads"
    results: list[Result] = []
    for name, figures in measured.items():
        results += _endpoint_results(name, figures, measured[TRIVIAL], setting)
    return results + compare_worker_models(
        members, models, seconds=seconds, connections=connections, port=port
    )


def _endpoint_results(name: str, figures: dict, base: dict, setting: str) -> list[Result]:
    """An endpoint's requests per second and latencies, against the trivial /healthz."""
    failures = _failures(figures)
    label = f"GET {name}" if name != TRIVIAL else "GET /healthz (trivial)"
    results = [
        Result(
            benchmark="http",
            measure=f"{label}: requests/s",
            value=round(figures["rps"], 1),
            unit="req/s",
            baseline="/healthz" if name != TRIVIAL else "",
            baseline_value=round(base["rps"], 1) if name != TRIVIAL else None,
            ratio=figures["rps"] / base["rps"] if name != TRIVIAL and base["rps"] else None,
            target="0 errors, 0 wrong bodies",
            met=failures == 0,
            notes=f"{setting}; {figures['requests']} requests, {failures} failed",
            extra=figures,
        )
    ]
    if name in BEFORE_SHARE and base["rps"]:
        share = figures["rps"] / base["rps"]
        results.append(
            Result(
                benchmark="http",
                measure=f"{label}: share of /healthz's requests/s against issue 20's start",
                value=round(share, 4),
                unit="",
                baseline="commit 7e20752's share",
                baseline_value=round(BEFORE_SHARE[name], 4),
                ratio=share / BEFORE_SHARE[name],
                target=f">= {SHARE_GAIN_TARGET:g}x",
                met=share >= SHARE_GAIN_TARGET * BEFORE_SHARE[name],
            )
        )
    for pct in ("p50", "p95", "p99"):
        p99 = pct == "p99" and name != TRIVIAL
        results.append(
            Result(
                benchmark="http",
                measure=f"{label}: {pct} latency",
                value=round(figures[f"{pct}_ms"], 2),
                unit="ms",
                baseline="/healthz" if name != TRIVIAL else "",
                baseline_value=round(base[f"{pct}_ms"], 2) if name != TRIVIAL else None,
                ratio=base[f"{pct}_ms"] / figures[f"{pct}_ms"]
                if name != TRIVIAL and figures[f"{pct}_ms"]
                else None,
                target=f"< {P99_TARGET_MS:g} ms" if p99 else "",
                met=figures["p99_ms"] < P99_TARGET_MS if p99 else None,
            )
        )
    return results


def _failures(figures: dict) -> int:
    sockets = sum(figures["socket_errors"].values())
    return sockets + figures["non_2xx"] + figures["mismatches"] + figures["unmatched"]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8391)
    parser.add_argument(
        "--worker-models",
        default="gthread:2x4,gthread:4x1,sync:4x1",
        help="gunicorn worker class:workers x threads to compare on the overview ('' for none)",
    )
    arguments = parser.parse_args()
    results = run(
        arguments.organisations,
        arguments.seconds,
        arguments.connections,
        arguments.port,
        worker_models(arguments.worker_models),
    )
    print_table(results)
    print(f"\nwritten to {write_results('http_load', results)}")
    # Wrong answers fail the run; a missed speed target is a figure, reported in the table.
    if any(result.met is False and result.target.startswith("0 errors") for result in results):
        raise SystemExit(1)
