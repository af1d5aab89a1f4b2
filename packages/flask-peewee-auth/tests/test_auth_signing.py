"""Auth's signatures go through utils' keyed helper: no key refuses at signing time, key rotation keeps logins."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from flask_peewee.auth import Auth
from flask_peewee.auth._sessions import session_token, token_matches
from flask_peewee.db import Database
from flask_peewee.utils import MissingSecretKey, keyed_digest

COOKIE = "fp_remember"


@pytest.fixture
def keyless_app(database_url: str) -> Flask:
    app = Flask("flask_peewee_auth_keyless")
    app.config.update(DATABASE=database_url, TESTING=True, FLASK_PEEWEE_PASSWORD_SCHEMES=["md5_crypt"])
    return app


def test_an_app_without_a_key_starts_and_refuses_only_when_signing(keyless_app: Flask) -> None:
    db = Database(keyless_app)
    auth = Auth(keyless_app, db)
    db.create_tables()

    @keyless_app.route("/")
    def home() -> str:
        return "home"

    client = keyless_app.test_client()
    assert client.get("/").get_data(as_text=True) == "home"
    with keyless_app.app_context():
        user = auth.User(username="alice", email="alice@example.com")
        user.set_password("pw")
        user.save()
    with keyless_app.test_request_context("/"), pytest.raises(MissingSecretKey, match=r"SECRET_KEY"):
        auth.login_user(user)
    # the login form (its CSRF token lives in the session) and a login answer a plain 503 naming the key
    for response in (
        client.get("/accounts/login/"),
        client.post("/accounts/login/", data={"username": "alice", "password": "pw"}),
    ):
        assert response.status_code == 503
        assert response.mimetype == "text/plain"
        assert "no SECRET_KEY configured" in response.get_data(as_text=True)
    db.database.close()


def test_a_remember_cookie_on_an_app_without_a_key_is_ignored(keyless_app: Flask) -> None:
    keyless_app.config["FLASK_PEEWEE_REMEMBER_ME"] = True
    db = Database(keyless_app)
    auth = Auth(keyless_app, db)
    db.create_tables()

    @keyless_app.route("/private/")
    @auth.login_required
    def private() -> str:
        return "private"

    client = keyless_app.test_client()
    client.set_cookie(COOKIE, "a" * 32 + "." + "b" * 43 + "." + "c" * 43)
    assert client.get("/private/").status_code == 302
    assert client.get_cookie(COOKIE) is None
    db.database.close()


def test_the_session_token_is_salted_for_its_purpose(app: Flask) -> None:
    with app.app_context():
        token = session_token(1, "hash")
        assert token_matches(token, 1, "hash") is True
        assert token_matches(token, 1, "other hash") is False
        assert token_matches(token, 2, "hash") is False
        assert token != keyed_digest("1\0hash", salt="flask-peewee-auth.remember-me.fingerprint")


def _remembered(client: Any, login: Any) -> str:
    assert login(client, remember="y").status_code == 302
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def test_a_key_rotation_with_fallbacks_keeps_sessions_and_remember_me(
    app: Flask, auth: Auth, client: Any, user: Any, login: Any
) -> None:
    app.config["FLASK_PEEWEE_REMEMBER_ME"] = True
    _remembered(client, login)
    old_key = app.secret_key
    app.config.update(SECRET_KEY="a brand new key", SECRET_KEY_FALLBACKS=[old_key])
    assert client.get("/private/").status_code == 200  # the session and its token, under the old key
    client.delete_cookie("session")
    assert client.get("/private/").status_code == 200  # the remember-me cookie and fingerprint too
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/private/").status_code == 200  # the restored login was signed anew


def test_a_key_change_without_fallbacks_ends_sessions_and_remember_me(
    app: Flask, auth: Auth, client: Any, user: Any, login: Any
) -> None:
    app.config["FLASK_PEEWEE_REMEMBER_ME"] = True
    _remembered(client, login)
    app.config["SECRET_KEY"] = "a brand new key"
    assert client.get("/private/").status_code == 302
    assert client.get_cookie(COOKIE) is None
