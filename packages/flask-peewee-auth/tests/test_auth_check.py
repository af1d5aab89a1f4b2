"""auth's part of ``flask fp check``: login throttling switched off, models with undeclared secrets."""

from __future__ import annotations

import secrets
from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.auth import Auth
from flask_peewee.db.checks import run_checks

pytestmark = pytest.mark.backends("sqlite")  # configuration only: one backend is enough

SECURE = {
    "SECRET_KEY": secrets.token_hex(32),
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "TESTING": False,
}


def test_the_default_user_model_and_throttle_pass(app: Flask, db: Any) -> None:
    app.config.update(SECURE)
    Auth(app, db)
    assert run_checks(app) == []


def test_throttling_off_is_a_warning(app: Flask, db: Any) -> None:
    app.config.update(SECURE, FLASK_PEEWEE_LOGIN_THROTTLE_ENABLED=False)
    Auth(app, db)
    [finding] = run_checks(app)
    assert (finding.severity, finding.code) == ("warning", "login-throttle")
    result = app.test_cli_runner().invoke(args=["fp", "check"])
    assert result.exit_code == 0
    assert "warning: login-throttle: login throttling is off" in result.output


def test_a_user_model_with_a_password_and_no_sensitive_fields_is_a_warning(app: Flask, db: Any) -> None:
    app.config.update(SECURE)

    class Member(db.Model):  # a user model of the app's own, not built on BaseUser
        username = peewee.CharField()
        password_hash = peewee.CharField()
        reset_token = peewee.CharField(null=True)

    Auth(app, db)
    [finding] = run_checks(app)
    assert finding.code == "undeclared-secret"
    assert finding.fix == "add __sensitive_fields__ = ('password_hash', 'reset_token') to Member"


def test_it_runs_on_an_app_without_a_secret_key(app: Flask, db: Any) -> None:
    app.config.update(SECURE)
    app.config["SECRET_KEY"] = None  # Flask's default: no key
    Auth(app, db)  # starting needs no key
    result = app.test_cli_runner().invoke(args=["fp", "check"])
    assert result.exit_code == 1
    assert "error: secret-key: SECRET_KEY is not set" in result.output
