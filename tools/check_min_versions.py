#!/usr/bin/env python3
"""Check that no package uses a sibling API newer than the lowest sibling version it declares.

    python tools/check_min_versions.py [PART ...] [--root DIR]

For each package P and each sibling S in P's dependencies with lower bound X
(``flask-peewee-S>=X,<1``), the check finds the source of S at version X in git:

1. the release tag ``flask-peewee-S-vX`` when it exists (exactly what was published);
2. otherwise the working tree when S's ``__about__.py`` says X now;
3. otherwise the newest commit whose ``__about__.py`` said X (first-parent history: the
   state just before the commit that moved S off X).

It reads S's public names there (``__all__`` of ``flask_peewee/S/__init__.py`` and of
its public submodules such as ``testing.py``, parsed with ``ast`` from ``git show``)
and walks every module of P's ``src/`` with ``ast``: each ``from flask_peewee.S import
name``, ``import flask_peewee.S.sub`` and ``flask_peewee.S.name`` attribute must be
among them. It also reports a sibling below P that P imports without declaring it, a
private sibling module (``flask_peewee.S._x``) imported from P, and a sibling range
without a lower bound. Imports of layers above P are the layering contract's business
(import-linter) and are not looked at here.

A shallow clone cannot show old versions: the check then fails and says to fetch the
history, except when X is S's current version, where it falls back to the working tree
with a warning. Standard library only, plus ``packaging`` (which ``build`` brings).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import ModuleType

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
NAMESPACE = "flask_peewee"


def _load_bai() -> ModuleType:
    """tools/build_and_install.py (tools/ is a folder of scripts, not a package)."""
    name = "build_and_install"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bai = _load_bai()


class MinVersionError(Exception):
    """The check could not run (not a git checkout, shallow history, a version never released)."""


@dataclass(frozen=True)
class Use:
    """One use of a sibling API in a package's source: ``module.name`` at ``path:line``."""

    path: str
    line: int
    module: str
    name: str | None  # None: the module itself is imported


