#!/usr/bin/env python3
"""Build each package's sdist and wheel, then install one wheel alone and smoke-test it.

    python tools/build_and_install.py build [PART ...] --out DIR
    python tools/build_and_install.py check PART [PART ...] --dist DIR [--venv DIR]

``build`` runs ``python -m build --no-isolation`` in ``packages/flask-peewee-<part>``
(the running interpreter needs ``build`` and ``hatchling``: the tox env ``repo`` has
them). ``check`` validates the wheel and sdist of a part found in DIR, makes a fresh
virtualenv, installs that one wheel with ``pip install --find-links DIR`` (siblings
from DIR, third-party dependencies from the package index, pip's cache reused), runs
``pip check`` and then this same file inside the venv (``smoke``): the part imports,
its ``__version__`` is the tree's, ``flask_peewee`` is a namespace package and every
layer above it is absent. The packaging tests (tests/test_packaging.py) and the
release dry-run call these functions; the script uses the standard library only
(plus ``tomli`` on Python 3.10, which ``build`` brings).
"""

from __future__ import annotations

import argparse
import ast
import configparser
import email.parser
import importlib
import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("db", "utils", "auth", "admin", "rest")
#: Layers that must not be importable when only this part (and what it needs) is installed.
ABOVE = {
    "db": ("utils", "auth", "admin", "rest"),
    "utils": ("auth", "admin", "rest"),
    "auth": ("admin", "rest"),
    "admin": ("rest",),
    "rest": ("admin",),
}
#: Third-party modules only an upper layer may bring (DESIGN: only admin needs wtf-peewee).
FORBIDDEN_THIRD_PARTY = {part: () if part == "admin" else ("wtfpeewee",) for part in PARTS}
REQUIRES_PYTHON = ">=3.10"
LICENSE_EXPRESSION = "MIT"
#: Each distribution's licence: ours is MIT; rest also ships Swagger UI's files (Apache-2.0) for its explorer.
LICENSE_EXPRESSIONS = dict.fromkeys(PARTS, LICENSE_EXPRESSION) | {"rest": "MIT AND Apache-2.0"}
SDIST_REQUIRED = ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", "PKG-INFO")
_CACHE_PARTS = ("__pycache__", ".pytest_cache", ".tox", ".ruff_cache", ".mypy_cache")


class CheckError(Exception):
    """A package failed a build, content, install or smoke check; the message lists every problem."""

    def __init__(self, what: str, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"{what}:\n" + "\n".join(f"  - {p}" for p in self.problems))


@dataclass(frozen=True)
class Built:
    """The sdist and wheel of one part, as found in a dist directory."""

    part: str
    version: str
    wheel: Path
    sdist: Path


# --------------------------------------------------------------------------- the source tree


def _check_part(part: str) -> str:
    if part not in PARTS:
        raise CheckError("unknown part", [f"{part!r} is not one of {', '.join(PARTS)}"])
    return part


def package_dir(part: str, root: Path = ROOT) -> Path:
    """The folder ``packages/flask-peewee-<part>`` of the tree at ``root``."""
    return root / "packages" / f"flask-peewee-{_check_part(part)}"


def dist_name(part: str) -> str:
    return f"flask-peewee-{part}"


def _file_stem(part: str) -> str:
    return f"flask_peewee_{part}"


def _read_pyproject(part: str, root: Path = ROOT) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: build depends on tomli there
        import tomli as tomllib  # type: ignore[no-redef]
    with open(package_dir(part, root) / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def read_project(part: str, root: Path = ROOT) -> dict[str, Any]:
    """The ``[project]`` table of a part's pyproject.toml."""
    return _read_pyproject(part, root)["project"]


def namespace_modules(part: str, root: Path = ROOT) -> list[str]:
    """Plain modules the part ships at the namespace level (``flask_peewee/exceptions.py``), from its wheel's
    ``only-include``: the original's modules without a package of their own (DESIGN.md). Never ``__init__.py``.
    """
    wheel = _read_pyproject(part, root).get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {})
    found = []
    for entry in wheel.get("wheel", {}).get("only-include", []):
        path = PurePosixPath(entry)
        if path.parent == PurePosixPath("src/flask_peewee") and path.suffix == ".py":
            found.append(path.name)
    return sorted(found)


