#!/usr/bin/env python3
"""Release one package: changelog, version bump, build, validation, install alone, tag to push.

    python tools/release.py PART VERSION            bump PART to VERSION in the tree, build and check it
    python tools/release.py PART [VERSION] --dry-run  the same on a temporary copy: the tree is untouched
    python tools/release.py --tag TAG --out DIR     CI on a pushed tag: check the tree is at that version,
                                                    build and check it, leave exactly its two files in DIR

Steps, for the one package ``flask-peewee-PART``:

1. CHANGELOG.md has a non-empty ``## [VERSION]`` entry (a dry run without VERSION checks
   ``## [Unreleased]`` instead and releases the current version); VERSION is a canonical
   PEP 440 version not lower than the current one; the tag does not exist yet.
2. The package's sibling ranges hold (tools/check_min_versions.py).
3. ``__version__`` in ``src/flask_peewee/PART/__about__.py`` is set to VERSION (the one
   version file hatch reads); nothing else in the tree changes, and a failed release puts
   it back.
4. sdist and wheel are built with tools/build_and_install.py (siblings it needs for the
   install are built too, or taken from ``--siblings DIR``), validated by ``twine check
   --strict`` and by the metadata rules below, and the wheel is installed alone in a fresh
   virtualenv and smoke-imported (build_and_install.check).
5. The tag ``flask-peewee-PART-vVERSION`` to push is printed.

Needs ``build``, ``hatchling`` and ``twine`` in the running Python (the ``repo`` tox env).
"""

from __future__ import annotations

import argparse
import email.message
import email.parser
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent


def _load(name: str) -> ModuleType:
    """A sibling script of tools/ as a module (tools/ is a folder of scripts, not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bai = _load("build_and_install")
cmv = _load("check_min_versions")

#: The Python versions the packages support; each needs its classifier.
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
REQUIRED_CLASSIFIERS = (
    "Programming Language :: Python :: 3 :: Only",
    "Typing :: Typed",
    *(f"Programming Language :: Python :: {v}" for v in PYTHONS),
)
TAG_RE = re.compile(r"^flask-peewee-(?P<part>[a-z]+)-v(?P<version>\S+)$")
_VERSION_LINE = re.compile(r"""^(__version__\s*=\s*)(["'])([^"']*)\2""", re.M)
_HEADING = re.compile(r"^## \[(?P<name>[^\]]+)\](?P<rest>.*)$", re.M)
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*(?P<url>[^)\s]+)[^)]*\)|<img[^>]+src=\"(?P<img>[^\"]+)\"")


