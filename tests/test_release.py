"""tools/release.py: changelog, bump, build, validation, install alone, tag; a dry run changes nothing.

The dry run of every package runs on this tree (siblings from the session's build,
``dist_dir``). The bump tests run the copied script in a throwaway git repository made
from this tree, so a real release can be made and inspected with ``git status``.
"""

from __future__ import annotations

import email.parser
import importlib.util
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "release.py"
PARTS = ("db", "utils", "auth", "admin", "rest")
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
HOME = "https://example.invalid/flask-peewee-split#readme"


@pytest.fixture(scope="module")
def rel() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fp_tools_release", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _git(repo: Path, *args: str) -> str:
    proc = subprocess.run([*GIT, *args], cwd=repo, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _release(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, cwd=script.parent)


# --------------------------------------------------------------------------- names, versions, changelog, bump


def test_tags_name_one_package_and_version(rel: ModuleType) -> None:
    assert rel.tag_name("rest", "1.3.0") == "flask-peewee-rest-v1.3.0"
    assert rel.parse_tag("flask-peewee-rest-v1.3.0") == ("rest", "1.3.0")
    assert rel.parse_tag("refs/tags/flask-peewee-db-v0.2.0rc1") == ("db", "0.2.0rc1")
    for bad in ("flask-peewee-models-v1.0.0", "flask-peewee-rest-1.0.0", "v1.0.0", "flask-peewee-rest-v"):
        with pytest.raises(rel.ReleaseError, match="is not a release tag"):
            rel.parse_tag(bad)


def test_versions_are_canonical_and_never_go_down(rel: ModuleType) -> None:
    rel.check_version("0.2.0", "0.1.0")
    rel.check_version("0.1.0", "0.1.0")  # already bumped by hand: nothing to bump
    with pytest.raises(rel.ReleaseError, match="'banana' is not a valid version"):
        rel.check_version("banana", "0.1.0")
    with pytest.raises(rel.ReleaseError, match=re.escape("'v0.2.0' is not written canonically: use 0.2.0")):
        rel.check_version("v0.2.0", "0.1.0")
    with pytest.raises(rel.ReleaseError, match=re.escape("0.0.9 is lower than the current version 0.1.0")):
        rel.check_version("0.0.9", "0.1.0")


CHANGELOG = """# Changelog of flask-peewee-x

## [Unreleased]

## [0.2.0] - 2025-06-01

### Added

- A thing.

## [0.1.5]

## [0.1.0]
- First.

[0.2.0]: https://example.invalid/compare
"""


def test_changelog_needs_a_dated_non_empty_entry(rel: ModuleType) -> None:
    assert rel.changelog_problems(CHANGELOG, "0.2.0") == []
    assert rel.changelog_problems(CHANGELOG, "0.1.0") == []
    assert rel.changelog_problems(CHANGELOG, None) == []
    assert rel.changelog_problems(CHANGELOG, "0.1.5") == ["CHANGELOG.md entry '## [0.1.5]' is empty: say what changed"]
    assert "has no '## [0.3.0] - YYYY-MM-DD' entry" in rel.changelog_problems(CHANGELOG, "0.3.0")[0]
    odd = CHANGELOG.replace("## [0.2.0] - 2025-06-01", "## [0.2.0] June")
    assert rel.changelog_problems(odd, "0.2.0") == [
        "CHANGELOG.md heading '## [0.2.0] June': write it as '## [0.2.0] - YYYY-MM-DD'"
    ]
    no_unreleased = CHANGELOG.replace("## [Unreleased]\n", "")
    assert rel.changelog_problems(no_unreleased, None) == [
        "CHANGELOG.md has no '## [Unreleased]' section (Keep a Changelog)"
    ]


def test_every_package_changelog_has_an_unreleased_section(rel: ModuleType) -> None:
    for part in PARTS:
        rel.check_changelog(part, None)
        assert (
            f"`flask-peewee-{part}-vX.Y.Z`" in (ROOT / "packages" / f"flask-peewee-{part}" / "CHANGELOG.md").read_text()
        )


def test_bump_changes_only_the_version_line(rel: ModuleType, tmp_path: Path) -> None:
    tree = rel.copy_tree(["db"], tmp_path)
    about = rel.about_file("db", tree)
    about.write_text('"""About."""\n\n__version__ = "0.1.0"  # read by hatch\n__author__ = "x"\n')
    old = rel.bump_version("db", "0.2.0", tree)
    assert about.read_text() == old.replace('"0.1.0"', '"0.2.0"')
    assert rel.bai.about_version("db", tree) == "0.2.0"
    about.write_text('__version__ = "0.1.0"\n__version__ = "0.1.1"\n')
    with pytest.raises(rel.ReleaseError, match=re.escape("exactly one line __version__ = '...', found 2")):
        rel.bump_version("db", "0.2.0", tree)


# --------------------------------------------------------------------------- the validation catches breakage


def _rewrite_metadata(wheel: Path, dest: Path, change) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(wheel) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    name = next(n for n in files if n.endswith(".dist-info/METADATA"))
    files[name] = change(files[name].decode()).encode()
    with zipfile.ZipFile(dest / wheel.name, "w") as zf:
        for n, data in files.items():
            zf.writestr(n, data)
    return dest / wheel.name


def test_metadata_rules_catch_what_pypi_users_would_see(rel: ModuleType, dist_dir: Path, tmp_path: Path) -> None:
    tree = rel.copy_tree(["db"], tmp_path / "tree")
    readme = rel.bai.package_dir("db", tree) / "README.md"
    readme.write_text(
        "# db\n\nSee [the guide](docs/guide.md), [home](https://x.invalid/), [top](#db) and [all](../../README.md).\n"
    )
    (tmp_path / "out").mkdir()

    def change(meta: str) -> str:
        head, _, _ = meta.partition("\n\n")
        head = head.replace("Classifier: Typing :: Typed\n", "Classifier: License :: OSI Approved :: MIT License\n")
        head = head.replace("Classifier: Programming Language :: Python :: 3.13\n", "Classifier: Made :: Up\n")
        head = head.replace("Description-Content-Type: text/markdown", "Description-Content-Type: text/x-rst")
        return head + "\n\n" + readme.read_text()

    broken = _rewrite_metadata(rel.bai.find_dists("db", dist_dir).wheel, tmp_path / "out", change)
    problems = rel.metadata_problems("db", broken, tree)
    assert "classifier 'Typing :: Typed' is missing" in problems
    assert "classifier 'Programming Language :: Python :: 3.13' is missing" in problems
    assert any(
        p.startswith("classifier 'License :: OSI Approved :: MIT License': the licence is given by") for p in problems
    )
    assert "classifier 'Made :: Up' is not a known trove classifier" in problems
    assert "Description-Content-Type is 'text/x-rst', not text/markdown" in problems
    assert "README.md links to 'docs/guide.md', which is not a file of the repository" in problems
    assert not any("https://x.invalid/" in p or "'#db'" in p or "README.md'" in p for p in problems)
    assert "the long description is not README.md" not in problems
    # Once the package declares its public address, relative links must go (they break on PyPI).
    pyproject = rel.bai.package_dir("db", tree) / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[project.urls]\nHomepage = "https://x.invalid/"\n')
    with_address = rel.metadata_problems("db", broken, tree)
    assert "README.md links to '../../README.md', which does not resolve on PyPI: use an absolute URL" in with_address
    assert "README.md links to 'docs/guide.md', which does not resolve on PyPI: use an absolute URL" in with_address
    readme.write_text("# db\n\nsomething else\n")
    assert "the long description is not README.md" in rel.metadata_problems("db", broken, tree)


def test_twine_check_rejects_a_wheel_without_a_long_description(
    rel: ModuleType, dist_dir: Path, tmp_path: Path
) -> None:
    def drop(meta: str) -> str:
        head = meta.partition("\n\n")[0]
        return "\n".join(line for line in head.splitlines() if not line.startswith("Description-Content-Type")) + "\n"

    broken = _rewrite_metadata(rel.bai.find_dists("db", dist_dir).wheel, tmp_path, drop)
    with pytest.raises(rel.ReleaseError) as info:
        rel.twine_check([broken])
    assert "twine check --strict failed" in str(info.value)
    assert "long_description" in str(info.value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["models", "1.0.0"], "'models' is not one of db, utils, auth, admin, rest"),
        (["db"], "give the VERSION to release (only --dry-run may leave it out)"),
        (["db", "0.0.1", "--dry-run"], "0.0.1 is lower than the current version"),
        (["db", "9.9.9", "--dry-run"], "has no '## [9.9.9] - YYYY-MM-DD' entry"),
        (["--tag", "flask-peewee-db-9.9.9"], "is not a release tag"),
        (["--tag", "flask-peewee-db-v9.9.9"], "tag flask-peewee-db-v9.9.9 does not match the tree"),
        (["db", "--tag", "flask-peewee-db-v9.9.9"], "--tag takes the part and version from the tag"),
    ],
)
def test_command_line_refuses_bad_input_before_building(args: list[str], message: str) -> None:
    proc = _release(SCRIPT, *args)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert "building" not in proc.stdout


