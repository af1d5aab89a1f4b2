"""Configuration of the example app (override with environment variables, see app.py)."""

import os
import secrets

HERE = os.path.dirname(os.path.abspath(__file__))


def _secret_key():
    """SECRET_KEY from the environment, else one made once and kept beside the app (shared by workers)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = os.path.join(HERE, ".secret_key")
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key)
        return key


class Configuration:
    DATABASE = {
        "name": os.path.join(HERE, "example.db"),
        "engine": "peewee.SqliteDatabase",
        "pragmas": {"foreign_keys": 1, "journal_mode": "wal"},
    }
    DEBUG = False
    SECRET_KEY = _secret_key()
    SESSION_COOKIE_SAMESITE = "Lax"
    # the interactive API reference at /api/docs/ (off unless enabled)
    FLASK_PEEWEE_REST_DOCS = True
    # sign-up confirmed by mail, and password reset by mail (flask-peewee-auth[mail])
    FLASK_PEEWEE_SIGNUP = True
    FLASK_PEEWEE_SIGNUP_CONFIRM = True
    FLASK_PEEWEE_PASSWORD_RESET = True
    FLASK_PEEWEE_CHANGE_PASSWORD = True
    # MAIL_SERVER from the environment sends real mail; without it the demo prints each message
    # (its links included) on the console instead, see auth.py
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_SUPPRESS_SEND = not os.environ.get("MAIL_SERVER")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Tweepee <tweepee@example.com>")
    # two-factor authentication for the users who want it (their settings page: /accounts/two-factor/);
    # not required for the admin, so the demo's printed admin login works without an authenticator
    FLASK_PEEWEE_AUTH_2FA = True
    FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN = False
    # the "Your sessions" page at /accounts/sessions/ (off unless enabled), linked from base.html
    FLASK_PEEWEE_AUTH_SESSIONS_PAGE = True
    # where uploaded files (user avatars) are kept; served by the admin and the API with their permission checks
    FLASK_PEEWEE_UPLOADS_ROOT = os.environ.get("FLASK_PEEWEE_UPLOADS_ROOT") or os.path.join(HERE, "uploads")
