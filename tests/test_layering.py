"""The import-layering contracts in the root pyproject.toml catch a violation (and pass on the real tree).

Each test copies the five ``src/flask_peewee/<part>`` trees, and the plain modules some
packages ship in the namespace (``flask_peewee/exceptions.py``, ...), into a temporary folder,
optionally adds an offending module or line, and runs import-linter on that copy with the
root pyproject.toml as its configuration.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("db", "utils", "auth", "admin", "rest")
LAYERS = "Layers only import downwards: db <- utils <- auth <- admin, rest"
INDEPENDENCE = "admin and rest never import each other"
REST_NOT_ADMIN_MODULES = "rest never imports the admin's namespace modules"
ADMIN_MODULES_NOT_REST = "the admin's namespace modules never import rest"

# Runs import-linter with the copy first on sys.path and the real tree's source folders
# (which editable installs put on sys.path) removed, so only the copy can be analysed.
_RUNNER = """
import sys
src, packages, config = sys.argv[1:4]
sys.path[:] = [src] + [p for p in sys.path if p and not p.startswith(packages)]
sys.argv = ["lint-imports", "--config", config, "--no-cache", "--no-logo"]
from importlinter.cli import lint_imports_command
lint_imports_command()
"""


def _contract_names() -> list[str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return [contract["name"] for contract in config["contracts"]]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of every package's ``src/`` merged in one folder, plus the root config."""
    if importlib.util.find_spec("importlinter") is None:
        pytest.fail("import-linter is not installed in this environment: add import-linter==2.17 to its deps")
    src = tmp_path / "src"
    for part in PARTS:
        shutil.copytree(
            ROOT / "packages" / f"flask-peewee-{part}" / "src" / "flask_peewee" / part,
            src / "flask_peewee" / part,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        for module in (ROOT / "packages" / f"flask-peewee-{part}" / "src" / "flask_peewee").glob("*.py"):
            assert module.name != "__init__.py", "flask_peewee must stay a PEP 420 namespace"
            shutil.copy(module, src / "flask_peewee" / module.name)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PYTHONPATH": str(tree / "src"),
        "PATH": "",
        "PYTHONDONTWRITEBYTECODE": "1",
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            _RUNNER,
            str(tree / "src"),
            str(ROOT / "packages"),
            str(tree / "pyproject.toml"),
        ],
        capture_output=True,
        text=True,
        cwd=tree,
        env=env,
    )


def test_the_contracts_are_the_documented_ones() -> None:
    assert _contract_names() == [LAYERS, INDEPENDENCE, REST_NOT_ADMIN_MODULES, ADMIN_MODULES_NOT_REST]


def test_the_unmodified_tree_keeps_every_contract(tree: Path) -> None:
    assert (tree / "src" / "flask_peewee" / "exceptions.py").is_file()
    assert (tree / "src" / "flask_peewee" / "serializer.py").is_file()
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in _contract_names():
        assert f"{name} KEPT" in result.stdout
    assert "0 broken" in result.stdout


VIOLATIONS = {
    "db imports auth": (
        "db",
        "import flask_peewee.auth\n",
        [LAYERS],
        "flask_peewee.db._layering_probe -> flask_peewee.auth",
    ),
    "utils imports admin inside a function": (
        "utils",
        "def later():\n    from flask_peewee.admin import __version__\n\n    return __version__\n",
        [LAYERS],
        "flask_peewee.utils._layering_probe -> flask_peewee.admin",
    ),
    "rest imports admin": (
        "rest",
        "from flask_peewee import admin\n",
        [INDEPENDENCE],
        "flask_peewee.rest._layering_probe -> flask_peewee.admin",
    ),
    "rest imports the admin's filters module": (
        "rest",
        "import flask_peewee.filters\n",
        [REST_NOT_ADMIN_MODULES],
        "flask_peewee.rest._layering_probe -> flask_peewee.filters",
    ),
}


#: Lines appended to a namespace-level module of the original, and the import that breaks the layers.
MODULE_VIOLATIONS = {
    "exceptions (db level) imports utils": (
        "exceptions.py",
        "import flask_peewee.utils\n",
        "flask_peewee.exceptions -> flask_peewee.utils",
        LAYERS,
    ),
    "serializer (utils level) imports auth": (
        "serializer.py",
        "import flask_peewee.auth\n",
        "flask_peewee.serializer -> flask_peewee.auth",
        LAYERS,
    ),
    "forms (admin level) imports rest": (
        "forms.py",
        "import flask_peewee.rest\n",
        "flask_peewee.forms -> flask_peewee.rest",
        ADMIN_MODULES_NOT_REST,
    ),
    "db imports serializer": (
        "db/_layering_probe.py",
        "import flask_peewee.serializer\n",
        "flask_peewee.db._layering_probe -> flask_peewee.serializer",
        LAYERS,
    ),
}


@pytest.mark.parametrize("violation", MODULE_VIOLATIONS)
def test_namespace_modules_are_layered_with_their_package(tree: Path, violation: str) -> None:
    name, code, chain, contract = MODULE_VIOLATIONS[violation]
    path = tree / "src" / "flask_peewee" / name
    path.write_text((path.read_text() if path.exists() else "") + code)
    result = _lint(tree)
    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout, result.stdout + result.stderr
    assert chain in result.stdout


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_a_forbidden_import_breaks_its_contract(tree: Path, violation: str) -> None:
    part, code, broken, chain = VIOLATIONS[violation]
    (tree / "src" / "flask_peewee" / part / "_layering_probe.py").write_text(code)
    result = _lint(tree)
    assert result.returncode != 0
    for name in broken:
        assert f"{name} BROKEN" in result.stdout, result.stdout + result.stderr
    assert chain in result.stdout