def test_out_must_be_empty(tmp_path: Path) -> None:
    (tmp_path / "old.whl").write_text("x")
    proc = _release(SCRIPT, "db", "--dry-run", "--out", str(tmp_path))
    assert proc.returncode == 1
    assert f"--out {tmp_path} is not empty" in proc.stderr


# --------------------------------------------------------------------------- the dry run of every package


def _state(repo: Path, part: str) -> tuple[str, str]:
    pkg = f"packages/flask-peewee-{part}"
    status = _git(repo, "status", "--porcelain", "--untracked-files=all", "--", pkg)
    about = (repo / pkg / "src" / "flask_peewee" / part / "__about__.py").read_text()
    return status, about


@pytest.mark.parametrize("part", PARTS)
def test_dry_run_passes_and_leaves_the_tree_untouched(rel: ModuleType, dist_dir: Path, part: str) -> None:
    before = _state(ROOT, part)
    proc = _release(SCRIPT, part, "--dry-run", "--siblings", str(dist_dir))
    assert proc.returncode == 0, proc.stderr
    version = rel.bai.about_version(part)
    assert f"dry run ok: flask-peewee-{part}-v{version} would be released; the tree is unchanged" in proc.stdout
    assert "ok: twine check --strict passes" in proc.stdout
    assert "the wheel installs alone and imports" in proc.stdout
    assert _state(ROOT, part) == before


