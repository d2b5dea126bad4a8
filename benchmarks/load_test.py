"""Load test: mixed resident traffic across many organisations, checked for errors and foreign data.

Run: .venv/bin/python benchmarks/load_test.py [--organisations 100] [--seconds 120] [--connections 32]

wrk sends a mix of what residents do (overview, invoices, statements, consumption year and month,
their profile, the portal's site settings) for random organisations of the fleet (fleet.py), each
with its own Host and resident token, for a bounded time over loopback. Every response is matched
to its request (the platform echoes X-Request-ID) and compared byte for byte with that
organisation's own answer read before the run; a body showing another organisation's invoice
numbers counts as foreign data. Targets: zero errors and zero foreign or wrong bodies. The baseline
is `/healthz` driven the same way in the same run.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

import fleet
from harness import Result, print_table, write_results

# What a resident's session asks for, and how often (weights).
MIX = {
    "overview": ("/api/portal/overview/", 30),
    "invoices": ("/api/portal/invoices/", 20),
    "statements": ("/api/portal/statements/", 8),
    "consumption year": (None, 20),
    "consumption month": (None, 10),
    "me": ("/api/portal/me/", 7),
    "site": ("/api/portal/site/?page=overview", 5),
}


def paths() -> dict[str, str]:
    today = date.today()
    resolved = {}
    for name, (path, _weight) in MIX.items():
        if name == "consumption year":
            path = fleet.year_path(today.year)
        elif name == "consumption month":
            path = f"/api/portal/consumption/month/?service=heating&year={today.year}&month={today.month}"
        resolved[name] = path
    return resolved


def run(organisations: int, seconds: int, connections: int, port: int) -> list[Result]:
    members = fleet.load_or_build(organisations)
    server = fleet.Server(port)
    server.start()
    try:
        resolved = paths()
        print("==> reading every organisation's answers", flush=True)
        bodies = fleet.expected_bodies(server, members, resolved)
        with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
            baseline_targets = fleet.write_targets(
                Path(folder) / "trivial", members, {"healthz": "/healthz"}, {"healthz": 1}, None
            )
            baseline = fleet.run_wrk(
                server.port, baseline_targets, seconds=max(5, seconds // 8), connections=connections
            )
            targets = fleet.write_targets(
                Path(folder) / "mix",
                members,
                resolved,
                {name: weight for name, (_path, weight) in MIX.items()},
                bodies,
            )
            fleet.run_wrk(server.port, targets, seconds=3, connections=connections)  # warm-up
            print(f"==> mixed traffic across {organisations} organisations for {seconds} s", flush=True)
            mixed = fleet.run_wrk(server.port, targets, seconds=seconds, connections=connections)
    finally:
        server.stop()
    setting = f"{organisations} organisations, {connections} connections, {seconds} s, gunicorn 2x4 threads"
    return _results(mixed, baseline, setting)


def _results(mixed: dict, baseline: dict, setting: str) -> list[Result]:
    """Throughput and p99 of the mixed traffic against /healthz; errors and foreign data, none."""
    errors = sum(mixed["socket_errors"].values()) + mixed["non_2xx"] + mixed["unmatched"]
    mix = ", ".join(f"{name} {stats['requests']}" for name, stats in sorted(mixed["by_name"].items()))
    return [
        Result(
            benchmark="load test",
            measure="mixed resident traffic: requests/s",
            value=round(mixed["rps"], 1),
            unit="req/s",
            baseline="/healthz",
            baseline_value=round(baseline["rps"], 1),
            ratio=mixed["rps"] / baseline["rps"] if baseline["rps"] else None,
            notes=f"{setting}; {mixed['requests']} requests: {mix}",
            extra={"mixed": mixed, "baseline": baseline},
        ),
        Result(
            benchmark="load test",
            measure="mixed resident traffic: p99 latency",
            value=round(mixed["p99_ms"], 2),
            unit="ms",
            baseline="/healthz",
            baseline_value=round(baseline["p99_ms"], 2),
            ratio=baseline["p99_ms"] / mixed["p99_ms"] if mixed["p99_ms"] else None,
            notes=f"p50 {mixed['p50_ms']:.2f} ms, p95 {mixed['p95_ms']:.2f} ms, max {mixed['max_ms']:.1f} ms",
        ),
        Result(
            benchmark="load test",
            measure="errors (socket, non-2xx, unmatched)",
            value=errors,
            unit="",
            target="0",
            met=errors == 0,
        ),
        Result(
            benchmark="load test",
            measure="responses with wrong or foreign data",
            value=mixed["mismatches"],
            unit="",
            target="0",
            met=mixed["mismatches"] == 0 and mixed["foreign"] == 0,
            notes=f"{mixed['foreign']} showed another organisation's invoices",
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8392)
    arguments = parser.parse_args()
    results = run(arguments.organisations, arguments.seconds, arguments.connections, arguments.port)
    print_table(results)
    print(f"\nwritten to {write_results('load_test', results)}")
    if any(result.met is False for result in results):
        raise SystemExit(1)
