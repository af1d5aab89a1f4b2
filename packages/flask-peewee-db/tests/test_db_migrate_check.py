"""``flask fp migrate-check`` and ``flask-peewee-migrate-check`` on small apps written for the original.

This env has flask-peewee-db alone, so names of the upper layers are reported as not
installed; tests/ at the repository root and compat/ run it with every package.
"""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner
from flask import Flask

from flask_peewee.db import Database
from flask_peewee.db.migrate_check import Finding, format_findings, main, register, scan


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    return root


def _found(findings: list[Finding]) -> set[tuple[str, int, str, str]]:
    return {(f.path, f.line, f.severity, f.code) for f in findings}


def test_peewee_names_through_flask_peewee_db_need_no_change(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app.py": """\
                from flask_peewee.db import Database, CharField, Model, SqliteDatabase
                from flask_peewee.db import *
                from flask_peewee.exceptions import ImproperlyConfigured
                import flask_peewee.db as fpdb
            """
        },
    )
    assert scan(tmp_path) == []


def test_names_that_do_not_exist_and_layers_not_installed(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app.py": """\
                from flask_peewee.db import NoSuchThing
                from flask_peewee.rest import RestAPI
                from flask_peewee import admin
                from flask_peewee.nowhere import x
            """
        },
    )
    findings = scan(tmp_path)
    assert _found(findings) == {
        ("app.py", 1, "change", "import"),
        ("app.py", 2, "change", "import"),
        ("app.py", 3, "change", "import"),
        ("app.py", 4, "change", "import"),
    }
    messages = [f.message for f in sorted(findings, key=lambda f: f.line)]
    assert messages[0] == "flask_peewee.db has no name NoSuchThing"
    assert "pip install flask-peewee-rest" in messages[1]
    assert "pip install flask-peewee-admin" in messages[2]
    assert "not a module of flask-peewee" in messages[3]


def test_python_2_and_removed_library_spellings(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "models.py": """\
                from flask import Markup
                from werkzeug import secure_filename
                from peewee import ForeignKeyField, Model

                class Relationship(Model):
                    to_user = ForeignKeyField(Model, related_name="related_to")

                    def __unicode__(self):
                        return "x"
            """,
            "config.py": """\
                DATABASE = {"name": "example.db", "engine": "peewee.SqliteDatabase", "threadlocals": True}
            """,
            "py2.py": "print 'hello'\n",
        },
    )
    found = _found(scan(tmp_path))
    assert found == {
        ("models.py", 1, "change", "import"),
        ("models.py", 2, "change", "import"),
        ("models.py", 6, "look", "peewee"),
        ("models.py", 8, "look", "python3"),
        ("config.py", 1, "look", "config"),
        ("py2.py", 1, "change", "syntax"),
    }


def test_templates_logout_links_and_login_forms_without_a_token(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "templates/base.html": """\
                <a href="{{ url_for('auth.logout') }}">log out</a>
                <form method="post" action="{{ url_for('auth.login') }}">
                  <input name="username"><input name="password" type="password">
                </form>
                <form method="post" action="{{ url_for('create') }}"><textarea name="content"></textarea></form>
            """,
            "templates/with_token.html": """\
                <form method="post" action="/accounts/login/">
                  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
                </form>
            """,
        },
    )
    findings = scan(tmp_path)
    assert _found(findings) == {
        ("templates/base.html", 1, "look", "logout"),
        ("templates/base.html", 2, "change", "csrf"),  # the app's own form (line 5) is guarded otherwise
    }


def test_report_formats_and_exit_status(tmp_path: Path) -> None:
    _write(tmp_path, {"app.py": "from flask_peewee.db import Nope\n", "ok.py": "import flask_peewee.db\n"})
    runner = CliRunner()
    text = runner.invoke(main, [str(tmp_path)])
    assert text.exit_code == 1
    assert text.output.splitlines() == [
        "app.py:1: change: flask_peewee.db has no name Nope",
        "1 to change, 0 to look at",
    ]
    as_json = runner.invoke(main, [str(tmp_path), "--format", "json"])
    assert as_json.exit_code == 1
    report = json.loads(as_json.output)
    assert report["change"] == 1
    assert report["findings"] == [
        {
            "path": "app.py",
            "line": 1,
            "severity": "change",
            "code": "import",
            "message": "flask_peewee.db has no name Nope",
        }
    ]
    clean = runner.invoke(main, [str(tmp_path / "ok.py")])
    assert clean.exit_code == 0
    assert clean.output == "nothing to change\n"


def test_looks_alone_exit_zero() -> None:
    findings = [Finding("m.py", 3, "look", "peewee", "write backref=")]
    assert format_findings(findings) == "m.py:3: look: write backref=\n0 to change, 1 to look at"


@pytest.fixture
def checked_app(tmp_path: Path) -> Flask:
    app = Flask(__name__, root_path=str(_write(tmp_path, {"app.py": "from flask_peewee.db import Database\n"})))
    app.config["DATABASE"] = f"sqlite:///{tmp_path / 'app.db'}"
    Database(app)
    return app


def test_flask_fp_migrate_check_reads_the_app_folder_and_runs_registered_checks(checked_app: Flask) -> None:
    runner = checked_app.test_cli_runner()
    assert runner.invoke(args=["fp", "migrate-check"]).output == "nothing to change\n"
    register(checked_app, lambda: [Finding("database table user", 0, "look", "password-hashes", "2 users have x")])
    result = runner.invoke(args=["fp", "migrate-check", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["findings"][0]["message"] == "2 users have x"