def about_version(part: str, root: Path = ROOT) -> str:
    """``__version__`` as written in ``src/flask_peewee/<part>/__about__.py`` (read, not imported)."""
    path = package_dir(part, root) / "src" / "flask_peewee" / part / "__about__.py"
    for node in ast.parse(path.read_text()).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise CheckError(f"{dist_name(part)}", [f"{path} has no literal __version__ = '...'"])


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sibling_chain(part: str, root: Path = ROOT) -> list[str]:
    """The part and every sibling it depends on, directly or not, from the pyproject files."""
    seen: list[str] = []
    todo = [part]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        for req in read_project(current, root).get("dependencies", []):
            name = _parse_requirement(req)[0]
            if name.startswith("flask-peewee-") and name.removeprefix("flask-peewee-") in PARTS:
                todo.append(name.removeprefix("flask-peewee-"))
    return [p for p in PARTS if p in seen]


# --------------------------------------------------------------------------- building


def build(
    parts: list[str] | tuple[str, ...], out: Path, *, root: Path = ROOT, python: str = sys.executable
) -> list[Built]:
    """Build sdist and wheel of each part into ``out`` (``python -m build --no-isolation``)."""
    out.mkdir(parents=True, exist_ok=True)
    built = []
    for part in parts:
        src = package_dir(part, root)
        proc = subprocess.run(
            [python, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)],
            capture_output=True,
            text=True,
            env=_clean_env(),
        )
        if proc.returncode != 0:
            raise CheckError(f"building {dist_name(part)} failed", [_tail(proc.stdout + proc.stderr)])
        built.append(find_dists(part, out, root=root))
    return built


def find_dists(part: str, dist_dir: Path, *, root: Path = ROOT, version: str | None = None) -> Built:
    """The wheel and sdist of ``part`` at the tree's version (or ``version``) in ``dist_dir``."""
    version = version or about_version(part, root)
    stem = f"{_file_stem(part)}-{version}"
    wheel = dist_dir / f"{stem}-py3-none-any.whl"
    sdist = dist_dir / f"{stem}.tar.gz"
    missing = [f"{p.name} is not in {dist_dir}" for p in (wheel, sdist) if not p.is_file()]
    if missing:
        others = sorted(p.name for p in dist_dir.glob(f"{_file_stem(part)}-*"))
        if others:
            missing.append(f"found instead: {', '.join(others)}")
        raise CheckError(f"{dist_name(part)} {version} is not built", missing)
    return Built(part, version, wheel, sdist)


# --------------------------------------------------------------------------- content rules


def _parse_requirement(req: str) -> tuple[str, frozenset[str], frozenset[str], str]:
    """(normalized name, extras, specifiers, marker) of a PEP 508 string, enough to compare them."""
    req, _, marker = req.partition(";")
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*\(?([^)]*)\)?\s*$", req)
    if not match:
        return req.strip(), frozenset(), frozenset(), marker.strip()
    name, extras, spec = match.groups()
    extras_set = frozenset(_normalize(e) for e in (extras or "").split(",") if e.strip())
    spec_set = frozenset(s for s in re.sub(r"\s+", "", spec).split(",") if s)
    marker = re.sub(r"\s+", " ", marker.replace("'", '"')).strip()
    return _normalize(name), extras_set, spec_set, marker


