"""The documented Database wrapper: config, db.Model, a connection per request."""

from __future__ import annotations

import datetime

import peewee
import pytest
from flask import Flask

from flask_peewee.db import Database, ImproperlyConfigured


def test_model_is_bound_and_usable_in_a_request(app, db, client):
    class Note(db.Model):
        message = peewee.TextField()
        created = peewee.DateTimeField(default=datetime.datetime.now)

    db.create_tables()
    db.database.close()  # the request hook opens and closes its own connection

    @app.route("/notes/<message>")
    def add(message):
        note = Note.create(message=message)
        assert not db.database.is_closed()
        return str(Note.select().count()) + ":" + str(note.id)

    assert client.get("/notes/hello").text == "1:1"
    assert client.get("/notes/again").text == "2:2"
    assert db.database.is_closed()
    assert issubclass(Note, peewee.Model)
    assert Note._meta.database is db.proxy


def test_connection_closed_when_view_raises(app, db, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        assert not db.database.is_closed()
        raise RuntimeError("boom")

    assert client.get("/boom").status_code == 500
    assert db.database.is_closed()


def test_app_factory_models_declared_before_the_app(database_url):
    db = Database()

    class Entry(db.Model):
        title = peewee.CharField()

    app = Flask(__name__)
    app.config["DATABASE"] = database_url
    db.init_app(app)
    db.create_tables()
    Entry.create(title="x")
    assert [e.title for e in Entry.select()] == ["x"]
    db.database.close()
