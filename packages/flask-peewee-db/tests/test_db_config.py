"""The DATABASE setting: the documented dict, a URL, an instance, DATABASE_URL, and clear errors."""

from __future__ import annotations

import peewee
import pytest
from flask import Flask
from playhouse.pool import PooledSqliteDatabase

from flask_peewee.db import Database, ImproperlyConfigured, database_from_config, load_engine


def _make_app(**config: object) -> Flask:
    app = Flask(__name__)
    app.config.update(config)
    return app


def _roundtrip(db: Database) -> list[str]:
    """Create a table, write and read a row: proves the configured database really works."""

    class Item(db.Model):
        label = peewee.CharField()

    db.create_tables()
    Item.create(label="one")
    labels = [item.label for item in Item.select()]
    db.database.close()
    if hasattr(db.database, "close_all"):  # a pool keeps what close() hands back: close it for real
        db.database.close_all()
    return labels


def test_documented_dict_config_works(database_dict):
    app = _make_app(DATABASE=database_dict())
    db = Database(app)
    assert _roundtrip(db) == ["one"]
    assert isinstance(db.database, peewee.Database)


def test_threadlocals_key_is_accepted_and_ignored(database_dict):
    config = database_dict(threadlocals=True)
    db = Database(_make_app(DATABASE=config))
    assert "threadlocals" not in db.database.connect_params
    assert _roundtrip(db) == ["one"]


def test_url_string_config_works(database_url):
    db = Database(_make_app(DATABASE=database_url))
    assert _roundtrip(db) == ["one"]


def test_database_url_key_is_read_when_database_is_absent(database_url):
    db = Database(_make_app(DATABASE_URL=database_url))
    assert _roundtrip(db) == ["one"]


def test_database_wins_over_database_url(database_url, tmp_path):
    db = Database(_make_app(DATABASE=database_url, DATABASE_URL=f"sqlite:///{tmp_path / 'other.db'}"))
    assert _roundtrip(db) == ["one"]
    assert not (tmp_path / "other.db").exists()


def test_ready_database_instance_is_used_as_is(database_url):
    from playhouse.db_url import connect

    instance = connect(database_url)
    db = Database(_make_app(DATABASE=instance))
    assert db.database is instance
    assert _roundtrip(db) == ["one"]


@pytest.mark.backends("mysql")
def test_mysql_passwd_key_of_the_docs_is_accepted(database_dict):
    # The docs spell the MySQL password 'passwd' (MySQLdb's name); PyMySQL wants 'password'
    # and warns about the old one (warnings are errors in this suite).
    config = database_dict(passwd="")
    db = Database(_make_app(DATABASE=config))
    assert db.database.connect_params["password"] == ""
    assert _roundtrip(db) == ["one"]


def test_pooled_engine_from_dict_with_pool_options(database_dict):
    db = Database(_make_app(DATABASE=database_dict(pooled=True, max_connections=4)))
    assert db.database._max_connections == 4
    assert _roundtrip(db) == ["one"]


def test_driver_options_reach_the_driver(tmp_path):
    config = {"name": str(tmp_path / "x.db"), "engine": "peewee.SqliteDatabase", "check_same_thread": False}
    database = database_from_config({"DATABASE": config})
    assert database.connect_params == {"check_same_thread": False}


def test_pragmas_and_other_engine_options_are_accepted(tmp_path):
    config = {"name": str(tmp_path / "x.db"), "engine": "peewee.SqliteDatabase", "pragmas": {"foreign_keys": 1}}
    database = database_from_config({"DATABASE": config})
    assert database.execute_sql("PRAGMA foreign_keys").fetchone() == (1,)
    database.close()


def test_url_and_equivalent_dict_describe_the_same_database(tmp_path):
    path = tmp_path / "same.db"
    db = Database(_make_app(DATABASE=f"sqlite:///{path}"))
    other = _make_app(DATABASE={"name": str(path), "engine": "peewee.SqliteDatabase"})
    db.init_app(other)
    assert other.extensions["flask_peewee.db"] is db


def test_engine_may_be_given_as_a_class(tmp_path):
    database = database_from_config({"DATABASE": {"name": str(tmp_path / "x.db"), "engine": PooledSqliteDatabase}})
    assert isinstance(database, PooledSqliteDatabase)
    assert load_engine("playhouse.pool.PooledSqliteDatabase") is PooledSqliteDatabase


# -- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "Set DATABASE"),
        ({"DATABASE": {"engine": "peewee.SqliteDatabase"}}, "missing 'name'"),
        ({"DATABASE": {"name": "x.db"}}, "missing 'engine'"),
        ({"DATABASE": {}}, "missing 'name' and 'engine'"),
        ({"DATABASE": {"name": "x.db", "engine": "SqliteDatabase"}}, "must be a dotted path"),
        ({"DATABASE": {"name": "x.db", "engine": "nosuchmodule.Database"}}, "cannot be imported"),
        ({"DATABASE": {"name": "x.db", "engine": "peewee.NoSuchDatabase"}}, "has no attribute 'NoSuchDatabase'"),
        ({"DATABASE": {"name": "x.db", "engine": "flask.Flask"}}, "not a subclass of peewee.Database"),
        (
            {"DATABASE": {"name": "x.db", "engine": "peewee.SqliteDatabase", "colour": "red"}},
            "unknown option(s) 'colour'",
        ),
        ({"DATABASE": {"name": "x", "engine": "peewee.PostgresqlDatabase", "hostt": "h"}}, "unknown option(s) 'hostt'"),
        ({"DATABASE": {"name": "x", "engine": "peewee.MySQLDatabase", "usr": "root"}}, "unknown option(s) 'usr'"),
        (
            {"DATABASE": {"name": "x", "engine": "playhouse.pool.PooledPostgresqlDatabase", "max_conections": 3}},
            "unknown option(s) 'max_conections'",
        ),
        ({"DATABASE": {"name": "x.db", "engine": "peewee.SqliteDatabase", "isolation_level": "x"}}, "not accepted"),
        ({"DATABASE": {"name": "x.db", "engine": "peewee.SqliteDatabase", 3: "x"}}, "keys must be strings"),
        ({"DATABASE": "nosuchscheme://host/name"}, "Unknown database URL scheme 'nosuchscheme'"),
        ({"DATABASE": "example.db"}, "is not a database URL"),
        ({"DATABASE": "postgresql://host"}, "names no database"),
        ({"DATABASE": "sqlite:///x.db?colour=red"}, "unknown option(s) 'colour'"),
        ({"DATABASE_URL": "nosuchscheme://host/name"}, "in DATABASE_URL"),
        ({"DATABASE": 42}, "must be a dict, a database URL or a peewee.Database, not int"),
    ],
)
def test_bad_configuration_raises_a_clear_error(config, message):
    with pytest.raises(ImproperlyConfigured) as info:
        Database(_make_app(**config))
    assert message in str(info.value)


def test_improperly_configured_is_also_peewees():
    with pytest.raises(peewee.ImproperlyConfigured):
        database_from_config({})


def test_password_is_not_echoed_in_url_errors():
    with pytest.raises(ImproperlyConfigured) as info:
        database_from_config({"DATABASE": "nosuchscheme://user:s3cret@host/name"})
    assert "s3cret" not in str(info.value)


def test_password_is_hidden_in_a_url_without_database_name():
    with pytest.raises(ImproperlyConfigured) as info:
        database_from_config({"DATABASE": "postgresql://user:s3cret@host"})
    assert "s3cret" not in str(info.value)
    assert "user:***@host" in str(info.value)
