"""Fixtures for the repository-level checks: the tools/ scripts, one build of every package per session."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_tool(name: str) -> ModuleType:
    """Import ``tools/<name>.py`` (tools/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"fp_tools_{name}", ROOT / "tools" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bai() -> ModuleType:
    """The build-and-install script, as a module."""
    return _load_tool("build_and_install")


@pytest.fixture(scope="session")
def dist_dir(bai: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sdist and wheel of all five packages, built once per session from this tree."""
    out = tmp_path_factory.mktemp("dist")
    bai.build(bai.PARTS, out)
    return out


@pytest.fixture(scope="session")
def installed(bai: ModuleType, dist_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``installed(part)``: the python of a fresh venv holding that part's wheel alone (made once per part)."""
    venvs: dict[str, Path | BaseException] = {}

    def get(part: str) -> Path:
        if part not in venvs:
            try:
                venvs[part] = bai.check(part, dist_dir, venv_dir=tmp_path_factory.mktemp(f"venv-{part}"))
            except bai.CheckError as exc:
                venvs[part] = exc
        result = venvs[part]
        if isinstance(result, BaseException):
            raise result
        return result

    return get
