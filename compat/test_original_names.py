"""Every public name of the original flask-peewee 4.0.1 resolves on our packages.

The original's modules are read with ``ast`` from the sdist (never imported): each public
function, class and module constant they define, and each public method and class
attribute of those classes, must exist under the same import path here.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

MODULES = ["db", "exceptions", "utils", "serializer", "auth", "admin", "filters", "forms", "rest"]


def _public_surface(path: Path) -> dict[str, list[str]]:
    """``{name: [member, ...]}`` for the public top-level definitions of one module."""
    tree = ast.parse(path.read_text())
    surface: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            surface[node.name] = []
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            members = []
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("_"):
                    members.append(item.name)
                elif isinstance(item, ast.Assign):
                    members += [t.id for t in item.targets if isinstance(t, ast.Name) and not t.id.startswith("_")]
            surface[node.name] = members
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and not target.id.startswith("_"):
                    surface[target.id] = []
    return surface


@pytest.fixture(scope="module")
def original_modules(original_sdist: Path) -> dict[str, dict[str, list[str]]]:
    return {name: _public_surface(original_sdist / "flask_peewee" / f"{name}.py") for name in MODULES}


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_name_resolves(original_modules: dict[str, dict[str, list[str]]], module_name: str) -> None:
    ours = importlib.import_module(f"flask_peewee.{module_name}")
    surface = original_modules[module_name]
    assert surface, f"nothing read from the original's {module_name}.py"
    missing = []
    for name, members in surface.items():
        if not hasattr(ours, name):
            missing.append(name)
            continue
        obj = getattr(ours, name)
        missing += [f"{name}.{member}" for member in members if not hasattr(obj, member)]
    assert not missing, f"flask_peewee.{module_name} lacks the original's {missing}"


def test_peewee_names_come_through_flask_peewee_db() -> None:
    import peewee

    db = importlib.import_module("flask_peewee.db")
    for name in peewee.__all__:
        assert hasattr(db, name), name
    namespace: dict[str, object] = {}
    exec("from flask_peewee.db import *", namespace)  # noqa: S102 - the original's idiom, checked as written
    assert namespace["CharField"] is peewee.CharField
    assert namespace["Database"] is db.Database  # ours, not peewee's