class ReleaseError(Exception):
    """A release check failed; the message lists every problem found."""

    def __init__(self, what: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        super().__init__(what + "".join(f"\n  - {p}" for p in self.problems))


@dataclass(frozen=True)
class Result:
    """A release that passed: the version, its tag, and where its two files were left (if kept)."""

    part: str
    version: str
    previous: str
    tag: str
    files: tuple[Path, ...]
    warnings: tuple[str, ...]


# --------------------------------------------------------------------------- names and versions


def tag_name(part: str, version: str) -> str:
    """``flask-peewee-<part>-v<version>``, the one tag form of a package release."""
    return f"{bai.dist_name(part)}-v{version}"


def parse_tag(tag: str) -> tuple[str, str]:
    """``(part, version)`` of a release tag; refs/tags/ prefixes are accepted."""
    match = TAG_RE.match(tag.removeprefix("refs/tags/"))
    if not match or match["part"] not in bai.PARTS:
        raise ReleaseError(
            f"{tag!r} is not a release tag: expected flask-peewee-<part>-vX.Y.Z with part one of {', '.join(bai.PARTS)}"
        )
    return match["part"], match["version"]


def check_version(version: str, current: str) -> None:
    """``version`` is canonical PEP 440 (what the tag and the wheel name will say) and not below ``current``."""
    from packaging.version import InvalidVersion, Version

    try:
        parsed = Version(version)
    except InvalidVersion:
        raise ReleaseError(f"{version!r} is not a valid version (PEP 440, e.g. 1.2.0 or 1.3.0rc1)") from None
    if str(parsed) != version:
        raise ReleaseError(f"{version!r} is not written canonically: use {parsed}")
    if parsed < Version(current):
        raise ReleaseError(f"{version} is lower than the current version {current}")


# --------------------------------------------------------------------------- the changelog


def changelog_sections(text: str) -> dict[str, str]:
    """``{heading name: body}`` of the ``## [...]`` sections of a Keep a Changelog file."""
    headings = list(_HEADING.finditer(text))
    sections = {}
    for i, match in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        body = text[match.end() : end]
        body = re.sub(r"^\[[^\]]+\]:\s*\S+\s*$", "", body, flags=re.M)  # link references at the bottom
        sections.setdefault(match["name"].strip(), body.strip())
    return sections


def changelog_problems(text: str, version: str | None) -> list[str]:
    """What is wrong with CHANGELOG.md for releasing ``version`` (None: the ``Unreleased`` section is checked)."""
    sections = changelog_sections(text)
    if version is None:
        if "Unreleased" not in sections:
            return ["CHANGELOG.md has no '## [Unreleased]' section (Keep a Changelog)"]
        return []
    if version not in sections:
        return [
            f"CHANGELOG.md has no '## [{version}] - YYYY-MM-DD' entry: move the Unreleased notes under it "
            "and keep an empty '## [Unreleased]' above"
        ]
    heading = next(m for m in _HEADING.finditer(text) if m["name"].strip() == version)
    problems = []
    if not re.fullmatch(r"(\s+-\s+\d{4}-\d{2}-\d{2})?\s*", heading["rest"]):
        problems.append(f"CHANGELOG.md heading {heading[0]!r}: write it as '## [{version}] - YYYY-MM-DD'")
    if not sections[version]:
        problems.append(f"CHANGELOG.md entry '## [{version}]' is empty: say what changed")
    return problems


def check_changelog(part: str, version: str | None, root: Path = ROOT) -> None:
    path = bai.package_dir(part, root) / "CHANGELOG.md"
    if not path.is_file():
        raise ReleaseError(f"{bai.dist_name(part)}: {path} is missing")
    problems = changelog_problems(path.read_text(encoding="utf-8"), version)
    if problems:
        raise ReleaseError(f"{bai.dist_name(part)}: the changelog is not ready", problems)


# --------------------------------------------------------------------------- the version file


def about_file(part: str, root: Path = ROOT) -> Path:
    return bai.package_dir(part, root) / "src" / "flask_peewee" / part / "__about__.py"


def bump_version(part: str, version: str, root: Path = ROOT) -> str:
    """Write ``version`` into the part's ``__about__.py`` (only that line changes); return the old text."""
    path = about_file(part, root)
    text = path.read_text(encoding="utf-8")
    matches = list(_VERSION_LINE.finditer(text))
    if len(matches) != 1:
        raise ReleaseError(f"{path} must have exactly one line __version__ = '...', found {len(matches)}")
    match = matches[0]
    path.write_text(text[: match.start(3)] + version + text[match.end(3) :], encoding="utf-8")
    return text


# --------------------------------------------------------------------------- validation beyond build_and_install


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(zf.read(name).decode())


def metadata_problems(part: str, wheel: Path, root: Path = ROOT) -> list[str]:
    """Rules PyPI users see: classifiers, README as markdown long description, links that work there."""
    meta = _metadata(wheel)
    problems = []
    classifiers = meta.get_all("Classifier") or []
    problems += [f"classifier {c!r} is missing" for c in REQUIRED_CLASSIFIERS if c not in classifiers]
    for c in classifiers:
        old = re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", c)
        if old and old[1] not in PYTHONS:
            problems.append(f"classifier {c!r} names a Python outside {PYTHONS[0]}-{PYTHONS[-1]}")
        if c.startswith("License ::"):
            problems.append(f"classifier {c!r}: the licence is given by License-Expression (PEP 639) only")
    try:
        from trove_classifiers import classifiers as known
    except ModuleNotFoundError:  # hatchling depends on it; without it only the rules above apply
        known = None
    if known is not None:
        problems += [f"classifier {c!r} is not a known trove classifier" for c in classifiers if c not in known]
    if meta.get("Description-Content-Type", "").split(";")[0].strip() != "text/markdown":
        problems.append(f"Description-Content-Type is {meta.get('Description-Content-Type')!r}, not text/markdown")
    readme = (bai.package_dir(part, root) / "README.md").read_text(encoding="utf-8")
    if meta.get_payload().strip() != readme.strip():
        problems.append("the long description is not README.md")
    problems += readme_link_problems(part, readme, root)
    return problems


def readme_link_problems(part: str, readme: str, root: Path = ROOT) -> list[str]:
    """Links of a package's README that would be broken where it is read.

    While the project has no public address (no ``[project.urls]`` in the package's
    pyproject.toml), links to the project's own files are relative to the README and must
    name a file of the repository: they work wherever the repository is shown, though not
    on PyPI. Once the project has an address, PyPI users must be able to follow them too, so
    only absolute links are allowed.
    """
    has_address = bool(bai.read_project(part, root).get("urls"))
    folder = bai.package_dir(part, root).relative_to(root)
    problems = []
    for match in _LINK.finditer(readme):
        url = match["url"] or match["img"]
        if re.match(r"^(https?:|mailto:|#)", url):
            continue
        if has_address:
            problems.append(f"README.md links to {url!r}, which does not resolve on PyPI: use an absolute URL")
            continue
        target = (folder / url.split("#", 1)[0]).as_posix()
        # a dry run's tree holds only the packages: the rest of the repository is ROOT's
        if not any(_exists_inside(base, target) for base in (root, ROOT)):
            problems.append(f"README.md links to {url!r}, which is not a file of the repository")
    return problems


def _exists_inside(base: Path, relative: str) -> bool:
    """Whether ``base / relative`` exists without leaving ``base``."""
    base = base.resolve()
    path = Path(os.path.normpath(base / relative))
    return path.is_relative_to(base) and path.exists()


def twine_check(paths: list[Path]) -> None:
    """``twine check --strict``: metadata PyPI accepts, long description that renders."""
    if importlib.util.find_spec("twine") is None:
        raise ReleaseError(
            f"twine is not installed in {sys.executable}: pip install twine (the repo tox env must list it)"
        )
    proc = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, paths)],
        capture_output=True,
        text=True,
        env={**bai._clean_env(), "NO_COLOR": "1"},
    )
    if proc.returncode != 0:
        raise ReleaseError("twine check --strict failed", [bai._tail(proc.stdout + proc.stderr)])


