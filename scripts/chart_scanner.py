"""checkov, a real scanner, on the rendered chart (make chart-check), with every skip justified here.

checkov cannot render a Helm chart without the helm binary, so check_chart renders it (helm-python-
sdk) and this module writes the manifests to a file and runs ``checkov -f <file> --framework
kubernetes``. checkov lives in a virtual environment of its own (.var/tools/checkov), installed on
first use from scripts/checkov-requirements.txt with --require-hashes: its large dependency tree
stays out of the project's locks.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "scripts" / "checkov-requirements.txt"
TOOL_DIR = ROOT / ".var" / "tools" / "checkov"
OUTPUT_DIR = ROOT / ".var" / "chart-scan"

# The checks this chart does not pass, each with the reason; everything else must pass.
SKIPS: dict[str, str] = {
    "CKV_K8S_35": (
        "secrets as environment variables: the application reads every setting from its environment "
        "(config/settings.py, twelve-factor); each Secret key is passed by secretKeyRef, never logged "
        "(JSON logs, Sentry scrubbing), and no pod mounts a service-account token to read Secrets with."
    ),
}


def checkov_binary() -> Path:
    """checkov from its own venv, (re)installed when the pinned requirements changed."""
    binary = TOOL_DIR / "bin" / "checkov"
    stamp = TOOL_DIR / ".requirements-sha256"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if binary.exists() and stamp.exists() and stamp.read_text() == wanted:
        return binary
    print(f"installing checkov into {TOOL_DIR.relative_to(ROOT)} from {REQUIREMENTS.relative_to(ROOT)}")
    venv.EnvBuilder(clear=True, with_pip=True).create(TOOL_DIR)
    pip = [str(TOOL_DIR / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "--require-hashes", "--no-deps", "-r", str(REQUIREMENTS)], check=True)
    stamp.write_text(wanted)
    return binary


def write_manifests(objects: list[dict[str, Any]], name: str) -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUTPUT_DIR / f"{name}.yaml"
    path.write_text(yaml.safe_dump_all(objects, sort_keys=False))
    return path


def scan(objects: list[dict[str, Any]], name: str) -> tuple[list[str], int]:
    """(failed checks as "CKV_ID resource: name", number passed) of checkov on these objects."""
    manifest = write_manifests(objects, name)
    command = [str(checkov_binary()), "-f", str(manifest), "--framework", "kubernetes"]
    command += ["--output", "json", "--quiet", "--compact", "--skip-download"]
    if SKIPS:
        command += ["--skip-check", ",".join(sorted(SKIPS))]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    try:
        report = json.loads(completed.stdout or "{}")
    except json.JSONDecodeError:
        return [f"checkov did not report (exit {completed.returncode}): {completed.stderr[-2000:]}"], 0
    reports = report if isinstance(report, list) else [report]
    failed, passed = [], 0
    for item in reports:
        summary = item.get("summary", {})
        passed += summary.get("passed", 0)
        if summary.get("parsing_errors"):
            failed.append(f"checkov could not parse {summary['parsing_errors']} manifest(s) of {manifest}")
        failed += [
            f"{check['check_id']} {check['resource']}: {check['check_name']}"
            for check in item.get("results", {}).get("failed_checks", [])
        ]
    if completed.returncode not in (0, 1) and not failed:
        failed.append(f"checkov exit {completed.returncode}: {completed.stderr[-2000:]}")
    return sorted(failed), passed


def print_skips() -> None:
    print(f"checkov skips ({len(SKIPS)}, scripts/chart_scanner.py):")
    for check_id, reason in sorted(SKIPS.items()):
        print(f"  {check_id}: {reason}")


if __name__ == "__main__":
    print_skips()
    sys.exit(0)
