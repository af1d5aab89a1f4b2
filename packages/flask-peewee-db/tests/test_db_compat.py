"""Names and attributes of the original ``flask_peewee.db`` and ``flask_peewee.exceptions`` that apps use."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import peewee
import pytest
from flask import Flask

import flask_peewee.db
from flask_peewee.db import Database, ImproperlyConfigured


def _make_app(database: object) -> Flask:
    app = Flask(__name__)
    app.config["DATABASE"] = database
    return app


def test_peewee_names_are_forwarded_as_attributes() -> None:
    from flask_peewee.db import (
        JOIN,
        CharField,
        DatabaseProxy,
        DoesNotExist,
        ForeignKeyField,
        Model,
        MySQLDatabase,
        PostgresqlDatabase,
        Proxy,
        SqliteDatabase,
        fn,
    )

    assert CharField is peewee.CharField
    assert Model is peewee.Model
    assert SqliteDatabase is peewee.SqliteDatabase
    assert MySQLDatabase is peewee.MySQLDatabase
    assert PostgresqlDatabase is peewee.PostgresqlDatabase
    assert DoesNotExist is peewee.DoesNotExist
    assert ForeignKeyField is peewee.ForeignKeyField
    assert fn is peewee.fn
    assert JOIN is peewee.JOIN
    assert Proxy is peewee.Proxy
    assert DatabaseProxy is peewee.DatabaseProxy
    # The original module also did `import peewee`.
    assert flask_peewee.db.peewee is peewee


def test_our_names_win_over_peewees() -> None:
    assert flask_peewee.db.Database is not peewee.Database
    assert flask_peewee.db.Database.__module__ == "flask_peewee.db._database"
    assert flask_peewee.db.ImproperlyConfigured is not peewee.ImproperlyConfigured
    assert issubclass(flask_peewee.db.ImproperlyConfigured, peewee.ImproperlyConfigured)


def test_unknown_names_still_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchField'"):
        _ = flask_peewee.db.NoSuchField
    with pytest.raises(ImportError):
        from flask_peewee.db import NoSuchField  # noqa: F401


def test_dir_lists_forwarded_and_own_names() -> None:
    names = dir(flask_peewee.db)
    assert {"CharField", "fn", "JOIN", "Database", "get_database"} <= set(names)
    assert set(peewee.__all__) <= set(flask_peewee.db.__all__)


def test_star_import_gives_peewee_names_and_our_database() -> None:
    # A fresh interpreter runs the original docs' style of models module.
    code = textwrap.dedent(
        """
        from flask import Flask
        from flask_peewee.db import *

        app = Flask(__name__)
        app.config["DATABASE"] = {"name": ":memory:", "engine": "peewee.SqliteDatabase"}
        db = Database(app)

        class Author(db.Model):
            name = CharField()

        class Book(db.Model):
            author = ForeignKeyField(Author, backref="books")
            title = TextField()

        db.database.create_tables([Author, Book])
        tolkien = Author.create(name="Tolkien")
        Book.create(author=tolkien, title="The Hobbit")
        count = fn.COUNT(Book.id)
        rows = Author.select(Author.name, count.alias("n")).join(Book, JOIN.LEFT_OUTER).group_by(Author.name)
        print(type(db).__module__, [(r.name, r.n) for r in rows])
        try:
            Author.get(Author.name == "nobody")
        except DoesNotExist:
            print("DoesNotExist")
        print(ImproperlyConfigured.__module__)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == [
        "flask_peewee.db._database [('Tolkien', 1)]",
        "DoesNotExist",
        "flask_peewee.db._exceptions",
    ]


def test_flask_peewee_exceptions_module_has_the_same_class() -> None:
    from flask_peewee.exceptions import ImproperlyConfigured as Legacy

    assert Legacy is ImproperlyConfigured
    with pytest.raises(Legacy, match="missing 'engine'"):
        Database(_make_app({"name": "x.db"}))