# --------------------------------------------------------------------------- bumping, in a copy of this repository


@pytest.fixture
def repo(rel: ModuleType, tmp_path: Path) -> Path:
    """A git repository holding a copy of this tree's tools and packages, README links made absolute.

    The links are rewritten because these tests are about versions; the dry runs above check
    the real READMEs.
    """
    repo = tmp_path / "repo"
    listed = subprocess.run(
        [
            "git",
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--",
            ".gitignore",
            "tools",
            "packages",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        src = ROOT / name
        if src.is_file() and "__pycache__" not in src.parts:
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_bytes(src.read_bytes())
    for readme in repo.glob("packages/*/README.md"):
        readme.write_text(re.sub(r"\]\((?!https?:|#|mailto:)[^)]*\)", f"]({HOME})", readme.read_text()))
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "copy of the tree")
    return repo


def _status(repo: Path) -> str:
    """``git status`` of the copy; build folders would be ignored by .gitignore, so they are looked for too."""
    leftovers = [p for p in repo.glob("packages/*/*") if p.name in ("dist", "build") or p.suffix == ".egg-info"]
    assert leftovers == []
    return _git(repo, "status", "--porcelain", "--untracked-files=all")


def _add_entry(repo: Path, part: str, version: str) -> None:
    path = repo / "packages" / f"flask-peewee-{part}" / "CHANGELOG.md"
    path.write_text(
        path.read_text().replace(
            "## [Unreleased]\n", f"## [Unreleased]\n\n## [{version}] - 2025-06-01\n\n### Fixed\n\n- Something.\n", 1
        )
    )
    _git(repo, "commit", "-qam", f"{part}: changelog for {version}")


def test_dry_run_of_a_new_version_builds_it_and_changes_nothing(repo: Path, dist_dir: Path, tmp_path: Path) -> None:
    _add_entry(repo, "utils", "0.2.0")
    out = tmp_path / "out"
    proc = _release(
        repo / "tools" / "release.py", "utils", "0.2.0", "--dry-run", "--siblings", str(dist_dir), "--out", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    assert "dry run ok: flask-peewee-utils-v0.2.0 would be released" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "flask_peewee_utils-0.2.0-py3-none-any.whl",
        "flask_peewee_utils-0.2.0.tar.gz",
    ]
    assert _status(repo) == ""


def test_release_bumps_one_package_and_leaves_the_other_four(
    rel: ModuleType, repo: Path, dist_dir: Path, tmp_path: Path
) -> None:
    _add_entry(repo, "utils", "0.2.0")
    before = {p: rel.bai.about_version(p, repo) for p in PARTS}
    script = repo / "tools" / "release.py"
    proc = _release(script, "utils", "0.2.0", "--siblings", str(dist_dir))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "flask-peewee-utils-v0.2.0"
    assert "flask-peewee-utils 0.1.0 -> 0.2.0" in proc.stdout

    about = "packages/flask-peewee-utils/src/flask_peewee/utils/__about__.py"
    assert _status(repo) == f" M {about}\n"
    diff = [line for line in _git(repo, "diff", "-U0", "--", about).splitlines() if line[:1] in "+-"]
    assert [line for line in diff if not line.startswith(("+++", "---"))] == [
        f'-__version__ = "{before["utils"]}"',
        '+__version__ = "0.2.0"',
    ]
    after = {p: rel.bai.about_version(p, repo) for p in PARTS}
    assert after == {**before, "utils": "0.2.0"}

    # The packages above still accept it: their ranges and the min-version check need no change.
    check = subprocess.run(
        [sys.executable, str(repo / "tools" / "check_min_versions.py"), "auth"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    assert re.search(
        r"flask-peewee-auth: \d+ name\(s\) of flask-peewee-utils>=0\.1\.0 checked against commit", check.stdout
    )

    # Committed and tagged, the same version cannot be released again; CI builds the tag as is.
    _git(repo, "commit", "-qam", "Release flask-peewee-utils-v0.2.0")
    _git(repo, "tag", "flask-peewee-utils-v0.2.0")
    again = _release(script, "utils", "0.2.0", "--siblings", str(dist_dir))
    assert again.returncode == 1
    assert "tag flask-peewee-utils-v0.2.0 already exists" in again.stderr
    out = tmp_path / "dist"
    tagged = _release(script, "--tag", "flask-peewee-utils-v0.2.0", "--out", str(out), "--siblings", str(dist_dir))
    assert tagged.returncode == 0, tagged.stderr
    assert "ok: flask-peewee-utils-v0.2.0 is ready to publish" in tagged.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "flask_peewee_utils-0.2.0-py3-none-any.whl",
        "flask_peewee_utils-0.2.0.tar.gz",
    ]
    with zipfile.ZipFile(out / "flask_peewee_utils-0.2.0-py3-none-any.whl") as zf:
        meta = email.parser.Parser().parsestr(zf.read("flask_peewee_utils-0.2.0.dist-info/METADATA").decode())
    assert meta["Version"] == "0.2.0"
    assert "flask-peewee-db<1,>=0.1.0" in (meta.get_all("Requires-Dist") or [])
    assert _status(repo) == ""


def test_a_failed_release_puts_the_version_back(repo: Path) -> None:
    _add_entry(repo, "db", "0.2.0")
    readme = repo / "packages" / "flask-peewee-db" / "README.md"
    readme.write_text(readme.read_text() + "\nSee [the guide](docs/guide.md).\n")
    _git(repo, "commit", "-qam", "db: a relative link")
    proc = _release(repo / "tools" / "release.py", "db", "0.2.0")
    assert proc.returncode == 1
    assert "README.md links to 'docs/guide.md', which is not a file of the repository" in proc.stderr
    assert "building flask-peewee-db 0.2.0" in proc.stdout
    assert _status(repo) == ""
