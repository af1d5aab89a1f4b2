"""The checkout install of docs/installation.rst works as pasted, in a fresh virtualenv.

Each ``python -m pip install ./packages/...`` command of the "From a checkout" section is
run as shown, from the root of the checkout, with the python of one new venv: first the
ones naming fewer layers, then the rest. Third-party dependencies come from the package
index (pip's cache is reused).
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
INSTALLATION = ROOT / "docs" / "installation.rst"
PARTS = ("db", "utils", "auth", "admin", "rest")


def checkout_commands() -> list[list[str]]:
    """The pip commands of the "From a checkout" section, split as a shell would."""
    section = INSTALLATION.read_text().split("\nFrom a checkout\n", 1)[1]
    return [shlex.split(line) for line in re.findall(r"^\s+\$ (python -m pip install \./packages/.*)$", section, re.M)]


def test_the_section_installs_every_layer_and_a_subset_with_the_layers_below():
    commands = checkout_commands()
    named = [{re.sub(r"\[.*\]$", "", arg).removeprefix("./packages/flask-peewee-") for arg in c[4:]} for c in commands]

    assert set(PARTS) in named
    assert {"db", "utils", "auth", "rest"} in named
    for command in commands:
        for folder in command[4:]:
            assert (ROOT / folder).is_dir(), folder


def _installed_parts(python: Path) -> list[str]:
    """The flask_peewee layers the venv imports, each checked to come from the venv itself."""
    code = (
        "import importlib, importlib.util, json, sys\n"
        f"parts = [p for p in {list(PARTS)} if importlib.util.find_spec('flask_peewee.' + p)]\n"
        "files = [importlib.import_module('flask_peewee.' + p).__file__ for p in parts]\n"
        "outside = [f for f in files if not f.startswith(sys.prefix)]\n"
        "print(json.dumps({'parts': parts, 'outside': outside}))\n"
    )
    proc = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True, cwd=python.parent)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["outside"] == []
    return list(found["parts"])


def test_the_checkout_commands_work_from_a_fresh_venv(bai: ModuleType, tmp_path: Path) -> None:
    python = bai.make_venv(tmp_path / "venv")
    env = bai._clean_env()
    for command in sorted(checkout_commands(), key=len):
        proc = subprocess.run([str(python), *command[1:]], cwd=ROOT, capture_output=True, text=True, env=env)
        assert proc.returncode == 0, f"{shlex.join(command)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        named = {arg.removeprefix("./packages/flask-peewee-") for arg in command[4:]}
        assert set(_installed_parts(python)) == named

    check = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    untracked = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "--", "packages"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert [line for line in untracked.stdout.splitlines() if line.startswith("??")] == []