# --------------------------------------------------------------------------- the release


def _tree_files(folder: Path) -> list[Path]:
    """Files of ``folder`` a build would see: git's tracked and unignored files, or every non-cache file."""
    proc = None
    with suppress(OSError):  # no git: every file that is not a cache
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=folder,
            capture_output=True,
            text=True,
        )
    if proc is not None and proc.returncode == 0:
        files = [folder / name for name in proc.stdout.split("\0") if name]
    else:
        files = [p for p in folder.rglob("*") if not bai._is_junk(p.relative_to(folder))]
    return [f for f in files if f.is_file()]


def copy_tree(parts: list[str], dest: Path, root: Path = ROOT) -> Path:
    """Copy the packages ``parts`` of ``root`` (what a build would see) into ``dest``; return ``dest``."""
    for part in parts:
        src = bai.package_dir(part, root)
        for file in _tree_files(src):
            target = dest / file.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target)
    return dest


def _tag_exists(root: Path, tag: str) -> bool:
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "-q", "--verify", f"refs/tags/{tag}"], cwd=root, capture_output=True, text=True
        )
    except OSError:
        return False
    return proc.returncode == 0


@contextmanager
def _bumped(part: str, version: str, root: Path, keep: bool) -> Iterator[str]:
    """Bump the version for the block; put the old text back if it fails or when ``keep`` is false."""
    path = about_file(part, root)
    old = path.read_text(encoding="utf-8")
    if bai.about_version(part, root) != version:
        bump_version(part, version, root)
    ok = False
    try:
        yield old
        ok = True
    finally:
        if not (ok and keep):
            path.write_text(old, encoding="utf-8")