def _metadata_problems(meta_text: str, project: dict[str, Any], version: str, where: str) -> list[str]:
    meta = email.parser.Parser().parsestr(meta_text)
    problems = []

    def expect(field: str, wanted: str | None) -> None:
        got = meta.get(field)
        if got != wanted:
            problems.append(f"{where}: {field} is {got!r}, expected {wanted!r}")

    expect("Name", project["name"])
    expect("Version", version)
    expect("Summary", project.get("description"))
    part = str(project["name"]).removeprefix("flask-peewee-")
    expect("License-Expression", LICENSE_EXPRESSIONS.get(part, LICENSE_EXPRESSION))
    expect("Requires-Python", REQUIRES_PYTHON)
    if project.get("requires-python") != REQUIRES_PYTHON:
        problems.append(
            f"pyproject.toml: requires-python is {project.get('requires-python')!r}, expected {REQUIRES_PYTHON!r}"
        )
    if "LICENSE" not in (meta.get_all("License-File") or []):
        problems.append(f"{where}: no License-File: LICENSE")

    declared = {_parse_requirement(r)[:3] for r in project.get("dependencies", [])}
    required, optional = set(), set()
    for line in meta.get_all("Requires-Dist") or []:
        name, extras, spec, marker = _parse_requirement(line)
        extra = re.search(r'extra == "([^"]+)"', marker)
        if extra:
            optional.add((_normalize(extra.group(1)), name, extras, spec))
        else:
            required.add((name, extras, spec))
    for name, _, spec in sorted(declared - required, key=str):
        problems.append(f"{where}: declared dependency {name}{','.join(sorted(spec))} missing from Requires-Dist")
    for name, _, spec in sorted(required - declared, key=str):
        problems.append(f"{where}: Requires-Dist {name}{','.join(sorted(spec))} is not declared in pyproject.toml")
    declared_extras = {_normalize(e): reqs for e, reqs in project.get("optional-dependencies", {}).items()}
    provided = {_normalize(e) for e in meta.get_all("Provides-Extra") or []}
    if provided != set(declared_extras):
        problems.append(f"{where}: Provides-Extra {sorted(provided)} != declared extras {sorted(declared_extras)}")
    for extra, reqs in declared_extras.items():
        for req in reqs:
            if (extra, *_parse_requirement(req)[:3]) not in optional:
                problems.append(f"{where}: optional dependency {req!r} of extra {extra!r} missing from Requires-Dist")

    urls = {}
    for line in meta.get_all("Project-URL") or []:
        label, _, url = line.partition(",")
        urls[label.strip()] = url.strip()
    # No [project.urls] while the project has no public address; when there are some, they must ship.
    if urls != project.get("urls", {}):
        problems.append(f"{where}: Project-URL {urls} != [project.urls] {project.get('urls', {})}")
    if not meta.get_payload().strip():
        problems.append(f"{where}: no long description (README.md)")
    return problems