def test_load_class_imports_a_dotted_path() -> None:
    from flask_peewee.db import load_class

    assert load_class("peewee.SqliteDatabase") is peewee.SqliteDatabase
    assert load_class("playhouse.pool.PooledSqliteDatabase").__name__ == "PooledSqliteDatabase"
    with pytest.raises(ImportError):
        load_class("no_such_module_zz.Thing")
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        load_class("peewee.Nope")
    with pytest.raises(ValueError, match="dotted path"):
        load_class("peewee")


def test_original_attributes_after_load_database(database_dict) -> None:
    config = database_dict(threadlocals=True)
    db = Database(_make_app(config))
    assert db.database_name == config["name"]
    assert db.database_engine == config["engine"]
    expected = {k: v for k, v in config.items() if k not in ("name", "engine", "threadlocals")}
    assert db.database_config == expected
    assert db.database_class is type(db.database)
    assert isinstance(db.database, peewee.Database)
    assert issubclass(db.Model, peewee.Model)
    assert db.get_model_class()._meta.database is db.database
    assert db.Model._meta.database is db.database
    assert db.proxy.obj is db.database  # the proxy is filled in too


def test_attributes_exist_before_init_app() -> None:
    db = Database()
    assert (db.database_name, db.database_engine, db.database_config) == (None, None, None)
    assert issubclass(db.Model, peewee.Model)


def test_load_database_reads_a_url_too(database_url) -> None:
    db = Database()
    database = db.load_database(_make_app(database_url))
    assert isinstance(database, peewee.Database)
    assert db.database_name == database.database
    assert db.database_engine == f"{type(database).__module__}.{type(database).__qualname__}"
    assert db.database_class is type(database)


def test_the_originals_second_argument_binds_a_given_database(tmp_path) -> None:
    given = peewee.SqliteDatabase(str(tmp_path / "given.db"))
    app = Flask(__name__)  # no DATABASE setting: the given database is used
    db = Database(app, given)
    assert db.database is given

    class Item(db.Model):
        label = peewee.CharField()

    db.create_tables()
    Item.create(label="x")
    assert given.execute_sql("SELECT label FROM item").fetchall() == [("x",)]
    db.init_app(Flask("second"))  # the same instance for a second app
    given.close()
    with pytest.raises(TypeError, match=r"must be a peewee\.Database"):
        Database(None, "sqlite:///x.db")  # type: ignore[arg-type]


def test_load_database_override_is_used(tmp_path) -> None:
    calls = []

    class MyDatabase(Database):
        def load_database(self, app):
            calls.append(app.name)
            return peewee.SqliteDatabase(str(tmp_path / f"{app.config['DB_FILE']}"))

    app = Flask("mine")
    app.config["DB_FILE"] = "custom.db"
    db = MyDatabase(app)
    assert calls == ["mine"]
    assert db.database.database == str(tmp_path / "custom.db")


def test_load_database_must_return_a_database() -> None:
    class Broken(Database):
        def load_database(self, app):
            return "sqlite:///x.db"

    with pytest.raises(ImproperlyConfigured, match=r"must return a peewee\.Database"):
        Broken(Flask("broken"))


def test_connect_db_and_close_db_overrides_run_in_requests(database_url) -> None:
    events: list[str] = []

    class Tracing(Database):
        def connect_db(self):
            events.append("connect")
            return super().connect_db()

        def close_db(self, exc=None):
            events.append(f"close:{type(exc).__name__}")
            super().close_db(exc)

    app = _make_app(database_url)
    db = Tracing(app)

    @app.route("/")
    def index():
        return "open" if not db.database.is_closed() else "closed"

    assert app.test_client().get("/").text == "open"
    assert events == ["connect", "close:NoneType"]
    assert db.database.is_closed()


def test_register_handlers_override_replaces_the_hooks(database_url) -> None:
    class NoHooks(Database):
        def register_handlers(self, app):
            app.config["HOOKS_REGISTERED_BY"] = type(self).__name__

    app = _make_app(database_url)
    db = NoHooks(app)

    @app.route("/")
    def index():
        return "closed" if db.database.is_closed() else "open"

    assert app.config["HOOKS_REGISTERED_BY"] == "NoHooks"
    assert app.test_client().get("/").text == "closed"


