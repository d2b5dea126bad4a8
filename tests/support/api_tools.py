"""The outside tools that check the OpenAPI documents, installed on demand under .var/tools/.

- openapi-python-client, in a virtualenv of its own (pinned with hashes in
  tests/tools/openapi-python-client/requirements.txt), so that its dependencies stay out of the
  project's lock; the generated clients run in that virtualenv too.
- Spectral (``@stoplight/spectral-cli``), from tests/tools/spectral/package-lock.json with ``npm ci``.

Each install is redone only when its pinned file changes (a stamp holds the file's hash).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PINS = ROOT / "tests" / "tools"
TOOLS = ROOT / ".var" / "tools"
RULESET = ROOT / ".spectral.yaml"


def _stamp(*files: Path) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def _installed(target: Path, stamp: str) -> bool:
    marker = target / ".installed"
    return marker.exists() and marker.read_text() == stamp


def generator_python() -> Path:
    """The Python of the generator's virtualenv (created and filled when missing or outdated)."""
    pins = PINS / "openapi-python-client" / "requirements.txt"
    target = TOOLS / "openapi-python-client"
    stamp = _stamp(pins)
    python = target / "bin" / "python"
    if not _installed(target, stamp):
        shutil.rmtree(target, ignore_errors=True)
        _run([sys.executable, "-m", "venv", str(target)])
        _run([str(python), "-m", "pip", "install", "-q", "--require-hashes", "-r", str(pins)])
        (target / ".installed").write_text(stamp)
    return python


def generate_client(document: Path, output: Path, config: Path | None = None) -> str:
    """Generate a Python client from ``document`` into ``output`` (``config``: the generator's own
    settings file, e.g. the package name); returns the generator's report."""
    python = generator_python()
    environment = {**os.environ, "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = _run(
        [str(python.parent / "openapi-python-client"), "generate", "--path", str(document)]
        + ["--output-path", str(output), "--overwrite"]
        + (["--config", str(config)] if config else []),
        env=environment,
    )
    return result.stdout + result.stderr


def spectral_binary() -> Path:
    """Spectral's command, installed with ``npm ci`` from the committed lock when missing."""
    source = PINS / "spectral"
    target = TOOLS / "spectral"
    stamp = _stamp(source / "package.json", source / "package-lock.json")
    if not _installed(target, stamp):
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed for Spectral (.ci/run installs Node.js and npm)")
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(source / name, target / name)
        _run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=target,
            env={**os.environ, "SCARF_ANALYTICS": "false"},
        )
        (target / ".installed").write_text(stamp)
    return target / "node_modules" / ".bin" / "spectral"


def spectral_findings(document: Path) -> list[dict]:
    """Every finding of Spectral (the project's ruleset) on ``document``, as Spectral reports them."""
    binary = spectral_binary()
    command = [str(binary), "lint", "--ruleset", str(RULESET), "--format", "json", "--quiet"]
    result = subprocess.run(
        [*command, "--fail-severity", "error", str(document)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SCARF_ANALYTICS": "false"},
    )
    try:
        return json.loads(result.stdout or "[]")
    except ValueError as error:
        raise RuntimeError(f"Spectral did not answer in JSON:\n{result.stdout}\n{result.stderr}") from error
