"""Test modules share helpers through tests/support/, never by importing one another.

A test module that imports another one runs the other's module-level code, drags its fixtures in
under the importer's name and breaks when the other is renamed or marked; conftest.py is pytest's,
not a library. Shared code goes to tests/support/ (fixtures in a module registered in conftest.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
MODULES = sorted(HERE.glob("test_*.py"))


def forbidden(module: str) -> bool:
    """A test module (tests.test_x) or conftest, as a dotted name."""
    parts = module.split(".")
    return parts[0] == "tests" and len(parts) > 1 and (parts[1].startswith("test_") or parts[1] == "conftest")


def imports_of(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append((node.lineno, f"relative import (level {node.level}) {node.module or ''}"))
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
            if node.module == "tests":  # from tests import test_x
                found += [(node.lineno, f"tests.{alias.name}") for alias in node.names]
    return found


def test_there_are_test_modules_to_check():
    assert len(MODULES) > 50


@pytest.mark.parametrize("path", [*MODULES, *sorted((HERE / "support").glob("*.py"))], ids=lambda p: p.name)
def test_no_module_imports_a_test_module_or_conftest(path):
    bad = [
        f"{path.name}:{line} imports {module}"
        for line, module in imports_of(path)
        if forbidden(module) or module.startswith("relative import")
    ]
    assert bad == [], "move what is shared to tests/support/: " + "; ".join(bad)
