"""``flask fp check``: Flask's own settings, the exit statuses, and checks registered by other layers."""

from __future__ import annotations

import json
import secrets

import pytest

from flask_peewee.db import Database, checks
from flask_peewee.db.checks import ERROR, WARNING, Finding

pytestmark = pytest.mark.backends("sqlite")  # configuration only: one backend is enough

SECURE = {
    "SECRET_KEY": secrets.token_hex(32),
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "TESTING": False,
    "DEBUG": False,
}


def run(app, *args):
    return app.test_cli_runner().invoke(args=["fp", "check", *args])


def codes(app):
    return [(f.severity, f.code) for f in checks.run_checks(app)]


def test_a_well_configured_app_passes(app, db):
    app.config.update(SECURE)
    result = run(app, "--strict")
    assert (result.exit_code, result.output) == (0, "no problems found\n")


def test_it_runs_without_a_secret_key_and_reports_it(app, db):
    app.config.update(SECURE)
    app.config["SECRET_KEY"] = None  # Flask's default: no key
    result = run(app)
    assert result.exit_code == 1
    assert "error: secret-key: SECRET_KEY is not set" in result.output
    assert "fix: set app.config['SECRET_KEY']" in result.output
    assert result.output.endswith("1 error, 0 warnings\n")


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "is not set"),
        ("short-key", "is 9 bytes long"),
        (b"\x01" * 16, "is 16 bytes long"),
        ("Change-This-Secret-Key-In-Production", "well-known example value"),
        ("a" * 64, "repeats a few characters"),
    ],
)
def test_weak_secret_keys_are_errors(app, db, key, message):
    app.config.update(SECURE, SECRET_KEY=key)
    [finding] = checks.run_checks(app)
    assert (finding.severity, finding.code) == (ERROR, "secret-key")
    assert message in finding.message
    assert run(app).exit_code == 1


def test_debug_is_a_warning_exit_zero_unless_strict(app):
    # configured before init_app, as a config file does: the flask command resets app.debug from
    # FLASK_DEBUG after loading the app, the check still sees what the app configured
    app.config.update(SECURE, DEBUG=True, SESSION_COOKIE_SECURE=False)
    Database(app)
    # in debug the cookie settings of a development server are not reported
    assert codes(app) == [(WARNING, "debug")]
    assert run(app).exit_code == 0
    strict = run(app, "--strict")
    assert strict.exit_code == 1
    assert "warning: debug: DEBUG is on" in strict.output


def test_insecure_session_cookies_are_warnings_outside_testing(app, db):
    app.config.update(SECURE, SESSION_COOKIE_SECURE=False, SESSION_COOKIE_HTTPONLY=False, SESSION_COOKIE_SAMESITE=None)
    assert codes(app) == [
        (WARNING, "session-cookie-secure"),
        (WARNING, "session-cookie-httponly"),
        (WARNING, "session-cookie-samesite"),
    ]
    app.config["TESTING"] = True
    assert codes(app) == []


def test_registered_checks_run_once_and_errors_come_first(app, db):
    app.config.update(SECURE, SESSION_COOKIE_SAMESITE=None)
    calls = []

    def extra(app_):
        calls.append(app_)
        yield Finding(ERROR, "extra", "something is exposed", "hide it")

    checks.register(app, extra)
    checks.register(app, extra)  # a second layer registering the same check
    result = run(app, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert [f["code"] for f in report["findings"]] == ["extra", "session-cookie-samesite"]
    assert (report["errors"], report["warnings"]) == (1, 1)
    assert report["findings"][0] == {
        "severity": "error",
        "code": "extra",
        "message": "something is exposed",
        "fix": "hide it",
    }
    assert calls == [app]
