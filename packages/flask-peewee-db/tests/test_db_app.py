"""Database and apps: factories, one binding per process, the model registry, the shell context."""

from __future__ import annotations

import peewee
import pytest
from flask import Flask

from flask_peewee.db import Database, ImproperlyConfigured, get_database


def _make_app(database: object) -> Flask:
    app = Flask(__name__)
    app.config["DATABASE"] = database
    return app


def test_app_factory_models_declared_before_the_app(database_url):
    db = Database()

    class Entry(db.Model):
        title = peewee.CharField()

    # Before init_app, db.database is the proxy init_app fills in (the original's behaviour);
    # what needs a real database says so clearly.
    assert db.database is db.proxy
    with pytest.raises(ImproperlyConfigured, match="call init_app"):
        db.create_tables()
    with pytest.raises(ImproperlyConfigured, match="call init_app"):
        db.connect_db()

    app = _make_app(database_url)
    db.init_app(app)
    db.create_tables()
    Entry.create(title="x")
    assert [e.title for e in Entry.select()] == ["x"]
    assert get_database(app) is db
    db.database.close()


def test_second_app_with_the_same_config_shares_the_database(database_url):
    db = Database()
    first, second = _make_app(database_url), _make_app(database_url)
    db.init_app(first)
    bound = db.database
    db.init_app(second)
    assert db.database is bound
    assert get_database(second) is db


def test_second_app_with_another_config_is_refused(database_url, tmp_path):
    db = Database(_make_app(database_url))
    other = _make_app(f"sqlite:///{tmp_path / 'other.db'}")
    with pytest.raises(ImproperlyConfigured, match="already bound to another database"):
        db.init_app(other)
    assert "flask_peewee.db" not in other.extensions
    assert "fp" not in other.cli.commands


@pytest.mark.backends("sqlite")
def test_second_app_with_a_bad_config_gets_the_config_error(database_url):
    db = Database(_make_app(database_url))
    with pytest.raises(ImproperlyConfigured, match="missing 'engine'"):
        db.init_app(_make_app({"name": "x.db"}))


@pytest.mark.backends("sqlite")
def test_same_database_twice_on_one_app_is_refused(database_url):
    app = _make_app(database_url)
    db = Database(app)
    with pytest.raises(ImproperlyConfigured, match="already initialised on this app"):
        db.init_app(app)


@pytest.mark.backends("sqlite")
def test_a_second_database_on_one_app_is_refused(database_url):
    app = _make_app(database_url)
    Database(app)
    with pytest.raises(ImproperlyConfigured, match=r"already has a flask_peewee\.db\.Database"):
        Database(app)


@pytest.mark.backends("sqlite")
def test_another_fp_command_on_the_app_is_not_replaced(database_url):
    import click

    app = _make_app(database_url)

    @app.cli.command("fp")
    def fp() -> None:
        click.echo("mine")

    with pytest.raises(ImproperlyConfigured, match="'flask fp' command"):
        Database(app)
    assert app.test_cli_runner().invoke(args=["fp"]).output == "mine\n"


def test_get_database_uses_the_current_app(app, db):
    with app.app_context():
        assert get_database() is db
    with pytest.raises(ImproperlyConfigured, match=r"No flask_peewee\.db\.Database"):
        get_database(Flask(__name__))


# -- models -----------------------------------------------------------------------------


def test_models_register_in_declaration_order_and_abstract_ones_are_skipped(db):
    class Base(db.Model):
        __abstract__ = True
        created = peewee.IntegerField(default=0)

    class Author(Base):
        name = peewee.CharField()

    class Book(Base):
        author = peewee.ForeignKeyField(Author, backref="books")

    class Special(Book):
        # __abstract__ is read from the class body only: Base's flag is not inherited.
        pass

    assert db.models == [Author, Book, Special]
    assert Base not in db.models
    assert "created" in Book._meta.fields
    assert db.get_models().index(Author) < db.get_models().index(Book)


def test_custom_model_class(database_url):
    class Timestamped(peewee.Model):
        def describe(self) -> str:
            return f"{type(self).__name__}#{self.id}"

    db = Database(_make_app(database_url), model_class=Timestamped)

    class Note(db.Model):
        text = peewee.TextField()

    db.create_tables()
    note = Note.create(text="hi")
    assert note.describe() == "Note#1"
    assert issubclass(db.Model, Timestamped)
    assert db.models == [Note]
    db.database.close()


def test_model_class_must_be_a_peewee_model():
    with pytest.raises(TypeError, match=r"model_class must be a peewee\.Model subclass"):
        Database(model_class=dict)  # type: ignore[arg-type]


def test_create_and_drop_tables_report_names_in_foreign_key_order(db):
    class Author(db.Model):
        name = peewee.CharField()

    class Book(db.Model):
        author = peewee.ForeignKeyField(Author)

    # Declared order is reversed on purpose: creation must still follow the foreign key.
    db.models.reverse()
    assert db.create_tables() == ["author", "book"]
    assert db.create_tables() == []
    assert set(db.database.get_tables()) >= {"author", "book"}
    assert db.drop_tables() == ["book", "author"]
    assert db.drop_tables() == []
    assert not {"author", "book"} & set(db.database.get_tables())


@pytest.mark.backends("sqlite")
def test_shell_context_has_db_the_database_and_every_model(app, db):
    class Author(db.Model):
        name = peewee.CharField()

    class Book(db.Model):
        author = peewee.ForeignKeyField(Author)

    context = app.make_shell_context()
    assert context["db"] is db
    assert context["database"] is db.database
    assert context["Author"] is Author
    assert context["Book"] is Book


def test_connect_db_and_close_db_for_code_outside_requests(db):
    db.database.close()
    assert db.connect_db() is True
    assert db.connect_db() is False  # already open: reused
    db.close_db()
    assert db.database.is_closed()
    db.close_db()  # closing a closed database is harmless
    assert db.database.is_closed()
