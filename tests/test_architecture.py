"""The architecture as written down is the architecture enforced.

import-linter (`lint-imports`, run by `make lint` and .ci/run) checks the layers contract in
pyproject.toml; these tests keep docs/architecture.md's picture equal to that contract, make sure
every package of the project is in it, and list imports placed inside functions without a reason.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_APPS = {"tests", "benchmarks", "scripts"}


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return {"root_packages": config["root_packages"], "layers": layers["layers"]}


def _documented_layers() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    block = re.search(r"<!-- layers:.*?-->\n```text\n(.*?)```", text, re.S)
    assert block, "docs/architecture.md has lost its layers picture"
    return [re.split(r"\s{2,}", line.strip())[0] for line in block.group(1).splitlines() if line.strip()]


def _project_packages() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py")} - NOT_APPS


def _normalised(layer: str) -> str:
    return " | ".join(name.strip() for name in layer.split("|"))


def test_the_documented_layers_are_the_contract():
    assert [_normalised(layer) for layer in _documented_layers()] == [
        _normalised(layer) for layer in _contract()["layers"]
    ]


def test_every_package_is_in_exactly_one_layer():
    contract = _contract()
    placed = [name.strip() for layer in contract["layers"] for name in layer.split("|")]
    assert sorted(placed) == sorted(set(placed)), "a package is in two layers"
    assert set(placed) == _project_packages() == set(contract["root_packages"])


def _imports_in_functions_without_a_reason(path: Path, apps: set[str], root: Path = ROOT) -> list[str]:
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            ours = (isinstance(node, ast.ImportFrom) and node.level > 0) or (module or "").split(".")[
                0
            ] in apps
            statement = lines[node.lineno - 1 : node.end_lineno]
            before = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            if ours and not any("#" in line for line in statement) and not before.startswith("#"):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {statement[0].strip()}")
    return found


def test_an_import_inside_a_function_says_why():
    apps = _project_packages()
    unexplained = []
    for package in sorted(apps):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts and "node_modules" not in path.parts:
                unexplained += _imports_in_functions_without_a_reason(path, apps)
    assert unexplained == [], "imports inside functions need a comment saying why:\n" + "\n".join(unexplained)


def test_the_check_catches_an_unexplained_import(tmp_path):
    module = tmp_path / "example.py"
    module.write_text(
        "def f():\n    from tenants.models import Organisation\n"
        "def g():\n    from tenants.models import Domain  # the reason\n"
        "def h():\n    import json\n"
    )
    found = _imports_in_functions_without_a_reason(module, {"tenants"}, root=tmp_path)
    assert found == ["example.py:2: from tenants.models import Organisation"]
