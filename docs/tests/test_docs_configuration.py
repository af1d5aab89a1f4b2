"""docs/configuration.rst lists exactly the keys the packages declare, with the declared defaults.

Each package declares the keys it reads once, in its ``_settings`` module; this test reads the
chapter's tables and compares them with those declarations, and checks that no
``FLASK_PEEWEE_*`` name used in the packages' source is left undeclared.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

import pytest

from flask_peewee.db.settings import Setting

DOCS = Path(__file__).resolve().parent.parent
PACKAGES = DOCS.parent / "packages"
PARTS = ("db", "utils", "auth", "admin", "rest")
#: the parts that read configuration keys; the admin is configured in code only
CONFIGURED = ("db", "utils", "auth", "rest")
_KEY = re.compile(r"\bFLASK_PEEWEE_[A-Z0-9_]*[A-Z0-9]\b")


def _declared() -> dict[str, tuple[str, Setting]]:
    found: dict[str, tuple[str, Setting]] = {}
    for part in CONFIGURED:
        for setting in importlib.import_module(f"flask_peewee.{part}._settings").SETTINGS:
            assert setting.key not in found, f"{setting.key} is declared twice"
            found[setting.key] = (part, setting)
    return found


def _environment() -> dict[str, Setting]:
    from flask_peewee.db._settings import TEST_ENVIRONMENT

    return {setting.key: setting for setting in TEST_ENVIRONMENT}


def _tables() -> list[list[list[str]]]:
    """The list-tables of configuration.rst: tables of rows of cell texts (header row dropped)."""
    tables: list[list[list[str]]] = []
    rows: list[list[str]] | None = None
    for line in (DOCS / "configuration.rst").read_text().splitlines():
        if line.startswith(".. list-table::"):
            rows = []
            tables.append(rows)
        elif rows is not None and line.startswith("   * - "):
            rows.append([line[len("   * - ") :].strip()])
        elif rows is not None and line.startswith("     - "):
            rows[-1].append(line[len("     - ") :].strip())
        elif rows is not None and line.startswith("       ") and rows and rows[-1]:
            rows[-1][-1] += " " + line.strip()
        elif rows is not None and line and not line.startswith(" "):
            rows = None
    return [table[1:] for table in tables]


def _key(cell: str) -> str:
    match = re.fullmatch(r"``([A-Z0-9_]+)``", cell)
    assert match, f"a key cell should be a ``KEY`` literal, got {cell!r}"
    return match.group(1)


def _normalized(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value


def _assert_default(key: str, cell: str, setting: Setting) -> None:
    """The cell shows the declaration: ``(required)``, ``unset`` or the default as a ``literal``."""
    if setting.required:
        assert cell == "(required)", f"{key}: the docs show {cell!r}, the key is required"
        return
    if setting.default is None:
        assert cell == "unset", f"{key}: the docs show {cell!r}, the default is unset (None)"
        return
    match = re.match(r"``(.+?)``", cell)
    assert match, f"{key}: the default cell {cell!r} does not start with a ``literal``"
    try:
        shown = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError):
        shown = match.group(1)  # a bare URL
    assert _normalized(shown) == _normalized(setting.default), (
        f"{key}: the docs show {shown!r}, the declared default is {setting.default!r}"
    )


def test_the_chapter_has_the_configuration_table_and_the_test_environment_table():
    config, environment = _tables()
    assert [len(row) for row in config] == [4] * len(config)
    assert [len(row) for row in environment] == [3] * len(environment)


def test_the_configuration_table_lists_exactly_the_declared_keys():
    config, _environment_table = _tables()
    documented = [_key(row[0]) for row in config]
    assert len(documented) == len(set(documented)), "a key is listed twice"
    assert sorted(documented) == sorted(_declared())


@pytest.mark.parametrize("key", sorted(_declared()))
def test_each_key_is_documented_under_its_package_with_its_default(key):
    config, _environment_table = _tables()
    part, setting = _declared()[key]
    rows = [row for row in config if _key(row[0]) == key]
    assert len(rows) == 1, f"{key} should be listed once in configuration.rst"
    row = rows[0]
    assert row[1] == part, f"{key} is read by {part}, the docs say {row[1]}"
    _assert_default(key, row[2], setting)
    assert row[3], f"{key} has no meaning in the docs"


def test_the_test_environment_table_lists_the_plugin_variables_with_their_defaults():
    _config, environment = _tables()
    declared = _environment()
    assert [_key(row[0]) for row in environment] == list(declared)
    for row in environment:
        _assert_default(_key(row[0]), row[1], declared[_key(row[0])])


def test_every_flask_peewee_key_named_in_the_sources_is_declared():
    declared = set(_declared()) | set(_environment())
    undeclared: dict[str, set[str]] = {}
    for part in PARTS:
        for path in (PACKAGES / f"flask-peewee-{part}" / "src").rglob("*.py"):
            for name in _KEY.findall(path.read_text()):
                # A prefix such as FLASK_PEEWEE_LOGIN_THROTTLE names a family of declared keys.
                if name not in declared and not any(key.startswith(name + "_") for key in declared):
                    undeclared.setdefault(name, set()).add(str(path.relative_to(PACKAGES)))
    assert undeclared == {}


def test_the_declarations_are_settings_with_a_description():
    for part, setting in _declared().values():
        assert isinstance(setting, Setting)
        assert setting.description.strip(), f"{setting.key} ({part}) has no description"
        assert "\n" not in setting.description


def test_the_admin_reads_no_configuration_key():
    sources = "\n".join(path.read_text() for path in (PACKAGES / "flask-peewee-admin" / "src").rglob("*.py"))
    assert "app.config" not in sources
    assert not _KEY.search(sources)
