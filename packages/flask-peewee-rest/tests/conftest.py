"""Fixtures for flask-peewee-rest's tests: the docs' models (User, Relationship, Message, Note), users, helpers."""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.auth import Auth
from flask_peewee.auth.testing import create_user
from flask_peewee.db import Database

PASSWORD = "admin"


@pytest.fixture
def app(app: Flask) -> Flask:
    """The plugin's app with a cheap password scheme."""
    app.config["FLASK_PEEWEE_PASSWORD_SCHEMES"] = ["md5_crypt"]
    return app


@pytest.fixture
def auth(app: Flask, db: Database) -> Auth:
    """``Auth(app, db)`` with the default ``User`` model."""
    return Auth(app, db)


@pytest.fixture
def models(db: Database, auth: Auth) -> SimpleNamespace:
    """The docs' models on ``db.Model`` (tables created): User, Relationship, Message, Note."""
    User = auth.User

    class Relationship(db.Model):
        from_user = peewee.ForeignKeyField(User, backref="relationships")
        to_user = peewee.ForeignKeyField(User, backref="related_to")

    class Message(db.Model):
        user = peewee.ForeignKeyField(User)
        content = peewee.TextField()
        pub_date = peewee.DateTimeField(default=datetime.datetime.now)

    class Note(db.Model):
        message = peewee.TextField()
        created = peewee.DateTimeField(default=datetime.datetime.now)

    db.create_tables()
    db.database.close()
    return SimpleNamespace(User=User, Relationship=Relationship, Message=Message, Note=Note)


def basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    """An HTTP Basic ``Authorization`` header."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def make_user(app: Flask, auth: Auth, db: Database) -> Callable[..., Any]:
    """``make_user(username, password=PASSWORD, **fields)``: create an active user and return it.

    Hashed inside the app context, so the suite's cheap scheme applies (argon2 outside it).
    """

    def factory(username: str, password: str = PASSWORD, **fields: Any) -> Any:
        return create_user(app, auth, username, password, **fields)

    return factory


@pytest.fixture
def users(models: SimpleNamespace, make_user: Callable[..., Any]) -> SimpleNamespace:
    """``admin`` (an administrator, id 1) and ``coleifer`` (id 2), password ``admin``."""
    return SimpleNamespace(admin=make_user("admin", admin=True), coleifer=make_user("coleifer"))
