"""The root README points the way: the install command the docs test, the documentation and how to
build it, and what to read next."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_install_command_is_the_checkout_command_of_the_installation_page():
    installation = (ROOT / "docs" / "installation.rst").read_text().split("\nFrom a checkout\n", 1)[1]
    tested = re.findall(r"^\s+\$ (python -m pip install \./packages/.*)$", installation, re.M)

    shown = re.findall(r"^\s*(python -m pip install \./packages/.*)$", README, re.M)

    assert shown
    assert set(shown) <= set(tested)
    assert all(f"./packages/flask-peewee-{part}" in shown[0] for part in ("db", "utils", "auth", "admin", "rest"))


def test_readme_links_the_documentation_and_says_how_to_build_it():
    dev = (ROOT / "dev.py").read_text()
    tox = (ROOT / "tox.ini").read_text()

    assert "](docs/index.rst)" in README
    assert "python3 dev.py docs" in README
    assert '"docs": docs' in dev
    assert 'ROOT / "docs" / "requirements.txt"' in dev
    # the command builds with the same pins as the docs tox env, whose tests build with -W
    docs_env = tox.split("[testenv:docs]", 1)[1].split("\n[", 1)[0]
    assert "-r docs/requirements.txt" in docs_env
    assert not re.search(r"^\s+(sphinx|furo)\b", docs_env, re.M)


def test_what_next_lists_the_tutorial_each_layer_deployment_and_migrating():
    section = README.split("## What next", 1)[1].split("\n## ", 1)[0]

    linked = set(re.findall(r"\]\(docs/(\w+)\.rst\)", section))

    assert {"tutorial", "database", "utils", "auth", "admin", "rest", "deployment", "migrating"} <= linked
