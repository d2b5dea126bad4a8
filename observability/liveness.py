"""Liveness of the Celery worker and beat: a file their loop touches, and the probe that reads its age.

The worker touches the file from a consumer bootstep's timer, which runs only while the consumer is
connected and consuming (a lost broker connection or a blocked event loop stops it); beat touches it
on every scheduler tick. The probe (``python -m observability.liveness``) needs neither Django nor
Celery, so that a kubelet exec probe costs a bare Python start, not a second worker.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

FILE_VARIABLE = "CELERY_LIVENESS_FILE"


def touch(path: str | os.PathLike) -> None:
    """Set the file's modification time to now (creating it)."""
    Path(path).touch()


def age_seconds(path: str | os.PathLike, now: float | None = None) -> float | None:
    """Seconds since the file was last touched, or None when it does not exist."""
    try:
        modified = Path(path).stat().st_mtime
    except FileNotFoundError:
        return None
    return (time.time() if now is None else now) - modified


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Exit 0 when the liveness file was touched recently.")
    parser.add_argument("--file", default=os.environ.get(FILE_VARIABLE), help=f"default: ${FILE_VARIABLE}")
    parser.add_argument("--max-age", type=float, required=True, help="seconds")
    options = parser.parse_args(argv)
    if not options.file:
        print(f"no liveness file: pass --file or set {FILE_VARIABLE}", file=sys.stderr)
        return 2
    age = age_seconds(options.file)
    if age is None:
        print(f"{options.file} does not exist (not consuming yet)", file=sys.stderr)
        return 1
    if age > options.max_age:
        print(f"{options.file} last touched {age:.0f}s ago (limit {options.max_age:.0f}s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