def check_wheel(part: str, wheel: Path, *, root: Path = ROOT) -> None:
    """Validate a wheel's files and metadata against the part's pyproject; raise :class:`CheckError`."""
    project = read_project(part, root)
    version = about_version(part, root)
    info = f"{_file_stem(part)}-{version}.dist-info"
    problems = []
    expected_name = f"{_file_stem(part)}-{version}-py3-none-any.whl"
    if wheel.name != expected_name:
        problems.append(f"wheel file is named {wheel.name}, expected {expected_name}")
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        read = {n: zf.read(n).decode() for n in names if n.startswith(f"{info}/") and "/licenses/" not in n}
    prefix = f"flask_peewee/{part}/"
    modules = {f"flask_peewee/{m}" for m in namespace_modules(part, root) if m != "__init__.py"}
    for name in names:
        path = PurePosixPath(name)
        if name in modules:
            continue
        if not (name.startswith(prefix) or name.startswith(f"{info}/")):
            problems.append(f"{name} is outside {prefix} and {info}/")
        if path.parts[0] == "flask_peewee" and len(path.parts) == 2:
            problems.append(f"{name} sits at the namespace level (flask_peewee must stay a PEP 420 namespace)")
        if _is_junk(path) or {"tests", "examples"} & set(path.parts[:-1]):
            problems.append(f"{name} should not ship in a wheel")
        if path.name == "conftest.py" or (path.name.startswith("test_") and path.suffix == ".py"):
            problems.append(f"{name} is a test file and should not ship in a wheel")
    problems += [f"{m} is declared in only-include but missing" for m in sorted(modules - set(names))]
    for required in ("__init__.py", "__about__.py", "py.typed"):
        if prefix + required not in names:
            problems.append(f"{prefix}{required} is missing")
    # each translation catalogue's .po ships compiled: the build hook (hatch_build.py) makes the .mo
    for source in sorted(tracked_files(package_dir(part, root), "src")):
        if source.endswith(".po"):
            compiled = PurePosixPath(source).relative_to("src").with_suffix(".mo").as_posix()
            if compiled not in names:
                problems.append(f"{compiled} (compiled from {source}) is missing")
    for required in ("METADATA", "WHEEL", "RECORD", "licenses/LICENSE"):
        if f"{info}/{required}" not in names:
            problems.append(f"{info}/{required} is missing")
    if f"{info}/METADATA" in read:
        problems += _metadata_problems(read[f"{info}/METADATA"], project, version, "METADATA")
    wheel_file = email.parser.Parser().parsestr(read.get(f"{info}/WHEEL", ""))
    if wheel_file.get("Root-Is-Purelib") != "true" or wheel_file.get_all("Tag") != ["py3-none-any"]:
        problems.append(f"WHEEL: expected a pure py3-none-any wheel, got tags {wheel_file.get_all('Tag')}")
    declared_eps = {group: dict(eps) for group, eps in project.get("entry-points", {}).items()}
    if project.get("scripts"):
        declared_eps["console_scripts"] = dict(project["scripts"])
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(read.get(f"{info}/entry_points.txt", ""))
    shipped_eps = {section: dict(parser[section]) for section in parser.sections()}
    if shipped_eps != declared_eps:
        problems.append(f"entry_points.txt {shipped_eps} != declared entry points {declared_eps}")
    if problems:
        raise CheckError(f"wheel {wheel.name}", problems)


def _is_junk(path: PurePosixPath | Path) -> bool:
    """A cache or compiled file that no distribution should carry."""
    return bool(set(_CACHE_PARTS) & set(path.parts)) or path.suffix in (".pyc", ".pyo")


def tracked_files(pkg: Path, folder: str) -> set[str]:
    """Files under ``pkg/folder`` that a build must pick up: git's tracked files, or all files outside git."""
    try:
        proc = subprocess.run(["git", "ls-files", "-z", "--", folder], cwd=pkg, capture_output=True, text=True)
    except OSError:  # no git: not a checkout we can ask
        proc = None
    if proc is not None and proc.returncode == 0:
        paths = [pkg / name for name in proc.stdout.split("\0") if name]
    else:
        paths = list((pkg / folder).rglob("*"))
    return {p.relative_to(pkg).as_posix() for p in paths if p.is_file() and not _is_junk(p.relative_to(pkg))}


def check_sdist(part: str, sdist: Path, *, root: Path = ROOT) -> None:
    """Validate an sdist: the project files, every source and test file, no caches; raise :class:`CheckError`."""
    project = read_project(part, root)
    version = about_version(part, root)
    top = f"{_file_stem(part)}-{version}"
    pkg = package_dir(part, root)
    problems = []
    with tarfile.open(sdist) as tf:
        members = [m for m in tf.getmembers() if m.isfile()]
        names = {m.name for m in members}
        pkg_info = next((m for m in members if m.name == f"{top}/PKG-INFO"), None)
        pkg_info_text = tf.extractfile(pkg_info).read().decode() if pkg_info else ""  # type: ignore[union-attr]
    outside = sorted(n for n in names if not n.startswith(f"{top}/"))
    problems += [f"{n} is outside the {top}/ folder" for n in outside]
    rel = {n.removeprefix(f"{top}/") for n in names}
    for required in SDIST_REQUIRED:
        if required not in rel:
            problems.append(f"{required} is missing")

    src_files, test_files = tracked_files(pkg, "src"), tracked_files(pkg, "tests")
    for required in ("__init__.py", "__about__.py", "py.typed"):
        src_files.add(f"src/flask_peewee/{part}/{required}")
    problems += [f"{f} from the source tree is missing" for f in sorted((src_files | test_files) - rel)]
    if "src/flask_peewee/__init__.py" in rel:
        problems.append("src/flask_peewee/__init__.py ships (flask_peewee must stay a PEP 420 namespace)")
    for name in sorted(rel):
        path = PurePosixPath(name)
        if _is_junk(path) or path.parts[0] in ("dist", "build"):
            problems.append(f"{name} is a cache or build artefact")
    if pkg_info_text:
        problems += _metadata_problems(pkg_info_text, project, version, "PKG-INFO")
    if problems:
        raise CheckError(f"sdist {sdist.name}", problems)


