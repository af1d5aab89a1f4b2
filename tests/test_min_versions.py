"""tools/check_min_versions.py catches a package using a sibling name newer than its declared lower bound.

Most tests build a small git repository with two packages (db and utils, plus auth
where a third layer is needed) through a few versions, and run the check on it.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "check_min_versions.py"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]


@pytest.fixture(scope="module")
def cmv() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fp_tools_check_min_versions", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


class Repo:
    """A throwaway monorepo with the real layout: packages/flask-peewee-<part>/src/flask_peewee/<part>/."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir()
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        proc = subprocess.run([*GIT, *args], cwd=self.path, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def package(self, part: str, version: str, deps: list[str] | None = None, **modules: str) -> None:
        """Write a package: its pyproject, ``__about__`` and the given modules (``init`` is ``__init__``)."""
        pkg = self.path / "packages" / f"flask-peewee-{part}"
        src = pkg / "src" / "flask_peewee" / part
        src.mkdir(parents=True, exist_ok=True)
        listed = ", ".join(f'"{d}"' for d in deps or [])
        (pkg / "pyproject.toml").write_text(
            f'[project]\nname = "flask-peewee-{part}"\ndynamic = ["version"]\ndependencies = [{listed}]\n'
        )
        (src / "__about__.py").write_text(f'__version__ = "{version}"\n')
        for name, text in modules.items():
            (src / f"{'__init__' if name == 'init' else name}.py").write_text(textwrap.dedent(text))

    def uses(self, part: str, code: str, module: str = "_uses") -> None:
        """Replace one module of ``part`` with ``code``."""
        path = self.path / "packages" / f"flask-peewee-{part}" / "src" / "flask_peewee" / part / f"{module}.py"
        path.write_text(textwrap.dedent(code))

    def commit(self, message: str, tag: str | None = None) -> None:
        self.git("add", "-A")
        self.git("commit", "-qm", message)
        if tag:
            self.git("tag", tag)


DB_010 = '__all__ = ["Database"]\nDatabase = object\n'
DB_020 = '__all__ = ["Database", "new_thing"]\nDatabase = new_thing = object\n'
TESTING_020 = '__all__ = ["app", "db"]\napp = db = None\n'


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """db 0.1.0 (Database), then db 0.2.0 (adds new_thing and a testing module); utils needs db>=0.1.0."""
    repo = Repo(tmp_path / "repo")
    repo.package("db", "0.1.0", init=DB_010)
    repo.package("utils", "0.1.0", ["flask-peewee-db>=0.1.0,<1"], init="__all__ = []\n")
    repo.uses("utils", "from flask_peewee.db import Database\n")
    repo.commit("db 0.1.0")
    repo.package("db", "0.2.0", init=DB_020, testing=TESTING_020)
    repo.commit("db 0.2.0")
    return repo


def _problems(cmv: ModuleType, repo: Repo, parts: list[str] | None = None) -> list[str]:
    return cmv.check(repo.path, parts).problems


def test_names_available_in_the_minimum_pass(cmv: ModuleType, repo: Repo) -> None:
    report = cmv.check(repo.path)
    assert report.problems == []
    assert report.warnings == []
    expected = "flask-peewee-utils: 2 name(s) of flask-peewee-db>=0.1.0 checked against commit"
    assert any(expected in n for n in report.notes)


def test_a_name_newer_than_the_declared_minimum_is_caught(cmv: ModuleType, repo: Repo) -> None:
    repo.uses("utils", "from flask_peewee.db import Database\n\nfrom flask_peewee.db import new_thing\n")
    problems = _problems(cmv, repo)
    assert len(problems) == 1
    assert problems[0].startswith("packages/flask-peewee-utils/src/flask_peewee/utils/_uses.py:3: ")
    assert "flask_peewee.db.new_thing is not a public name of flask-peewee-db 0.1.0 (commit " in problems[0]
    assert "flask-peewee-db>=0.1.0,<1" in problems[0]
    assert "raise the lower bound" in problems[0]


def test_raising_the_lower_bound_fixes_it(cmv: ModuleType, repo: Repo) -> None:
    repo.uses("utils", "from flask_peewee.db import new_thing\nfrom flask_peewee.db.testing import app\n")
    assert len(_problems(cmv, repo)) == 2
    repo.package("utils", "0.1.0", ["flask-peewee-db>=0.2.0,<1"])
    report = cmv.check(repo.path)
    assert report.problems == []
    assert any("checked against the working tree" in n for n in report.notes)


@pytest.mark.parametrize(
    ("code", "missing"),
    [
        ("import flask_peewee.db\nflask_peewee.db.new_thing()\n", "flask_peewee.db.new_thing"),
        ("from flask_peewee import db as fdb\nx = fdb.new_thing.attr\n", "flask_peewee.db.new_thing"),
        ("import flask_peewee.db as fdb\nfdb.new_thing\n", "flask_peewee.db.new_thing"),
        ("from flask_peewee.db.testing import app\n", "flask_peewee.db.testing"),
        ("import flask_peewee.db.testing\n", "flask_peewee.db.testing"),
        ("from flask_peewee.db import testing\n", "flask_peewee.db.testing"),
        ("def lazy():\n    from flask_peewee.db import new_thing\n", "flask_peewee.db.new_thing"),
    ],
)
def test_every_spelling_of_a_use_is_seen(cmv: ModuleType, repo: Repo, code: str, missing: str) -> None:
    repo.uses("utils", code)
    problems = _problems(cmv, repo)
    assert problems
    assert all(f"{missing} is not a public name of flask-peewee-db 0.1.0" in p for p in problems)


def test_attributes_of_a_public_object_and_old_names_pass(cmv: ModuleType, repo: Repo) -> None:
    repo.uses("utils", "import flask_peewee.db\nfrom flask_peewee import db\nflask_peewee.db.Database.x\ndb.Database\n")
    assert _problems(cmv, repo) == []


def test_a_submodule_name_missing_from_its_all_is_caught(cmv: ModuleType, repo: Repo) -> None:
    repo.package("db", "0.3.0", init=DB_020 + "__all__ += ['testing']\n", testing=TESTING_020)
    repo.commit("db 0.3.0")
    repo.package("db", "0.4.0", init=DB_020, testing='__all__ = ["app", "db", "client"]\napp = db = client = None\n')
    repo.package("utils", "0.1.0", ["flask-peewee-db>=0.3.0,<1"])
    repo.uses("utils", "from flask_peewee.db import testing\ntesting.app\ntesting.client\n")
    problems = _problems(cmv, repo)
    assert len(problems) == 1
    assert ":3: flask_peewee.db.testing.client is not a public name of flask-peewee-db 0.3.0" in problems[0]


def test_a_private_sibling_module_is_caught(cmv: ModuleType, repo: Repo) -> None:
    repo.package("db", "0.2.0", _config="def parse(): ...\n")
    repo.uses("utils", "from flask_peewee.db._config import parse\n")
    repo.package("utils", "0.1.0", ["flask-peewee-db>=0.2.0,<1"])
    problems = _problems(cmv, repo)
    assert problems == [
        "packages/flask-peewee-utils/src/flask_peewee/utils/_uses.py:1: flask_peewee.db._config is private to "
        "flask-peewee-db: only public names are covered by a version range, the lowest version flask-peewee-utils "
        "allows (flask-peewee-db>=0.2.0,<1): raise the lower bound to the version that added it"
    ]


def test_the_release_tag_wins_over_later_commits_at_the_same_version(cmv: ModuleType, tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.package("db", "0.1.0", init=DB_010)
    repo.package("utils", "0.1.0", ["flask-peewee-db>=0.1.0,<1"], init="__all__ = []\n")
    repo.commit("db 0.1.0", tag="flask-peewee-db-v0.1.0")
    repo.package("db", "0.1.0", init=DB_020)  # added after the release, not released yet
    repo.uses("utils", "from flask_peewee.db import new_thing\n")
    repo.commit("db: new_thing (unreleased)")
    problems = _problems(cmv, repo)
    assert len(problems) == 1
    assert "not a public name of flask-peewee-db 0.1.0 (tag flask-peewee-db-v0.1.0)" in problems[0]
    repo.git("tag", "-d", "flask-peewee-db-v0.1.0")
    assert _problems(cmv, repo) == []  # no tag: the working tree is version 0.1.0


def test_the_newest_commit_at_the_minimum_is_used(cmv: ModuleType, repo: Repo) -> None:
    # db gained new_thing while still at 0.1.0 (first commit), then moved on: 0.1.0 had it when it moved.
    repo2 = Repo(repo.path.parent / "repo2")
    repo2.package("db", "0.1.0", init=DB_010)
    repo2.package("utils", "0.1.0", ["flask-peewee-db>=0.1.0,<1"], init="__all__ = []\n")
    repo2.commit("db 0.1.0")
    repo2.package("db", "0.1.0", init=DB_020)
    repo2.commit("db: new_thing")
    repo2.package("db", "0.2.0", init=DB_020 + "other = 1\n")
    repo2.commit("db 0.2.0")
    repo2.uses("utils", "from flask_peewee.db import new_thing\n")
    report = cmv.check(repo2.path)
    assert report.problems == []
    newest_at_010 = repo2.git("rev-parse", "HEAD~1").strip()
    assert any(f"checked against commit {newest_at_010[:12]}" in n for n in report.notes)


def test_an_undeclared_sibling_below_is_caught_and_upper_layers_are_left_to_import_linter(
    cmv: ModuleType, repo: Repo
) -> None:
    repo.package("auth", "0.1.0", ["flask-peewee-utils>=0.1.0,<1"], init="__all__ = []\n")
    repo.uses("auth", "from flask_peewee.db import Database\nfrom flask_peewee.utils import *\n")
    repo.uses("db", "def lazy():\n    from flask_peewee.auth import Auth\n", module="_lazy")
    problems = _problems(cmv, repo)
    assert problems == [
        "packages/flask-peewee-auth/src/flask_peewee/auth/_uses.py:1: imports flask_peewee.db but "
        "flask-peewee-auth does not declare flask-peewee-db: add it to [project] dependencies",
        "packages/flask-peewee-auth/src/flask_peewee/auth/_uses.py:2: `from flask_peewee.utils import *` cannot be "
        "checked against flask-peewee-utils 0.1.0 (the working tree): import the names, "
        "the lowest version flask-peewee-auth allows "
        "(flask-peewee-utils>=0.1.0,<1): raise the lower bound to the version that added it",
    ]


def test_a_range_without_lower_bound_or_excluding_the_tree_is_caught(cmv: ModuleType, repo: Repo) -> None:
    repo.package("utils", "0.1.0", ["flask-peewee-db<1"])
    assert _problems(cmv, repo) == [
        "flask-peewee-utils: flask-peewee-db<1 has no lower bound; declare the lowest version used (>=X,<1)"
    ]
    repo.package("utils", "0.1.0", ["flask-peewee-db>=0.1.0,<0.2"])
    assert _problems(cmv, repo) == [
        "flask-peewee-utils: flask-peewee-db>=0.1.0,<0.2 does not allow flask-peewee-db 0.2.0, the version in this tree"
    ]


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "--root", str(root), *args], capture_output=True, text=True)


