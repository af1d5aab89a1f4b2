"""Fixtures for the compatibility gauges: the published flask-peewee 4.0.1, fetched at run time."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"fp_tools_{name}", ROOT / "tools" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def original_sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The unpacked flask-peewee 4.0.1 sdist (downloaded once per session, never committed)."""
    return _load_tool("original_sdist").fetch(tmp_path_factory.mktemp("original"))
