"""The original single-package flask-peewee beside ours is detected and named."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest

import flask_peewee.db
from flask_peewee.db._namespace import check_namespace


def test_our_namespace_passes_the_check():
    check_namespace()
    assert getattr(sys.modules["flask_peewee"], "__file__", None) is None


def test_a_regular_flask_peewee_package_is_refused(monkeypatch):
    fake = types.ModuleType("flask_peewee")
    fake.__file__ = "/site-packages/flask_peewee/__init__.py"
    monkeypatch.setitem(sys.modules, "flask_peewee", fake)
    with pytest.raises(ImportError) as info:
        check_namespace()
    message = str(info.value)
    assert "'flask-peewee' distribution" in message
    assert "/site-packages/flask_peewee/__init__.py" in message
    assert "pip uninstall flask-peewee" in message


def test_importing_beside_the_original_package_fails_clearly(tmp_path):
    # The usual clash: pip puts the original's flask_peewee/__init__.py into the same
    # folder as our flask_peewee/db/. Rebuild that layout and import in a fresh interpreter.
    site = tmp_path / "site"
    package = site / "flask_peewee"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("# the original flask-peewee\n")
    (package / "db").symlink_to(Path(flask_peewee.db.__file__).parent, target_is_directory=True)
    result = subprocess.run(
        [sys.executable, "-c", "import flask_peewee.db"],
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "ImportError" in result.stderr
    assert "The 'flask-peewee' distribution (the original single package)" in result.stderr
    assert str(package / "__init__.py") in result.stderr
