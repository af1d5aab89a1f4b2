"""Fixtures for flask-peewee-auth's tests: an app with Auth, a user, and a login helper."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from flask_peewee.auth import Auth
from flask_peewee.auth.testing import create_user, form_csrf_token
from flask_peewee.db import Database

PASSWORD = "correct horse"


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


@pytest.fixture
def user(app: Flask, auth: Auth) -> Any:
    """An active user ``alice`` with the password :data:`PASSWORD`."""
    return create_user(app, auth, "alice", PASSWORD)


def _csrf_from(client: Any, url: str = "/accounts/login/") -> str:
    """GET ``url`` (the login page by default) and return the CSRF token rendered in its form."""
    return form_csrf_token(client, url)


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
        return create_user(app, auth, username, password, **fields)

    return factory


class _Inbox:
    """The messages a local aiosmtpd server received, parsed; :meth:`wait` for the ones still on their way."""

    def __init__(self) -> None:
        import threading

        self.messages: list[Any] = []
        self.config: dict[str, Any] = {}
        self._changed = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import email
        import email.policy

        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def wait(self, count: int = 1, timeout: float = 15.0) -> list[Any]:
        """The first ``count`` messages, waiting (bounded) for mail sent in the background."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
            assert len(self.messages) >= count, f"expected {count} messages, got {len(self.messages)}"
            return list(self.messages)


@pytest.fixture
def smtp_inbox() -> Any:
    """A real SMTP server (aiosmtpd) on a free port of 127.0.0.1; ``config`` holds the Flask-Mail keys to reach it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    inbox.config = {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_DEFAULT_SENDER": "site@example.com",
    }
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox
    controller.stop()


def mail_link(message: Any) -> str:
    """The path of the first link of the text part of ``message``."""
    import re
    from urllib.parse import urlsplit

    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S+", text)
    assert match, f"no link in {text!r}"
    return urlsplit(match.group(0)).path


@pytest.fixture
def link_of() -> Any:
    """``link_of(message)``: the path of the first link in a received message's text part."""
    return mail_link