@dataclass
class Report:
    """What the check found: problems fail it; notes and warnings are printed."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- git


def _git(root: Path, *args: str, check: bool = True) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    except OSError as exc:
        raise MinVersionError(f"git is not available: {exc}") from None
    if proc.returncode != 0:
        if check:
            raise MinVersionError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
        return None
    return proc.stdout


def _is_git_checkout(root: Path) -> bool:
    try:
        return _git(root, "rev-parse", "--is-inside-work-tree", check=False) is not None
    except MinVersionError:
        return False


def _is_shallow(root: Path) -> bool:
    return (_git(root, "rev-parse", "--is-shallow-repository", check=False) or "").strip() == "true"


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _about_path(root: Path, part: str) -> str:
    return _rel(root, _src_dir(root, part) / "__about__.py")


def _src_dir(root: Path, part: str) -> Path:
    return bai.package_dir(part, root) / "src" / NAMESPACE / part


def _version_in(text: str) -> str | None:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    return None


# --------------------------------------------------------------------------- where a version lives


@dataclass(frozen=True)
class Source:
    """Where the code of one sibling version is read from: a commit, or the working tree (``commit=None``)."""

    part: str
    version: str
    commit: str | None
    label: str


def tag_name(part: str, version: str) -> str:
    return f"{bai.dist_name(part)}-v{version}"


def find_source(root: Path, part: str, version: str, report: Report) -> Source:
    """The source of ``part`` at ``version``: its tag, the working tree, or the newest commit at that version."""
    current = bai.about_version(part, root)
    dist = bai.dist_name(part)
    if not _is_git_checkout(root):
        if version == current:
            report.warnings.append(f"{root} is not a git checkout: {dist} {version} read from the working tree")
            return Source(part, version, None, "the working tree (no git history)")
        raise MinVersionError(
            f"{root} is not a git checkout, so {dist} {version} cannot be found (the tree has {current}); "
            "run the check in a clone with its history"
        )
    tag = tag_name(part, version)
    commit = _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{tag}^{{commit}}", check=False)
    if commit:
        return Source(part, version, commit.strip(), f"tag {tag}")
    shallow = _is_shallow(root)
    if version == current:
        if shallow:
            report.warnings.append(
                f"shallow clone: cannot look for tag {tag}; {dist} {version} read from the working tree "
                "(fetch the history and tags for an exact check: git fetch --unshallow --tags)"
            )
        return Source(part, version, None, "the working tree")
    if shallow:
        raise MinVersionError(
            f"this clone is shallow, so {dist} {version} (the tree has {current}) cannot be found in its history: "
            "fetch it with `git fetch --unshallow --tags` (GitHub Actions: actions/checkout with fetch-depth: 0)"
        )
    about = _about_path(root, part)
    log = _git(root, "log", "--first-parent", "--format=%H", "HEAD", "--", about) or ""
    seen: list[str] = []
    previous: str | None = None  # the newer commit that moved the version off `version`
    for sha in log.split():
        text = _git(root, "show", f"{sha}:{about}", check=False)
        found = _version_in(text) if text is not None else None
        if found == version:
            commit = f"{previous}^" if previous else sha
            resolved = (_git(root, "rev-parse", commit) or "").strip()
            return Source(part, version, resolved, f"commit {resolved[:12]} (last commit at {version}, no tag {tag})")
        if found and found not in seen:
            seen.append(found)
        previous = sha
    raise MinVersionError(
        f"{dist} was never at version {version} in this history (the tree has {current}"
        + (f"; history has {', '.join(seen)}" if seen else "")
        + "): lower bounds must name a released version; release the sibling first"
    )


# --------------------------------------------------------------------------- the public names of a version


def _files_at(root: Path, source: Source) -> dict[str, str]:
    """``{relative path under src/flask_peewee/<part>/: text}`` of every .py file at ``source``."""
    src = _src_dir(root, source.part)
    if source.commit is None:
        return {_rel(src, p): p.read_text() for p in sorted(src.rglob("*.py")) if "__pycache__" not in p.parts}
    prefix = _rel(root, src) + "/"
    listing = _git(root, "ls-tree", "-r", "--name-only", source.commit, "--", prefix) or ""
    files = {}
    for name in listing.splitlines():
        if name.endswith(".py"):
            files[name.removeprefix(prefix)] = _git(root, "show", f"{source.commit}:{name}") or ""
    return files


def _all_of(text: str, where: str) -> list[str] | None:
    """The literal ``__all__`` of a module (None when it has none); raise when it is not a literal."""
    names: list[str] | None = None
    for node in ast.parse(text).body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets, value = [node.target], node.value
        if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) or value is None:
            continue
        if isinstance(node, ast.AugAssign) and names is not None and not isinstance(value, (ast.List, ast.Tuple)):
            # `__all__ += sorted(...)`: names forwarded from a third party (flask_peewee.db re-exports
            # peewee's); they are not the sibling's own API, so a sibling should import them from there.
            continue
        if not isinstance(value, (ast.List, ast.Tuple)) or not all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
        ):
            raise MinVersionError(f"{where}: __all__ is not a literal list of strings, so it cannot be read")
        found = [e.value for e in value.elts]  # type: ignore[attr-defined]
        names = (names or []) + found if isinstance(node, ast.AugAssign) else found
    return names


def _top_level_names(text: str) -> list[str]:
    """Public names a module without ``__all__`` defines or imports at its top level."""
    names = []
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [(a.asname or a.name).split(".")[0] for a in node.names]
    return [n for n in names if not n.startswith("_")]


def public_api(root: Path, source: Source) -> dict[str, set[str]]:
    """``{module: public names}`` of a sibling at ``source``; submodule names count as names of their parent."""
    files = _files_at(root, source)
    base = f"{NAMESPACE}.{source.part}"
    modules: dict[str, str] = {}
    for rel in files:
        path = PurePosixPath(rel)
        parts = list(path.parent.parts) + ([] if path.name == "__init__.py" else [path.stem])
        if any(p.startswith("_") for p in parts):
            continue  # private modules and __about__
        modules[".".join([base, *parts])] = rel
    if base not in modules:
        raise MinVersionError(f"{bai.dist_name(source.part)} at {source.label} has no {base}/__init__.py")
    api: dict[str, set[str]] = {}
    for module, rel in modules.items():
        text = files[rel]
        names = _all_of(text, f"{bai.dist_name(source.part)} {rel} at {source.label}")
        api[module] = set(names if names is not None else _top_level_names(text))
    for module in modules:
        parent, _, child = module.rpartition(".")
        if parent in api:
            api[parent].add(child)
    return api


# --------------------------------------------------------------------------- the uses in a package


def _dotted(node: ast.expr) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _uses_in(text: str, path: str) -> Iterator[Use]:
    """Every ``flask_peewee.<x>`` import and attribute chain in one module (relative imports are the package's own)."""
    tree = ast.parse(text, filename=path)
    aliases: dict[str, str] = {}  # local name -> dotted module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != NAMESPACE:
                    continue
                yield Use(path, node.lineno, alias.name, None)
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    aliases[NAMESPACE] = NAMESPACE
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != NAMESPACE:
                continue
            if node.module != NAMESPACE:
                yield Use(path, node.lineno, node.module, None)
            for alias in node.names:
                if node.module == NAMESPACE:
                    yield Use(path, node.lineno, f"{NAMESPACE}.{alias.name}", None)
                    aliases[alias.asname or alias.name] = f"{NAMESPACE}.{alias.name}"
                else:
                    yield Use(path, node.lineno, node.module, alias.name)
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    if not aliases:
        return
    for node in ast.walk(tree):
        chain = _dotted(node) if isinstance(node, ast.Attribute) else None
        if chain is None or chain[0] not in aliases:
            continue
        dotted = [*aliases[chain[0]].split("."), *chain[1:]]
        if len(dotted) < 3:
            continue  # `flask_peewee.db` alone: the import itself was recorded
        module = ".".join(dotted[:2])
        yield Use(path, node.lineno, module, ".".join(dotted[2:]))


def package_uses(root: Path, part: str) -> list[Use]:
    """Every ``flask_peewee.*`` use in the working tree's ``src/`` of ``part``, deduplicated."""
    src = _src_dir(root, part)
    uses: dict[tuple[str, int, str, str | None], Use] = {}
    for file in sorted(src.rglob("*.py")):
        if "__pycache__" in file.parts:
            continue
        rel = _rel(root, file)
        try:
            found = list(_uses_in(file.read_text(), rel))
        except SyntaxError as exc:
            raise MinVersionError(f"{rel}: cannot be parsed: {exc}") from None
        for use in found:
            uses[(use.path, use.line, use.module, use.name)] = use
    # An attribute chain `m.a.b` also shows up as `m.a`; keep the longest chain seen at a line.
    longest = {}
    for use in uses.values():
        key = (use.path, use.line, use.module)
        longest.setdefault(key, []).append(use)
    result = []
    for group in longest.values():
        names = [u.name for u in group if u.name]
        for use in group:
            if use.name and any(n != use.name and n.startswith(use.name + ".") for n in names):
                continue
            result.append(use)
    return sorted(result, key=lambda u: (u.path, u.line, u.module, u.name or ""))


def _sibling_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == NAMESPACE else None


def _resolve(use: Use, api: dict[str, set[str]], dist: str, label: str) -> str | None:
    """None when ``use`` is available in ``api``; otherwise why not."""
    base = f"{NAMESPACE}.{_sibling_of(use.module)}"
    steps = [s for s in use.module.removeprefix(base).split(".") if s] + (use.name.split(".") if use.name else [])
    current = base
    for step in steps:
        if step == "*":
            return f"`from {current} import *` cannot be checked against {dist} {label}: import the names"
        if step.startswith("_") and not (step.startswith("__") and step.endswith("__")):
            return f"{current}.{step} is private to {dist}: only public names are covered by a version range"
        if step not in api.get(current, set()):
            return f"{current}.{step} is not a public name of {dist} {label}"
        if f"{current}.{step}" not in api:
            return None  # a public object: its attributes come with it
        current = f"{current}.{step}"
    return None


# --------------------------------------------------------------------------- the check


def _sibling_requirements(root: Path, part: str, report: Report) -> dict[str, tuple[str, Requirement]]:
    """``{sibling part: (requirement as written, parsed)}`` of a package's dependencies."""
    found = {}
    for raw in bai.read_project(part, root).get("dependencies", []):
        try:
            req = Requirement(raw)
        except InvalidRequirement as exc:
            report.problems.append(f"{bai.dist_name(part)}: dependency {raw!r} is not valid: {exc}")
            continue
        name = bai._normalize(req.name)
        if name.startswith("flask-peewee-") and name.removeprefix("flask-peewee-") in bai.PARTS:
            found[name.removeprefix("flask-peewee-")] = (raw, req)
    return found


def lower_bound(req: Requirement) -> str | None:
    """The lowest version a requirement allows (``>=X``, ``==X`` or ``~=X``), or None."""
    bounds = [Version(s.version) for s in req.specifier if s.operator in (">=", "==", "~=")]
    return str(max(bounds)) if bounds else None


def check(root: Path = ROOT, parts: Iterable[str] | None = None) -> Report:
    """Run the check for ``parts`` (every package under ``root/packages`` by default)."""
    report = Report()
    present = [p for p in bai.PARTS if (bai.package_dir(p, root) / "pyproject.toml").is_file()]
    selected = list(parts) if parts is not None else present
    apis: dict[tuple[str, str], tuple[Source, dict[str, set[str]]]] = {}
    for part in selected:
        bai._check_part(part)
        dist = bai.dist_name(part)
        requirements = _sibling_requirements(root, part, report)
        below = set(bai.sibling_chain(part, root)) - {part}
        bounds: dict[str, str] = {}
        for sibling, (raw, req) in requirements.items():
            try:
                low = lower_bound(req)
            except InvalidVersion:
                low = None
            if low is None:
                report.problems.append(f"{dist}: {raw} has no lower bound; declare the lowest version used (>=X,<1)")
                continue
            current = bai.about_version(sibling, root)
            if not req.specifier.contains(current, prereleases=True):
                report.problems.append(
                    f"{dist}: {raw} does not allow {bai.dist_name(sibling)} {current}, the version in this tree"
                )
            bounds[sibling] = low
        by_sibling: dict[str, list[Use]] = {}
        undeclared: set[tuple[str, int, str]] = set()
        for use in package_uses(root, part):
            sibling = _sibling_of(use.module)
            if sibling is None or sibling == part or sibling not in below:
                continue  # the package's own modules; layers above are import-linter's business
            if sibling not in requirements:
                if (use.path, use.line, sibling) in undeclared:
                    continue
                undeclared.add((use.path, use.line, sibling))
                report.problems.append(
                    f"{use.path}:{use.line}: imports {use.module} but {dist} does not declare "
                    f"{bai.dist_name(sibling)}: add it to [project] dependencies"
                )
                continue
            by_sibling.setdefault(sibling, []).append(use)
        for sibling, uses in sorted(by_sibling.items(), key=lambda item: bai.PARTS.index(item[0])):
            if sibling not in bounds:
                continue
            key = (sibling, bounds[sibling])
            if key not in apis:
                source = find_source(root, sibling, bounds[sibling], report)
                apis[key] = (source, public_api(root, source))
            source, api = apis[key]
            sdist = bai.dist_name(sibling)
            label = f"{source.version} ({source.label})"
            failures: dict[tuple[str, int, str], None] = {}
            for use in uses:
                why = _resolve(use, api, sdist, label)
                if why:
                    failures[(use.path, use.line, why)] = None
            for path, line, why in failures:
                report.problems.append(
                    f"{path}:{line}: {why}, the lowest version {dist} allows ({requirements[sibling][0]}): "
                    "raise the lower bound to the version that added it"
                )
            failed = len(failures)
            names = sorted({f"{u.module}.{u.name}" if u.name else u.module for u in uses})
            report.notes.append(
                f"{dist}: {len(names)} name(s) of {sdist}>={bounds[sibling]} checked against {source.label}"
                + (f", {failed} missing" if failed else "")
            )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("parts", nargs="*", metavar="PART", help=f"any of {', '.join(bai.PARTS)} (all by default)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this checkout)")
    args = parser.parse_args(argv)
    try:
        report = check(args.root.resolve(), args.parts or None)
    except (MinVersionError, bai.CheckError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for note in report.notes:
        print(note)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in report.problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    if report.problems:
        return 1
    print("ok: every sibling name used is available in the lowest declared version")
    return 0


if __name__ == "__main__":
    sys.exit(main())
