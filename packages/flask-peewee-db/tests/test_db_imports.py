"""flask_peewee.db's modules import each other in one direction only: no cycle, no lazy import back."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import flask_peewee.db

PACKAGE = "flask_peewee.db"
SOURCE = Path(flask_peewee.db.__file__).resolve().parent
MODULES = sorted(PACKAGE if path.stem == "__init__" else f"{PACKAGE}.{path.stem}" for path in SOURCE.glob("*.py"))


def _path(module: str) -> Path:
    return SOURCE / ("__init__.py" if module == PACKAGE else f"{module.rpartition('.')[2]}.py")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str) -> list[tuple[str, bool]]:
    """``(imported db module, at module level)`` for every runtime import of the package in ``module``."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other, top)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, top) for alias in child.names if alias.name.startswith(PACKAGE))
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and (child.module or "").startswith(PACKAGE):
                target = child.module or ""
                if target == PACKAGE:  # `from flask_peewee.db import x`: a submodule or the package itself
                    found.extend(
                        (f"{PACKAGE}.{a.name}" if f"{PACKAGE}.{a.name}" in MODULES else PACKAGE, top)
                        for a in child.names
                    )
                else:
                    found.append((target, top))
            inner = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, inner)

    visit(ast.parse(_path(module).read_text()), True)
    return found


def _graph() -> dict[str, set[str]]:
    return {module: {target for target, _top in _imports(module)} for module in MODULES}


def test_the_module_list_is_found():
    assert f"{PACKAGE}._database" in MODULES
    assert f"{PACKAGE}._connection" in MODULES
    assert f"{PACKAGE}._cli" in MODULES
    assert f"{PACKAGE}._migrations" in MODULES


def test_no_module_imports_a_package_module_inside_a_function():
    lazy = {module: sorted(t for t, top in _imports(module) if not top) for module in MODULES}
    assert {module: targets for module, targets in lazy.items() if targets} == {}


def test_the_package_modules_import_each_other_without_a_cycle():
    graph = _graph()
    done: set[str] = set()

    def walk(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            cycle = " -> ".join((*path[path.index(module) :], module))
            pytest.fail(f"import cycle: {cycle}")
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            walk(target, (*path, module))
        done.add(module)

    for module in MODULES:
        walk(module, ())
    assert done == set(MODULES)


def test_connection_imports_no_other_module_of_the_package():
    assert _graph()[f"{PACKAGE}._connection"] == set()


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_first_in_a_fresh_interpreter(module):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import {module}, sys; print(sorted(m for m in sys.modules if m.startswith('{PACKAGE}')))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert module in result.stdout