# --------------------------------------------------------------------------- installing


def _bin(env: Path, name: str) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin") / name


def _clean_env() -> dict[str, str]:
    """The environment without what would leak the source tree or another venv into a child."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def make_venv(path: Path) -> Path:
    """Create a fresh virtualenv with pip at ``path``; return its python."""
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return _bin(path, "python")


def install(python: Path, wheel: Path, dist_dir: Path) -> None:
    """``pip install --find-links dist_dir wheel`` in the venv of ``python``, then ``pip check``."""
    for command in (
        [str(python), "-m", "pip", "install", "--find-links", str(dist_dir), str(wheel)],
        [str(python), "-m", "pip", "check"],
    ):
        proc = subprocess.run(command, capture_output=True, text=True, env=_clean_env(), cwd=python.parent)
        if proc.returncode != 0:
            raise CheckError(f"{' '.join(command[1:4])} {wheel.name} failed", [_tail(proc.stdout + proc.stderr)])


def smoke(python: Path, part: str, *, root: Path = ROOT) -> None:
    """Run the import checks for ``part`` inside the venv of ``python``; raise :class:`CheckError`."""
    chain = sibling_chain(part, root)
    expect = {
        "part": part,
        "modules": [f"flask_peewee.{m.removesuffix('.py')}" for m in namespace_modules(part, root)],
        "version": about_version(part, root),
        "above": [f"flask_peewee.{p}" for p in ABOVE[part]],
        "forbidden": list(FORBIDDEN_THIRD_PARTY[part]),
        "dists": {dist_name(p): about_version(p, root) for p in chain},
        "absent_dists": [dist_name(p) for p in PARTS if p not in chain] + ["flask-peewee"],
    }
    proc = subprocess.run(
        [str(python), "-I", str(Path(__file__).resolve()), "smoke", json.dumps(expect)],
        capture_output=True,
        text=True,
        env=_clean_env(),
        cwd=python.parent,
    )
    if proc.returncode != 0:
        try:
            problems = json.loads(proc.stdout.strip().splitlines()[-1])["problems"]
        except (ValueError, KeyError, IndexError):
            problems = [_tail(proc.stdout + proc.stderr)]
        raise CheckError(f"smoke test of {dist_name(part)} in {python.parent.parent}", problems)


def check(part: str, dist_dir: Path, *, venv_dir: Path | None = None, root: Path = ROOT) -> Path:
    """Validate the part's wheel and sdist in ``dist_dir``, install the wheel alone in a fresh venv, smoke it.

    Returns the venv's python; with no ``venv_dir`` the venv lives in a temporary folder that is removed.
    """
    built = find_dists(part, dist_dir, root=root)
    problems = []
    for validate, path in ((check_wheel, built.wheel), (check_sdist, built.sdist)):
        try:
            validate(part, path, root=root)
        except CheckError as exc:
            problems += [f"{path.name}: {p}" for p in exc.problems]
    if problems:
        raise CheckError(f"{dist_name(part)} {built.version} contents", problems)
    if venv_dir is None:
        with tempfile.TemporaryDirectory(prefix=f"fp-{part}-") as tmp:
            return _install_and_smoke(part, built, dist_dir, Path(tmp), root)
    return _install_and_smoke(part, built, dist_dir, venv_dir, root)


def _install_and_smoke(part: str, built: Built, dist_dir: Path, venv_dir: Path, root: Path) -> Path:
    python = make_venv(venv_dir)
    install(python, built.wheel, dist_dir)
    smoke(python, part, root=root)
    return python


# --------------------------------------------------------------------------- inside the venv


def _smoke_inside(expect: dict[str, Any]) -> list[str]:
    """The checks run by the venv's own python: only the standard library is used here."""
    problems = []
    part = expect["part"]
    name = f"flask_peewee.{part}"
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # any import failure is the finding
        return [f"import {name} failed: {type(exc).__name__}: {exc}"]
    if getattr(module, "__version__", None) != expect["version"]:
        problems.append(
            f"{name}.__version__ is {getattr(module, '__version__', None)!r}, expected {expect['version']!r}"
        )
    location = Path(module.__file__ or "").resolve()
    if not location.is_relative_to(Path(sys.prefix).resolve()):
        problems.append(f"{name} was imported from {location}, not from the venv {sys.prefix}")
    if not (location.parent / "py.typed").is_file():
        problems.append(f"{name} has no py.typed beside {location.name}")
    for extra in expect.get("modules", []):
        try:
            extra_module = importlib.import_module(extra)
        except Exception as exc:  # any import failure is the finding
            problems.append(f"import {extra} failed: {type(exc).__name__}: {exc}")
            continue
        if not Path(extra_module.__file__ or "").resolve().is_relative_to(Path(sys.prefix).resolve()):
            problems.append(f"{extra} was imported from {extra_module.__file__}, not from the venv {sys.prefix}")
    namespace = sys.modules["flask_peewee"]
    if getattr(namespace, "__file__", None) is not None:
        problems.append(f"flask_peewee is a regular package ({namespace.__file__}), not a PEP 420 namespace")
    for upper in expect["above"]:
        spec = importlib.util.find_spec(upper)
        if spec is not None:
            problems.append(f"{upper} is importable ({spec.origin}) though only {name} was installed")
    for other in expect["forbidden"]:
        if importlib.util.find_spec(other) is not None:
            problems.append(f"{other} is installed though {name} does not need it")
    for dist, version in expect["dists"].items():
        try:
            found = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"distribution {dist} is not installed")
            continue
        if found != version:
            problems.append(f"distribution {dist} {found} is installed, expected {version} (the one built)")
    for dist in expect["absent_dists"]:
        try:
            found = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
        problems.append(f"distribution {dist} {found} is installed though {name} does not depend on it")
    return problems


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="build sdist and wheel of the parts (all by default)")
    p_build.add_argument("parts", nargs="*", metavar="PART", help=f"any of {', '.join(PARTS)}")
    p_build.add_argument("--out", type=Path, required=True, help="folder for the built files")
    p_check = sub.add_parser("check", help="validate, install alone in a fresh venv and smoke-test")
    p_check.add_argument("parts", nargs="+", metavar="PART", help=f"any of {', '.join(PARTS)}")
    p_check.add_argument("--dist", type=Path, required=True, help="folder holding every built wheel")
    p_check.add_argument("--venv", type=Path, help="keep the venv(s) here (one subfolder per part)")
    p_smoke = sub.add_parser("smoke", help="(internal) the checks run inside the fresh venv")
    p_smoke.add_argument("expect", help="JSON describing what must and must not be importable")
    args = parser.parse_args(argv)

    if args.command == "smoke":
        problems = _smoke_inside(json.loads(args.expect))
        print(json.dumps({"problems": problems}))
        return 1 if problems else 0
    try:
        if args.command == "build":
            for b in build(args.parts or PARTS, args.out.resolve()):
                print(f"built {b.wheel.name} and {b.sdist.name}")
            return 0
        for part in args.parts:
            _check_part(part)
        failed = 0
        for part in args.parts:
            try:
                venv_dir = args.venv.resolve() / part if args.venv else None
                check(part, args.dist.resolve(), venv_dir=venv_dir)
                print(f"ok: {dist_name(part)} installs alone, imports, and the layers above it are absent")
            except CheckError as exc:
                failed += 1
                print(f"FAILED: {exc}", file=sys.stderr)
        return 1 if failed else 0
    except CheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
