#!/usr/bin/env python3
"""Developer bootstrap: needs only Python 3.10+ with venv.

    python3 dev.py test [ENV ...] [-- PYTEST ARGS]   every package's tests (tox envs in parallel)
    python3 dev.py demo                             the example app on SQLite at http://127.0.0.1:5000/
    python3 dev.py docs                             the documentation as HTML in docs/_build/html/

It makes virtualenvs under .dev/ with pinned tools (tools/requirements-*.txt) and
rebuilds them when those pins change; nothing is installed outside the project.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEV = ROOT / ".dev"
PACKAGES = ["db", "utils", "auth", "admin", "rest"]


def _bin(env: Path, name: str) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin") / name


def _ensure_venv(env: Path, requirements: list[str], stamp_inputs: list[Path]) -> Path:
    """Create ``env`` with ``requirements`` unless it exists with the same inputs."""
    digest = hashlib.sha256()
    for item in [*requirements, *(p.read_bytes().decode() for p in stamp_inputs)]:
        digest.update(item.encode())
    digest.update(sys.version.encode())
    stamp = env / ".fp-stamp"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return env
    print(f"dev.py: setting up {env.relative_to(ROOT)} ...", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(env)
    python = str(_bin(env, "python"))
    subprocess.run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", *requirements], check=True)
    stamp.write_text(digest.hexdigest())
    return env


def test(args: list[str]) -> int:
    """Run the tox envs (all by default): one per package, lint, layering and repository checks."""
    bootstrap = ROOT / "tools" / "requirements-bootstrap.txt"
    env = _ensure_venv(DEV / "venv", ["-r", str(bootstrap)], [bootstrap])
    envs, rest = args, []
    if "--" in args:
        i = args.index("--")
        envs, rest = args[:i], args[i:]
    tox = str(_bin(env, "tox"))
    if envs:  # the envs asked for, one after the other with their output live
        command = [tox, "run", "-e", ",".join(envs)]
    else:  # every env, as many at once as there are CPUs (each test session has its own databases)
        command = [tox, "run-parallel", "--parallel", "auto", "--parallel-no-spinner"]
    return subprocess.run(command + rest, cwd=ROOT).returncode


def _with_packages(name: str, requirements: Path) -> Path:
    """The venv ``.dev/<name>``: every package editable, and ``requirements``."""
    editable: list[str] = []
    for part in PACKAGES:
        editable += ["-e", str(ROOT / "packages" / f"flask-peewee-{part}")]
    return _ensure_venv(
        DEV / name,
        [*editable, "-r", str(requirements)],
        [requirements, *(ROOT / "packages" / f"flask-peewee-{p}" / "pyproject.toml" for p in PACKAGES)],
    )


def demo(args: list[str]) -> int:
    """Install every package editable with the example's requirements and run the example app."""
    env = _with_packages("demo", ROOT / "examples" / "requirements.txt")
    command = [str(_bin(env, "python")), str(ROOT / "examples" / "run_demo.py"), *args]
    return subprocess.run(command, cwd=ROOT).returncode


def docs(args: list[str]) -> int:
    """Build the documentation's HTML into docs/_build/html/ with warnings as errors (as the docs tox env does)."""
    env = _with_packages("docs", ROOT / "docs" / "requirements.txt")
    out = ROOT / "docs" / "_build" / "html"
    command = [str(_bin(env, "python")), "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "docs", str(out)]
    code = subprocess.run(command + args, cwd=ROOT).returncode
    if code == 0:
        print(f"dev.py: the documentation is in {out / 'index.html'}")
    return code


def main(argv: list[str]) -> int:
    commands = {"test": test, "demo": demo, "docs": docs}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    if sys.version_info < (3, 10):  # noqa: UP036 (dev.py runs on whatever python3 the machine has)
        print("dev.py needs Python 3.10 or newer")
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
