"""Fixtures for flask-peewee-admin's tests: the docs' app (Note, Message, users) with an Admin."""

from __future__ import annotations

import datetime
import re
from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth import Auth
from flask_peewee.auth.testing import create_user, form_csrf_token, log_in
from flask_peewee.db import Database

PASSWORD = "correct horse"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="_fp_version" value="([^"]+)"')


@pytest.fixture
def app(app: Flask) -> Flask:
    """The plugin's app with a cheap password scheme."""
    app.config["FLASK_PEEWEE_PASSWORD_SCHEMES"] = ["md5_crypt"]
    return app


@pytest.fixture
def auth(app: Flask, db: Database) -> Auth:
    auth = Auth(app, db)

    @app.route("/")
    def homepage() -> str:
        return "home"

    return auth


@pytest.fixture
def models(db: Database, auth: Auth) -> Any:
    """The docs' Note and Message models (plus a Tag for foreign-key lookups)."""

    class Note(db.Model):
        user = peewee.ForeignKeyField(auth.User, backref="notes", null=True)
        message = peewee.TextField()
        created = peewee.DateTimeField(default=datetime.datetime.now)

        def __str__(self) -> str:
            return self.message

    class Message(db.Model):
        user = peewee.ForeignKeyField(auth.User, backref="messages")
        content = peewee.TextField()
        pub_date = peewee.DateTimeField(default=datetime.datetime.now)

        def __str__(self) -> str:
            return f"{self.user.username}: {self.content}"

    class Models:
        pass

    Models.Note = Note  # type: ignore[attr-defined]
    Models.Message = Message  # type: ignore[attr-defined]
    Models.User = auth.User  # type: ignore[attr-defined]
    return Models


class MessageAdmin(ModelAdmin):
    columns = ("user", "content", "pub_date")
    foreign_key_lookups = {"user": "username"}
    search_fields = ("content", "user__username")


class NoteAdmin(ModelAdmin):
    columns = ("message", "created")


@pytest.fixture
def admin(app: Flask, db: Database, auth: Auth, models: Any) -> Admin:
    """``Admin(app, auth)`` with Note, Message and the user model registered, tables created."""
    admin = Admin(app, auth)
    admin.register(models.Note, NoteAdmin)
    admin.register(models.Message, MessageAdmin)
    auth.register_admin(admin)
    admin.setup()
    db.create_tables()
    db.database.close()
    return admin


def make_user(app: Flask, auth: Auth, username: str, *, admin: bool = False, **fields: Any) -> Any:
    """An active user with the password :data:`PASSWORD` (``admin`` sets the admin flag)."""
    return create_user(app, auth, username, PASSWORD, admin=admin, **fields)


@pytest.fixture
def superuser(app: Flask, auth: Auth, admin: Admin) -> Any:
    return make_user(app, auth, "admin", admin=True)


@pytest.fixture
def staff(app: Flask, auth: Auth, admin: Admin) -> Any:
    """A logged-in-able user without the admin flag."""
    return make_user(app, auth, "staff")


@pytest.fixture
def admin_client(client: Any, superuser: Any) -> Any:
    """A test client logged in as the superuser."""
    log_in(client, superuser)
    return client


#: ``csrf_of(client, url)``: GET ``url`` and return the CSRF token of its form.
csrf_of = form_csrf_token


def version_of(client: Any, url: str) -> tuple[str, str]:
    """GET the edit form at ``url``: its CSRF token and object version."""
    text = client.get(url).get_data(as_text=True)
    return TOKEN.search(text).group(1), VERSION.search(text).group(1)  # type: ignore[union-attr]


@pytest.fixture
def csrf() -> Any:
    """``csrf(client, url)``: the CSRF token of the form at ``url``."""
    return csrf_of


@pytest.fixture
def version() -> Any:
    """``version(client, url)``: the CSRF token and object version of the edit form at ``url``."""
    return version_of
