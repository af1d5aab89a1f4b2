"""tools/affected.py: a change runs its package, every package above it, and the repository envs."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "affected.py"


@pytest.fixture(scope="module")
def affected() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fp_tools_affected", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _packages(module: ModuleType, *paths: str) -> list[str]:
    return [e for e in module.affected(paths) if e in module.bai.PARTS]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("packages/flask-peewee-db/src/flask_peewee/db/_database.py", ["db", "utils", "auth", "admin", "rest"]),
        ("packages/flask-peewee-utils/README.md", ["utils", "auth", "admin", "rest"]),
        ("packages/flask-peewee-auth/tests/test_auth_views.py", ["auth", "admin", "rest"]),
        ("packages/flask-peewee-admin/src/flask_peewee/admin/static/admin.css", ["admin"]),
        ("packages/flask-peewee-rest/pyproject.toml", ["rest"]),
    ],
)
def test_a_package_change_runs_it_and_every_package_above(affected: ModuleType, path: str, expected: list[str]) -> None:
    assert _packages(affected, path) == expected


@pytest.mark.parametrize(
    "path", ["tox.ini", "tools/build_and_install.py", "pyproject.toml", "tests/test_packaging.py", "dev.py", ".ci/run"]
)
def test_a_root_change_runs_every_package(affected: ModuleType, path: str) -> None:
    assert _packages(affected, path) == ["db", "utils", "auth", "admin", "rest"]


def test_repository_envs_run_on_any_change_and_nothing_runs_without_one(affected: ModuleType) -> None:
    envs = affected.tox_envs()
    others = [e for e in envs if e not in affected.bai.PARTS]
    assert {"lint", "layering", "repo"} <= set(others)
    assert affected.affected(["packages/flask-peewee-admin/README.md"]) == ["admin", *others]
    assert affected.affected([]) == []
    assert affected.affected(["", "  "]) == []


def test_several_changes_are_merged_in_tox_order(affected: ModuleType) -> None:
    found = _packages(affected, "packages/flask-peewee-rest/a.py", "packages/flask-peewee-auth/b.py")
    assert found == ["auth", "admin", "rest"]
    assert _packages(affected, "packages/flask-peewee-admin/a.py", "packages/flask-peewee-rest/a.py") == [
        "admin",
        "rest",
    ]


def test_dependents_follow_the_declared_dependencies(affected: ModuleType, tmp_path: Path) -> None:
    # A copy of the tree where rest stops depending on auth (and on utils) and depends on db only.
    tree = tmp_path / "tree"
    for part in affected.bai.PARTS:
        pkg = tree / "packages" / f"flask-peewee-{part}"
        pkg.mkdir(parents=True)
        text = (affected.bai.package_dir(part) / "pyproject.toml").read_text()
        if part == "rest":
            start = text.index("dependencies = [")
            end = text.index("]", start)
            text = text[:start] + 'dependencies = ["flask-peewee-db>=0.1.0,<1"' + text[end:]
        (pkg / "pyproject.toml").write_text(text)
    (tree / "tox.ini").write_text((ROOT / "tox.ini").read_text())
    assert affected.dependents(tree)["auth"] == ["auth", "admin"]
    assert [e for e in affected.affected(["packages/flask-peewee-utils/x"], tree) if e in affected.bai.PARTS] == [
        "utils",
        "auth",
        "admin",
    ]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, cwd=ROOT)


def test_command_line_prints_a_tox_env_list_and_json() -> None:
    proc = _run("packages/flask-peewee-auth/src/flask_peewee/auth/_auth.py")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().startswith("auth,admin,rest,")
    data = json.loads(_run("packages/flask-peewee-db/README.md", "--json").stdout)
    assert data["packages"] == ["db", "utils", "auth", "admin", "rest"]
    assert "repo" in data["other"]
    assert data["python"] == ["3.10", "3.13"]
    full = json.loads(_run("--all", "--json").stdout)
    assert full["python"] == ["3.10", "3.11", "3.12", "3.13"]
    assert full["envs"] == full["packages"] + full["other"]


def test_command_line_writes_github_outputs(tmp_path: Path) -> None:
    out = tmp_path / "github_output"
    out.write_text("earlier=1\n")
    proc = _run("packages/flask-peewee-rest/x.py", "--github-output", env={"GITHUB_OUTPUT": str(out), "PATH": ""})
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "earlier=1"
    outputs = dict(line.split("=", 1) for line in lines[1:])
    assert json.loads(outputs["packages"]) == ["rest"]
    assert "lint" in json.loads(outputs["other"])
    assert json.loads(outputs["python"]) == ["3.10", "3.13"]


def test_command_line_reads_git_diff_from_a_base(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "tools").mkdir(parents=True)
    for name in ("affected.py", "build_and_install.py"):
        (repo / "tools" / name).write_text((ROOT / "tools" / name).read_text())
    (repo / "tox.ini").write_text((ROOT / "tox.ini").read_text())
    for part in ("db", "utils", "auth", "admin", "rest"):
        pkg = repo / "packages" / f"flask-peewee-{part}"
        pkg.mkdir(parents=True)
        (pkg / "pyproject.toml").write_text((ROOT / "packages" / f"flask-peewee-{part}" / "pyproject.toml").read_text())
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    subprocess.run([*git, "switch", "-qc", "topic"], cwd=repo, check=True)
    (repo / "packages" / "flask-peewee-auth" / "NOTES.md").write_text("x\n")
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "auth change"], cwd=repo, check=True)
    script = repo / "tools" / "affected.py"
    proc = subprocess.run([sys.executable, str(script), "--base", "main", "--json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["packages"] == ["auth", "admin", "rest"]
    nothing = subprocess.run([sys.executable, str(script), "--base", "topic"], capture_output=True, text=True)
    assert nothing.returncode == 0
    assert nothing.stdout.strip() == ""


def test_command_line_errors_are_clear() -> None:
    bad = _run("--base", "no-such-ref")
    assert bad.returncode == 1
    assert "git diff no-such-ref...HEAD failed" in bad.stderr
    assert "fetch-depth: 0" in bad.stderr
    none = _run()
    assert none.returncode == 2
    assert "give changed PATHs, --base REF or --all" in none.stderr
    no_output = _run("--all", "--github-output", env={"PATH": ""})
    assert no_output.returncode == 1
    assert "needs the GITHUB_OUTPUT variable" in no_output.stderr
