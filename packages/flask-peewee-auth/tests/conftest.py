"""Fixtures for flask-peewee-auth's tests: an app with Auth, a user, and a login helper."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from flask_peewee.auth import Auth
from flask_peewee.db import Database

PASSWORD = "correct horse"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(app: Flask) -> Flask:
    """The plugin's app with a cheap password scheme (tests about hashing set their own)."""
    app.config["FLASK_PEEWEE_PASSWORD_SCHEMES"] = ["md5_crypt"]
    return app


def add_views(app: Flask, auth: Auth) -> None:
    @app.route("/")
    def homepage() -> str:
        return "home page"

    @app.route("/private/")
    @auth.login_required
    def private() -> str:
        return f"private page of {auth.get_logged_in_user().username}"


@pytest.fixture
def auth(app: Flask, db: Database) -> Auth:
    """``Auth(app, db)`` with a ``homepage`` and a login-required ``/private/`` view, tables created."""
    auth = Auth(app, db)
    add_views(app, auth)
    db.create_tables()
    db.database.close()
    return auth


def make_user(app: Flask, auth: Auth, username: str = "alice", password: str = PASSWORD, **fields: Any) -> Any:
    with app.app_context():
        user = auth.User(username=username, email=f"{username}@example.com", **fields)
        user.set_password(password)
        user.save()
    auth.db.database.close()
    return user


@pytest.fixture
def user(app: Flask, auth: Auth) -> Any:
    """An active user ``alice`` with the password :data:`PASSWORD`."""
    return make_user(app, auth)


def _csrf_from(client: Any, url: str = "/accounts/login/") -> str:
    """GET ``url`` and return the CSRF token rendered in its form."""
    response = client.get(url)
    match = _TOKEN.search(response.get_data(as_text=True))
    assert match, f"no csrf_token in {url}"
    return match.group(1)


def _login(client: Any, username: str = "alice", password: str = PASSWORD, **extra: Any) -> Any:
    query = extra.pop("query", "")
    data = {"username": username, "password": password, "csrf_token": _csrf_from(client), **extra}
    return client.post(f"/accounts/login/{query}", data=data)


@pytest.fixture
def csrf_from() -> Any:
    """``csrf_from(client, url)``: GET ``url`` and return the CSRF token rendered in its form."""
    return _csrf_from


@pytest.fixture
def login() -> Any:
    """``login(client, username, password, **form)``: log in through the form with its CSRF token."""
    return _login


@pytest.fixture
def new_user(app: Flask, auth: Auth) -> Any:
    """``new_user(username, password, **fields)``: create and return a user."""

    def factory(username: str = "bob", password: str = PASSWORD, **fields: Any) -> Any:
        return make_user(app, auth, username, password, **fields)

    return factory


class QueryCounter(logging.Handler):
    """Counts the SQL statements peewee runs (it logs each one on the ``peewee`` logger at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.msg
        sql = message[0] if isinstance(message, tuple) else str(message)
        self.statements.append(sql)

    def count(self, verb: str | None = None) -> int:
        """How many statements ran (only those starting with ``verb``, e.g. "INSERT", when given)."""
        if verb is None:
            return len(self.statements)
        return sum(1 for sql in self.statements if sql.lstrip().upper().startswith(verb))


@pytest.fixture
def count_queries() -> Any:
    """``with count_queries() as counter: ...`` then ``counter.count("INSERT")``."""

    @contextlib.contextmanager
    def counting() -> Iterator[QueryCounter]:
        logger = logging.getLogger("peewee")
        handler, level = QueryCounter(), logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        try:
            yield handler
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)

    return counting
