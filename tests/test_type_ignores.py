"""tools/check_type_ignores.py keeps ``# type: ignore`` in packages/*/src few and explained."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "check_type_ignores.py"


@pytest.fixture(scope="module")
def cti() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fp_tools_check_type_ignores", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    """A repository root with ``files`` under packages/flask-peewee-db/src/flask_peewee/db/."""
    src = tmp_path / "packages" / "flask-peewee-db" / "src" / "flask_peewee" / "db"
    src.mkdir(parents=True)
    for name, text in files.items():
        (src / name).write_text(text)
    return tmp_path


def _run(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True, check=False)


def test_explained_ignore_with_code_passes(cti: ModuleType, tmp_path: Path) -> None:
    root = _tree(tmp_path, {"a.py": "x = f()  # type: ignore[attr-defined]  # peewee adds it at run time\n"})
    ignores = cti.scan(root)
    assert [(i.line, i.explained) for i in ignores] == [(1, True)]
    assert cti.problems(ignores) == []
    result = _run(root)
    assert result.returncode == 0, result.stdout
    assert "1 of at most 25" in result.stdout


@pytest.mark.parametrize(
    "line",
    [
        "x = f()  # type: ignore\n",
        "x = f()  # type: ignore[attr-defined]\n",
        "x = f()  # type: ignore  # peewee adds it at run time\n",
        "x = f()  # type: ignore[attr-defined]  #\n",
    ],
    ids=["bare", "code-only", "reason-without-code", "empty-reason"],
)
def test_ignore_without_code_or_reason_fails(cti: ModuleType, tmp_path: Path, line: str) -> None:
    root = _tree(tmp_path, {"a.py": line})
    messages = cti.problems(cti.scan(root))
    assert len(messages) == 1
    assert messages[0].startswith(str(Path("packages/flask-peewee-db/src/flask_peewee/db/a.py")) + ":1:")
    result = _run(root)
    assert result.returncode == 1
    assert "needs an error code and a reason" in result.stdout


def test_more_than_the_budget_fails(cti: ModuleType, tmp_path: Path) -> None:
    line = "x = f()  # type: ignore[misc]  # why\n"
    root = _tree(tmp_path, {"a.py": line * 20, "b.pyi": line * 6})
    ignores = cti.scan(root)
    assert len(ignores) == 26
    assert cti.problems(ignores) == ["26 `# type: ignore` in packages/*/src, at most 25 allowed"]
    assert cti.problems(ignores, budget=26) == []
    assert _run(root).returncode == 1


def test_strings_and_other_comments_do_not_count(cti: ModuleType, tmp_path: Path) -> None:
    source = 'DOC = "# type: ignore"\n# a comment about typing\nx = 1  # noqa: E501\n'
    root = _tree(tmp_path, {"a.py": source})
    assert cti.scan(root) == []
    assert _run(root).returncode == 0
