"""The rows and tables of ``resident_reads.py``: per endpoint against /healthz, and against an
earlier run.

An earlier run is its ``benchmarks/results/resident_reads.json``. Besides the plain speed-up
(earlier median / this median), the speed-up of the medians of this process's CPU time: two runs
may meet the machine in different moods (docs/performance.md, "How much the machine moves the
figures"), and wall-clock time, which includes PostgreSQL and waiting for a core, moves most.
(Dividing each run by its own ``/healthz`` does not help: a 0.1 ms request moves by 2x as well.)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from harness import Result, median, percentile

HEALTHZ = "/healthz"
TARGET_MS = 4.0  # issue 20: every resident GET, in process, warm, production settings


@dataclass
class Endpoint:
    """One resident GET: how it is called, why not (if not), and its times."""

    path: str  # as the OpenAPI document names it
    url: str = ""  # filled
    query: str = ""
    skipped: str = ""  # why it is not measured
    times: list[float] | None = None  # milliseconds, wall clock
    cpu: list[float] | None = None  # milliseconds of this process's CPU
    built_times: list[float] | None = None  # milliseconds, wall clock, with the read cache off


def results(endpoints_: list[Endpoint], healthz: Endpoint, code: str) -> list[Result]:
    """One row per endpoint: median (p95 in the measure), against /healthz, and the target."""
    base = median(healthz.times)
    rows = [_row(healthz, code, None)]
    for endpoint in endpoints_:
        if endpoint.skipped:
            rows.append(
                Result(
                    benchmark="resident reads",
                    measure=f"GET {endpoint.path}",
                    value=float("nan"),
                    unit="ms",
                    notes=f"not measured: {endpoint.skipped}",
                    extra={"kind": "endpoint", "path": endpoint.path, "commit": code},
                )
            )
        else:
            rows.append(_row(endpoint, code, base))
    return rows


def _row(endpoint: Endpoint, code: str, healthz_ms: float | None) -> Result:
    middle, p95 = median(endpoint.times), percentile(endpoint.times, 95)
    extra = {
        "kind": "endpoint" if healthz_ms is not None else "healthz",
        "path": endpoint.path,
        "url": f"{endpoint.url}?{endpoint.query}" if endpoint.query else endpoint.url,
        "median_ms": middle,
        "p95_ms": p95,
        "cpu_median_ms": median(endpoint.cpu),
        "built_median_ms": median(endpoint.built_times) if endpoint.built_times else None,
        "requests": len(endpoint.times),
        "healthz_median_ms": healthz_ms,
        "commit": code,
    }
    if healthz_ms is None:
        return Result(
            benchmark="resident reads",
            measure=f"GET {HEALTHZ}: median (p95 {p95:.3g} ms)",
            value=middle,
            unit="ms",
            notes=f"commit {code}",
            extra=extra,
        )
    return Result(
        benchmark="resident reads",
        measure=f"GET {endpoint.path}: median (p95 {p95:.3g} ms)",
        value=middle,
        unit="ms",
        baseline=HEALTHZ,
        baseline_value=healthz_ms,
        ratio=healthz_ms / middle,
        target=f"<= {TARGET_MS:g} ms",
        met=middle <= TARGET_MS,
        notes=(
            f"p95 {p95:.3g} ms; {middle / healthz_ms:.0f}x the time of {HEALTHZ}; built without the "
            f"read cache {median(endpoint.built_times):.3g} ms; commit {code}"
        ),
        extra=extra,
    )


def earlier_run(path: Path) -> tuple[str, dict, dict[str, dict]]:
    """An earlier run's JSON: its commit, its /healthz figures and its figures per measured endpoint."""
    rows = [row["extra"] for row in json.loads(path.read_text())["results"]]
    healthz = next(extra for extra in rows if extra.get("kind") == "healthz")
    endpoints = {
        extra["path"]: extra for extra in rows if extra.get("kind") == "endpoint" and "median_ms" in extra
    }
    return healthz["commit"], healthz, endpoints


def compared(rows: list[Result], path: Path) -> list[Result]:
    """Rows against an earlier run: its median per endpoint and the speed-up (earlier / now); in
    the notes also the speed-up of the CPU medians, which a busy machine moves less."""
    code, _healthz, earlier = earlier_run(path)
    extra_rows = []
    for row in rows:
        before = earlier.get(row.extra.get("path"))
        if row.extra.get("kind") != "endpoint" or before is None or math.isnan(row.value):
            continue
        cpu = before.get("cpu_median_ms", math.nan) / row.extra["cpu_median_ms"]
        extra_rows.append(
            Result(
                benchmark="resident reads",
                measure=f"GET {row.extra['path']}: median against the earlier run",
                value=row.value,
                unit="ms",
                baseline=f"earlier run, commit {code}",
                baseline_value=before["median_ms"],
                ratio=before["median_ms"] / row.value,
                notes=f"CPU of this process: {cpu:.2f}x",
                extra={"kind": "comparison", "path": row.extra["path"], "cpu_speedup": cpu},
            )
        )
    return extra_rows


def table(rows: list[Result], comparison: list[Result]) -> str:
    """The per-endpoint table this script prints (run_all.py prints the harness' table)."""
    against = {row.extra["path"]: row for row in comparison}
    head = "| Endpoint | Median ms | p95 ms | CPU ms | Built ms | x /healthz | <= 4 ms |"
    if comparison:
        head += " Earlier median ms | Speed-up | CPU speed-up |"
    lines = [head, "|---" * (head.count("|") - 1) + "|"]
    for row in rows:
        lines.append(_line(row, against.get(row.extra["path"]), bool(comparison)))
    return "\n".join(lines)


def _line(row: Result, earlier: Result | None, comparing: bool) -> str:
    extra = row.extra
    empty = " | | |" if comparing else ""
    if "median_ms" not in extra:
        return f"| {extra['path']} | | | | | | {row.notes} |" + empty
    figures = (
        extra["median_ms"],
        extra["p95_ms"],
        extra["cpu_median_ms"],
        extra["built_median_ms"] or math.nan,
    )
    line = f"| {extra['path']} | " + " | ".join(f"{value:.2f}" for value in figures) + " |"
    if extra["kind"] == "healthz":
        return line + " 1 | |" + empty
    line += f" {extra['median_ms'] / extra['healthz_median_ms']:.0f} | {'yes' if row.met else 'no'} |"
    if earlier is None:
        return line + empty
    cpu = earlier.extra["cpu_speedup"]
    cpu_text = "" if math.isnan(cpu) else f"{cpu:.2f}x"
    return line + f" {earlier.baseline_value:.2f} | {earlier.ratio:.2f}x | {cpu_text} |"
