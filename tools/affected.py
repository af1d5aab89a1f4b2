#!/usr/bin/env python3
"""Which tox envs a change needs: the changed packages, every package above them, and the repository envs.

    python tools/affected.py PATH [PATH ...]       the envs for these changed paths
    python tools/affected.py --base REF            the envs for `git diff --name-only REF...HEAD`
    python tools/affected.py --all                 every env (the main branch)
    ... [--json] [--github-output]

Rules (the layers come from each package's declared dependencies, so they follow the
pyproject files): a path under ``packages/flask-peewee-X/`` runs X and every package that
depends on X directly or not (db: all five; utils: utils auth admin rest; auth: auth admin
rest; admin: admin; rest: rest). Any other path (tox.ini, tools/, tests/, the root
pyproject.toml, .github/, .ci/, dev.py, examples/, docs ...) runs everything. Any change at
all also runs the repository envs of tox.ini's ``env_list`` that are not packages (lint,
layering, repo, ...): they are cheap next to the package matrix. No change runs nothing.

The default output is the comma-separated list ``tox run -e`` takes. ``--json`` prints
``{"envs": [...], "packages": [...], "other": [...], "python": [...]}``; ``--github-output``
appends ``packages=``, ``other=`` and ``python=`` (JSON lists) to the file named by
``$GITHUB_OUTPUT`` for a workflow matrix. ``python`` is every supported version with
``--all`` and the oldest and newest otherwise. Standard library only.
"""

from __future__ import annotations

import argparse
import configparser
import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from types import ModuleType

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
#: Python versions the packages support (their classifiers); pull requests run the two ends.
PYTHONS = ("3.10", "3.11", "3.12", "3.13")


def _load_bai() -> ModuleType:
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


class AffectedError(Exception):
    """The changed paths could not be found (git failed, bad base ref)."""


def tox_envs(root: Path = ROOT) -> list[str]:
    """``env_list`` of tox.ini, in order."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(root / "tox.ini")
    raw = config.get("tox", "env_list", fallback="") or config.get("tox", "envlist", fallback="")
    return [e for e in re.split(r"[\s,]+", raw) if e]


def dependents(root: Path = ROOT) -> dict[str, list[str]]:
    """``{part: [part and every package that depends on it, in layer order]}``."""
    chains = {p: bai.sibling_chain(p, root) for p in bai.PARTS}
    return {part: [p for p in bai.PARTS if part in chains[p]] for part in bai.PARTS}


def affected(paths: Iterable[str], root: Path = ROOT) -> list[str]:
    """The tox envs to run for ``paths`` (relative to the repository root), in tox.ini's order."""
    envs = tox_envs(root)
    packages = [e for e in envs if e in bai.PARTS]
    others = [e for e in envs if e not in bai.PARTS]
    above = dependents(root)
    wanted: set[str] = set()
    changed = False
    for raw in paths:
        path = PurePosixPath(raw.strip().replace("\\", "/"))
        if not raw.strip():
            continue
        changed = True
        parts = path.parts
        if len(parts) >= 3 and parts[0] == "packages" and parts[1].removeprefix("flask-peewee-") in bai.PARTS:
            wanted.update(above[parts[1].removeprefix("flask-peewee-")])
        else:
            wanted.update(packages)
    if not changed:
        return []
    wanted.update(others)
    return [e for e in envs if e in wanted]


def changed_paths(base: str, root: Path = ROOT) -> list[str]:
    """``git diff --name-only --no-renames BASE...HEAD``: both names of a rename count."""
    try:
        proc = subprocess.run(
            ["git", "diff", "--name-only", "--no-renames", f"{base}...HEAD"], cwd=root, capture_output=True, text=True
        )
    except OSError as exc:
        raise AffectedError(f"git is not available: {exc}") from None
    if proc.returncode != 0:
        raise AffectedError(
            f"git diff {base}...HEAD failed: {proc.stderr.strip()} (is {base} fetched? CI needs fetch-depth: 0)"
        )
    return [line for line in proc.stdout.splitlines() if line.strip()]


def summary(envs: list[str], full: bool) -> dict[str, list[str]]:
    return {
        "envs": envs,
        "packages": [e for e in envs if e in bai.PARTS],
        "other": [e for e in envs if e not in bai.PARTS],
        "python": list(PYTHONS) if full else [PYTHONS[0], PYTHONS[-1]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("paths", nargs="*", metavar="PATH", help="changed paths, relative to the repository root")
    parser.add_argument("--base", help="compare HEAD with this git ref (from the merge base), e.g. origin/main")
    parser.add_argument("--all", action="store_true", help="every env: the full run of the main branch")
    parser.add_argument("--json", action="store_true", help="print envs, packages, other and python as JSON")
    parser.add_argument("--github-output", action="store_true", help="append the lists to $GITHUB_OUTPUT")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if sum(map(bool, (args.paths, args.base, args.all))) != 1:
        parser.error("give changed PATHs, --base REF or --all (one of them)")
    try:
        if args.all:
            envs = tox_envs(root)
        elif args.base:
            envs = affected(changed_paths(args.base, root), root)
        else:
            envs = affected(args.paths, root)
    except AffectedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    result = summary(envs, full=args.all)
    if args.github_output:
        target = os.environ.get("GITHUB_OUTPUT")
        if not target:
            print("error: --github-output needs the GITHUB_OUTPUT variable (set by GitHub Actions)", file=sys.stderr)
            return 1
        with open(target, "a", encoding="utf-8") as f:
            for key in ("packages", "other", "python"):
                f.write(f"{key}={json.dumps(result[key])}\n")
    if args.json:
        print(json.dumps(result))
    else:
        print(",".join(envs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