def release(
    part: str,
    version: str | None = None,
    *,
    dry_run: bool = False,
    tagged: bool = False,
    root: Path = ROOT,
    out: Path | None = None,
    siblings: Path | None = None,
    log: bool = True,
) -> Result:
    """Run every release step for one package (see the module docstring); raise :class:`ReleaseError`.

    ``tagged`` is the CI mode: the tree must already be at ``version`` and nothing is bumped.
    ``siblings`` is a folder of already built sibling wheels to install from instead of building them.
    """

    def say(message: str) -> None:
        if log:
            print(message, flush=True)

    try:
        bai._check_part(part)
    except bai.CheckError as exc:
        raise ReleaseError(str(exc)) from None
    dist = bai.dist_name(part)
    current = bai.about_version(part, root)
    if version is None and not dry_run:
        raise ReleaseError("give the VERSION to release (only --dry-run may leave it out)")
    if version is not None:
        check_version(version, current)
    if tagged and version != current:
        raise ReleaseError(
            f"tag {tag_name(part, version or current)} does not match the tree: {about_file(part, root)} says "
            f"{current}; commit the bump made by `python tools/release.py {part} {version}` before tagging"
        )
    check_changelog(part, version, root)
    target = version or current
    tag = tag_name(part, target)
    if not dry_run and not tagged and _tag_exists(root, tag):
        raise ReleaseError(f"tag {tag} already exists: {dist} {target} is released; pick a higher version")
    if out is not None and out.exists() and any(out.iterdir()):
        raise ReleaseError(f"--out {out} is not empty: it must hold only this release's files")

    report = cmv.check(root, [part])
    for warning in report.warnings:
        say(f"warning: {warning}")
    if report.problems:
        raise ReleaseError(f"{dist} uses sibling names its declared ranges do not cover", report.problems)
    say(f"ok: {dist} sibling ranges cover every name it uses")

    with tempfile.TemporaryDirectory(prefix=f"fp-release-{part}-") as tmp:
        work = Path(tmp)
        chain = bai.sibling_chain(part, root)
        tree = copy_tree(chain, work / "tree", root) if dry_run else root
        with _bumped(part, target, tree, keep=not dry_run) as _:
            dist_dir = work / "dist"
            say(f"building {dist} {target} ...")
            try:
                built = bai.build([part], dist_dir, root=tree)[0]
                for sibling in chain:
                    if sibling == part:
                        continue
                    if siblings is not None:
                        found = bai.find_dists(sibling, siblings, root=tree)
                        for path in (found.wheel, found.sdist):
                            shutil.copy2(path, dist_dir)
                    else:
                        bai.build([sibling], dist_dir, root=tree)
            except bai.CheckError as exc:
                raise ReleaseError(str(exc)) from None
            twine_check([built.wheel, built.sdist])
            say(f"ok: twine check --strict passes for {built.wheel.name} and {built.sdist.name}")
            problems = metadata_problems(part, built.wheel, tree)
            if problems:
                raise ReleaseError(f"{built.wheel.name} metadata", problems)
            say("ok: classifiers, README as markdown long description, README links")
            try:
                bai.check(part, dist_dir, venv_dir=work / "venv", root=tree)
            except bai.CheckError as exc:
                raise ReleaseError(str(exc)) from None
            say(f"ok: {built.wheel.name} and {built.sdist.name} contents; the wheel installs alone and imports")
            kept: tuple[Path, ...] = ()
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                kept = tuple(Path(shutil.copy2(p, out)) for p in (built.wheel, built.sdist))
    return Result(part, target, current, tag, kept, tuple(report.warnings))


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("part", nargs="?", metavar="PART", help=f"one of {', '.join(bai.PARTS)}")
    parser.add_argument("version", nargs="?", metavar="VERSION", help="the version to release, e.g. 0.2.0")
    parser.add_argument("--dry-run", action="store_true", help="build and check a temporary copy; change nothing")
    parser.add_argument("--tag", help="CI: release this pushed tag (the tree must already be at its version)")
    parser.add_argument("--out", type=Path, help="an empty folder to receive the package's wheel and sdist")
    parser.add_argument("--siblings", type=Path, help="a folder of built sibling wheels to install from")
    args = parser.parse_args(argv)
    try:
        if args.tag:
            if args.part or args.version or args.dry_run:
                raise ReleaseError("--tag takes the part and version from the tag: give no PART, VERSION or --dry-run")
            part, version = parse_tag(args.tag)
            result = release(part, version, tagged=True, out=args.out, siblings=args.siblings)
        else:
            if not args.part:
                parser.error("give PART (and VERSION), or --tag TAG")
            result = release(args.part, args.version, dry_run=args.dry_run, out=args.out, siblings=args.siblings)
    except ReleaseError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    for path in result.files:
        print(f"kept {path}")
    if args.dry_run:
        print(f"dry run ok: {result.tag} would be released; the tree is unchanged")
    elif args.tag:
        print(f"ok: {result.tag} is ready to publish")
    else:
        about = about_file(result.part).relative_to(ROOT)
        changelog = (bai.package_dir(result.part) / "CHANGELOG.md").relative_to(ROOT)
        bumped = f"{result.previous} -> {result.version}" if result.previous != result.version else result.version
        print(f"ok: {bai.dist_name(result.part)} {bumped}. Next (see CONTRIBUTING.md):")
        print(f'  git commit -m "Release {result.tag}" -- {about} {changelog}')
        print("  merge that commit to main, then tag it and push the tag:")
        print(f"  git tag {result.tag} && git push origin {result.tag}")
        print(result.tag)
    return 0


if __name__ == "__main__":
    sys.exit(main())