def test_the_originals_deferred_pattern_binds_late(database_url) -> None:
    # The original's own tests: before init_app, db.database is a Proxy that models can use.
    db = Database(None)
    assert isinstance(db.database, peewee.Proxy)

    class BaseModel(peewee.Model):
        class Meta:
            database = db.database

    class Entry(BaseModel):
        title = peewee.CharField()

    app = _make_app(database_url)
    db.init_app(app)
    # still the proxy, now filled in, as in the original
    assert isinstance(db.database, peewee.Proxy)
    assert isinstance(db.database.obj, peewee.Database)
    db.database.create_tables([Entry])
    Entry.create(title="late")
    assert [e.title for e in Entry.select()] == ["late"]
    db.database.drop_tables([Entry])
    db.database.close()


def test_init_app_takes_the_originals_database_argument(tmp_path) -> None:
    given = peewee.SqliteDatabase(str(tmp_path / "explicit.db"))
    db = Database(None)
    app = Flask(__name__)
    db.init_app(app, given)
    # created without a database, the models stay bound to the proxy, now filled in
    assert db.database is db.proxy
    assert db.Model._meta.database is db.proxy
    assert db.proxy.obj is given
    db.init_app(Flask("again"), given)  # the same database for another app is fine
    with pytest.raises(ImproperlyConfigured, match="already bound to another database"):
        db.init_app(Flask("other"), peewee.SqliteDatabase(str(tmp_path / "other.db")))
    with pytest.raises(TypeError, match=r"must be a peewee\.Database"):
        Database(None).init_app(Flask("bad"), "sqlite:///x.db")  # type: ignore[arg-type]


# The original 4.0.1's DatabaseTestCase: db.database is what db.Model is bound to, in each way
# of creating the Database.


def test_database_from_the_app_config_is_what_the_models_use(tmp_path) -> None:
    app = _make_app({"name": str(tmp_path / "a.db"), "engine": "peewee.SqliteDatabase"})
    db = Database(app)
    assert isinstance(db.database, peewee.SqliteDatabase)
    assert db.database.database == str(tmp_path / "a.db")
    assert db.database is db.Model._meta.database


def test_database_given_with_the_app_is_what_the_models_use() -> None:
    given = peewee.SqliteDatabase(":memory:")
    db = Database(Flask(__name__), given)
    assert db.database is given
    assert db.Model._meta.database is given


@pytest.mark.parametrize("explicit", [False, True])
def test_deferred_database_stays_the_proxy_the_models_use(tmp_path, explicit) -> None:
    name = str(tmp_path / "late.db")
    db = Database(None)
    assert isinstance(db.database, peewee.Proxy)
    assert db.Model._meta.database is db.database
    if explicit:
        db.init_app(Flask(__name__), peewee.SqliteDatabase(name))
    else:
        db.init_app(_make_app({"name": name, "engine": "peewee.SqliteDatabase"}))
    assert isinstance(db.database, peewee.Proxy)
    assert db.database.database == name  # the proxy forwards to the bound database
    assert db.Model._meta.database is db.database

    class Entry(db.Model):
        title = peewee.CharField()

    db.create_tables([Entry])
    Entry.create(title="late")
    assert [e.title for e in Entry.select()] == ["late"]
    db.database.close()


def test_database_given_without_an_app_binds_at_once_and_refuses_another(tmp_path) -> None:
    given = peewee.SqliteDatabase(str(tmp_path / "given.db"))
    db = Database(None, given)
    assert db.database is given
    assert db.Model._meta.database is given

    class Entry(db.Model):
        title = peewee.CharField()

    db.create_tables([Entry])  # usable before init_app, as in the original
    app = Flask(__name__)
    db.init_app(app)
    assert db.database is given
    assert db.Model._meta.database is given
    with pytest.raises(ImproperlyConfigured, match="already initialised"):
        db.init_app(app, given)
    with pytest.raises(ImproperlyConfigured, match="already bound to another database"):
        db.init_app(Flask("other"), peewee.SqliteDatabase(str(tmp_path / "other.db")))
    given.close()
