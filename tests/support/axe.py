"""axe-core, the accessibility engine, run in a page of the browser tests (WCAG 2.1 A and AA rules).

axe-core comes from npm, pinned in ``tests/package.json`` and ``tests/package-lock.json``; the
first use installs it with ``npm ci`` (nothing downloaded is committed). It is evaluated through
the DevTools protocol, so the portal's Content-Security-Policy (no inline scripts) stays as it is.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]  # tests/: package.json and node_modules
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@functools.cache
def axe_source() -> str:
    """The engine's script, installed from the lock file when it is not there yet."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("The accessibility tests need npm (Debian package `npm`) to install axe-core.")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=HERE, check=True, timeout=300
        )
    return AXE_JS.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """Every WCAG 2.1 A/AA violation axe-core finds in the page as it is now, with its elements."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }""",
        WCAG_21_AA,
    )
    return found


def describe(found: list[dict]) -> str:
    """The violations as readable lines, for an assertion message."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['target']}: {node['summary']}" for node in v["nodes"])
        for v in found
    )
