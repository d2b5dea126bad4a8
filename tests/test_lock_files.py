"""The lock files pin every package with its hashes and name no machine's own package source.

pip switches to hash-checking mode when the file carries hashes (the image adds --require-hashes):
a package whose file does not match what was locked is refused. Where a machine finds its packages
(a mirror, a wheel folder) belongs in that machine's pip configuration, never in the repository.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ("requirements.lock", "requirements-runtime.lock", "requirements-build.lock")
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]+\])?==(?P<version>[^\s;\\]+)")
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")
MACHINE_SOURCES = re.compile(
    r"(--(extra-)?index-url|--find-links|^-f\s|^-i\s|file:/|/opt/|/home/|/root/|/tmp/)"
)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(lock: str) -> dict[str, tuple[str, set[str]]]:
    """name -> (version, hashes) of every requirement in a lock file (continuation lines joined)."""
    text = (ROOT / lock).read_text()
    entries: dict[str, tuple[str, set[str]]] = {}
    for statement in re.sub(r"\\\n", " ", text).splitlines():
        statement = statement.split("#", 1)[0].strip() if not statement.lstrip().startswith("#") else ""
        if not statement:
            continue
        match = PIN.match(statement)
        assert match, f"{lock}: not pinned with ==: {statement[:120]!r}"
        entries[normalise(match["name"])] = (match["version"], set(HASH.findall(statement)))
    return entries


def declared(extra: str | None = None) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    return {normalise(re.match(r"[A-Za-z0-9._-]+", spec)[0]) for spec in specs}


@pytest.mark.parametrize("lock", LOCKS)
def test_lock_names_no_machine_specific_package_source(lock):
    for number, line in enumerate((ROOT / lock).read_text().splitlines(), 1):
        assert not MACHINE_SOURCES.search(line), f"{lock}:{number}: {line}"


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_package_is_pinned_with_hashes(lock):
    entries = requirements(lock)
    assert entries, f"{lock} locks nothing"
    unhashed = sorted(name for name, (_version, hashes) in entries.items() if not hashes)
    assert unhashed == [], f"{lock}: packages without --hash: {unhashed}"


@pytest.mark.parametrize(
    ("lock", "extra"), [("requirements.lock", "dev"), ("requirements-runtime.lock", None)]
)
def test_lock_covers_every_declared_dependency(lock, extra):
    missing = declared(extra) - set(requirements(lock))
    assert missing == set(), f"{lock} lacks {sorted(missing)}: run make lock"


def test_the_image_gets_the_same_versions_and_hashes_as_development():
    development, runtime = requirements("requirements.lock"), requirements("requirements-runtime.lock")
    differing = {
        name: (runtime[name], development.get(name))
        for name in runtime
        if development.get(name) != runtime[name]
    }
    assert differing == {}


def test_dev_tools_stay_out_of_the_image_lock():
    dev_only = declared("dev") - declared()
    assert dev_only & set(requirements("requirements-runtime.lock")) == set()


def test_build_tools_are_locked_and_agree_with_the_locks():
    """setuptools and wheel come hashed from requirements-build.lock (installs use --no-build-isolation)."""
    build = requirements("requirements-build.lock")
    assert {"setuptools", "wheel"} <= set(build)
    development = requirements("requirements.lock")
    clashes = {
        name: build[name][0] for name in build if name in development and development[name] != build[name]
    }
    assert clashes == {}
