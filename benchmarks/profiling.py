"""A cProfile report that says where a request's time goes, to choose what to optimise next.

Three views of one profile: own time grouped by area (the project's apps, Django's ORM and the
rest of Django, DRF, psycopg, other packages, the standard library, built-in calls), the top 20
functions by own time, and the top 20 of the project's own functions by cumulative time (views,
selectors, serializers: what to look at first). cProfile adds overhead to every Python call, so the
shares are a guide, not a measurement; the timed figures come from runs without it.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from harness import ROOT

TOP = 20


def profiled(function: Callable[[], object], count: int) -> pstats.Stats:
    """Call ``function`` ``count`` times under cProfile."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        function()
    profiler.disable()
    return pstats.Stats(profiler)


def area(filename: str) -> str:
    """Which part of the stack a function belongs to, from its file."""
    if filename.startswith("~") or filename.startswith("<"):
        return "built-in calls (sockets, getattr, isinstance...)"
    parts = Path(filename).parts
    if "site-packages" in parts:
        package = parts[parts.index("site-packages") + 1]
        if package == "django":
            return "django.db (ORM)" if parts[parts.index("django") + 1] == "db" else "django (other)"
        return {"rest_framework": "DRF", "psycopg": "psycopg (queries, waiting for PostgreSQL)"}.get(
            package, package
        )
    if filename.startswith(str(ROOT)):
        return f"project: {Path(filename).relative_to(ROOT).parts[0]}"
    return "python standard library"


def by_area(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Own time per area, largest first."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, own, _cumulative, _callers) in stats.stats.items():
        totals[area(filename)] += own
    return sorted(totals.items(), key=lambda item: -item[1])


def _listing(stats: pstats.Stats, order: str, *restrictions) -> str:
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats(order).print_stats(*restrictions)
    text = out.getvalue().split("ncalls", 1)[-1]
    return ("   ncalls" + text).replace(f"{ROOT}/", "").rstrip()


def report(stats: pstats.Stats, requests: int) -> str:
    """The three views, as text; times per request in milliseconds for the areas."""
    areas = by_area(stats)
    total = sum(seconds for _area, seconds in areas) or 1.0
    lines = ["--- own time by area (ms per request under cProfile, share)"]
    lines += [
        f"{name:<48} {seconds * 1000 / requests:8.2f} ms  {seconds / total:6.1%}"
        for name, seconds in areas[:14]
    ]
    lines.append(f"\n--- top {TOP} functions by own time")
    lines.append(_listing(stats, "tottime", TOP))
    project = rf"^{re.escape(str(ROOT))}/(?!\.venv/|benchmarks/)"
    lines.append(f"\n--- top {TOP} project functions by cumulative time")
    lines.append(_listing(stats, "cumulative", project, TOP))
    return "\n".join(lines)
