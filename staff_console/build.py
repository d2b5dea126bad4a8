"""Build the staff console (npm ci + vite build) when its sources changed: for make run/test and tests.

Up to date = dist/ was built from the sources as they are now: a digest of every source file (src/,
package files, Vite config) taken before the build starts is kept beside the manifest, so an edit
made while a build runs is never taken as built.
A file lock keeps two processes (two test runs, a test run and `make run`) from building at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
DIST = HERE / "dist"
MANIFEST = DIST / ".vite" / "manifest.json"
DIGEST_NAME = "source-digest.txt"
LOCK = HERE / "package-lock.json"
SOURCES = ("src", "package.json", "package-lock.json", "vite.config.js")


class ConsoleBuildError(RuntimeError):
    pass


def _source_files() -> list[Path]:
    found = []
    for name in SOURCES:
        path = HERE / name
        files = path.rglob("*") if path.is_dir() else [path]
        found += [file for file in files if file.is_file() and not file.name.endswith(".test.js")]
    return sorted(found)


def source_digest() -> str:
    """sha256 over every source file's path and content."""
    digest = hashlib.sha256()
    for file in _source_files():
        digest.update(str(file.relative_to(HERE)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def is_built() -> bool:
    stored = DIST / DIGEST_NAME
    return MANIFEST.exists() and stored.exists() and stored.read_text().strip() == source_digest()


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise ConsoleBuildError(
            "The staff console needs Node.js 20 and npm to build (Debian: apt-get install nodejs npm)."
        )
    return npm


def install_dependencies(*, quiet: bool = True) -> None:
    """`npm ci` when node_modules is missing or older than the lock file."""
    marker = HERE / "node_modules" / ".package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= LOCK.stat().st_mtime:
        return
    out = subprocess.DEVNULL if quiet else None
    subprocess.run(  # noqa: S603 (fixed arguments, npm from PATH)
        [_npm(), "ci", "--no-audit", "--no-fund"],
        cwd=HERE,
        check=True,
        stdout=out,
        timeout=900,
    )


def ensure_built(*, quiet: bool = True, say=print) -> bool:
    """Build when stale; True when a build ran."""
    if is_built():
        return False
    with open(HERE / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building right now
        if is_built():
            return False
        say("Building the staff console (npm ci, vite build)")
        install_dependencies(quiet=quiet)
        out = subprocess.DEVNULL if quiet else None
        digest = source_digest()  # before the build: an edit made during it makes the next one stale
        fresh = HERE / f"dist.build-{os.getpid()}"
        result = subprocess.run(  # noqa: S603 (fixed arguments, npm from PATH)
            [_npm(), "run", "build", "--", "--outDir", fresh.name, "--emptyOutDir"],
            cwd=HERE,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
        )
        if result.returncode != 0:
            shutil.rmtree(fresh, ignore_errors=True)
            raise ConsoleBuildError("The staff console did not build:\n" + result.stderr[-4000:])
        (fresh / DIGEST_NAME).write_text(digest + "\n")
        _swap_in(fresh)
    return True


def _swap_in(fresh: Path) -> None:
    """Replace dist/ in two renames, so that a running server never reads a half-written build."""
    old = HERE / f"dist.old-{os.getpid()}"
    if DIST.exists():
        DIST.rename(old)
    fresh.rename(DIST)
    shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    ensure_built(quiet=False)