def test_a_version_that_never_existed_is_a_clear_error(repo: Repo) -> None:
    repo.package("utils", "0.1.0", ["flask-peewee-db>=0.1.5,<1"])
    proc = _cli(repo.path)
    assert proc.returncode == 1
    expected = (
        "flask-peewee-db was never at version 0.1.5 in this history (the tree has 0.2.0; history has 0.2.0, 0.1.0)"
    )
    assert expected in proc.stderr


def test_command_line_reports_and_fails(repo: Repo) -> None:
    ok = _cli(repo.path, "utils")
    assert ok.returncode == 0, ok.stderr
    assert "ok: every sibling name used is available in the lowest declared version" in ok.stdout
    repo.uses("utils", "from flask_peewee.db import new_thing\n")
    bad = _cli(repo.path)
    assert bad.returncode == 1
    assert "FAILED: packages/flask-peewee-utils/src/flask_peewee/utils/_uses.py:1: flask_peewee.db.new_thing" in (
        bad.stderr
    )
    unknown = _cli(repo.path, "models")
    assert unknown.returncode == 1
    assert "'models' is not one of db, utils, auth, admin, rest" in unknown.stderr


def test_a_shallow_clone_falls_back_only_for_the_current_version(cmv: ModuleType, repo: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)], check=True)
    proc = _cli(clone)
    assert proc.returncode == 1
    assert "this clone is shallow, so flask-peewee-db 0.1.0 (the tree has 0.2.0) cannot be found" in proc.stderr
    assert "git fetch --unshallow --tags" in proc.stderr
    pkg = clone / "packages" / "flask-peewee-utils" / "pyproject.toml"
    pkg.write_text(pkg.read_text().replace(">=0.1.0", ">=0.2.0"))
    current = _cli(clone)
    assert current.returncode == 0, current.stderr
    assert "warning: shallow clone: cannot look for tag flask-peewee-db-v0.2.0" in current.stderr


def test_outside_git_only_the_current_version_can_be_checked(cmv: ModuleType, repo: Repo, tmp_path: Path) -> None:
    import shutil

    plain = tmp_path / "plain"
    shutil.copytree(repo.path, plain, ignore=shutil.ignore_patterns(".git"))
    with pytest.raises(cmv.MinVersionError, match=r"is not a git checkout, so flask-peewee-db 0\.1\.0 cannot be found"):
        cmv.check(plain)


def test_this_repository_passes(cmv: ModuleType) -> None:
    report = cmv.check(ROOT)
    assert report.problems == []
    assert len(report.notes) >= 4  # utils, auth, admin and rest use the layers below them


def test_forwarded_names_appended_to_all_are_not_sibling_api(cmv: ModuleType) -> None:
    # flask_peewee.db ends its literal __all__ with `__all__ += sorted(peewee's names)`.
    text = '__all__ = ["Database", "load_class"]\n__all__ += sorted(_FORWARDED)\n__all__ += ["extra"]\n'
    assert cmv._all_of(text, "db") == ["Database", "load_class", "extra"]
    with pytest.raises(cmv.MinVersionError, match="not a literal list"):
        cmv._all_of("__all__ = sorted(names)\n", "db")
