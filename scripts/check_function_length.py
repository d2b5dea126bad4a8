"""No function longer than 60 lines (`make lint`; ruff's C901 keeps their complexity at 12 or less).

A long function does several things; split it into named steps that say what each does. Measured
with the ast, from the ``def`` (decorators not counted) to the function's last line, docstring and
comments included. Migrations and demo data are exempt (generated, or data written out). Prints
each offender as ``path:line name length`` and exits 1 when there is any.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 60
SKIPPED_DIRS = {".venv", ".var", "node_modules", "migrations", "demo", ".git", "staticfiles"}


def python_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        if not SKIPPED_DIRS.intersection(path.relative_to(root).parts):
            yield path


def long_functions(path: Path, limit: int = LIMIT) -> Iterator[tuple[int, str, int]]:
    """(line, name, length) of each function in ``path`` longer than ``limit`` lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                yield node.lineno, node.name, length


def main(argv: list[str]) -> int:
    roots = [Path(arg).resolve() for arg in argv] or [ROOT]
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {name} {length}"
        for root in roots
        for path in ([root] if root.is_file() else python_files(root))
        for line, name, length in long_functions(path)
    ]
    for offender in offenders:
        print(offender)
    if offenders:
        print(f"{len(offenders)} functions over {LIMIT} lines: split them into named steps")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
