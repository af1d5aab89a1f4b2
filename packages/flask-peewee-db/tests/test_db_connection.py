"""flask_peewee.db.connection: connect for a block, close only what the block opened."""

from __future__ import annotations

import pytest
from flask import Flask

from flask_peewee.db import Database, connection


def _db(database_url: str) -> Database:
    app = Flask(__name__)
    app.config["DATABASE"] = database_url
    return Database(app)


def test_connection_opens_and_closes_what_it_opened(database_url):
    db = _db(database_url)
    database = db.database
    assert database.is_closed()
    with connection(database) as used:
        assert used is database
        assert not database.is_closed()
        assert database.execute_sql("SELECT 1").fetchone()[0] == 1
    assert database.is_closed()


def test_connection_leaves_an_open_connection_open(database_url):
    db = _db(database_url)
    database = db.database
    database.connect()
    try:
        before = database.connection()
        with connection(database):
            assert database.connection() is before
        assert not database.is_closed()
        assert database.connection() is before
    finally:
        database.close()


def test_connection_closes_on_error_and_accepts_the_database_wrapper(database_url):
    db = _db(database_url)
    seen = []

    def fail() -> None:
        with connection(db) as used:
            seen.append((used is db.database, used.is_closed()))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail()
    assert seen == [(True, False)]
    assert db.database.is_closed()


def test_connection_tolerates_a_block_that_closed_it(database_url):
    db = _db(database_url)
    with connection(db.database) as used:
        used.close()
    assert db.database.is_closed()


def test_connection_through_the_proxy_of_an_app_factory(database_url):
    db = Database()
    app = Flask(__name__)
    app.config["DATABASE"] = database_url
    db.init_app(app)
    assert db.database is db.proxy
    with connection(db.proxy) as used:
        assert used is db.proxy
        assert not db.proxy.obj.is_closed()
    assert db.proxy.obj.is_closed()
    with connection(db):
        assert not db.proxy.obj.is_closed()
    assert db.proxy.obj.is_closed()


def test_connection_is_public():
    import flask_peewee.db

    assert "connection" in flask_peewee.db.__all__
    assert flask_peewee.db.connection is connection
