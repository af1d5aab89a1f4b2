"""The ``flask fp`` group: tables commands, and room for the commands of higher layers."""

from __future__ import annotations

import click
import peewee
import pytest


@pytest.fixture
def library(db):
    class Author(db.Model):
        name = peewee.CharField()

    class Book(db.Model):
        author = peewee.ForeignKeyField(Author, backref="books")
        title = peewee.CharField()

    # Declared in dependency order here; the commands must not rely on it.
    db.models.reverse()
    db.database.close()
    return Author, Book


def test_fp_group_is_on_the_app_cli_with_every_command(app, db):
    result = app.test_cli_runner().invoke(args=["fp", "--help"])
    assert result.exit_code == 0
    for command in ("create-tables", "drop-tables", "status", "up", "down", "create", "generate"):
        assert command in result.output


def test_create_tables_in_foreign_key_order_and_safe_to_rerun(app, db, library):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["fp", "create-tables"])
    assert first.exit_code == 0, first.output
    assert first.output == "created author\ncreated book\n"
    assert {"author", "book"} <= set(db.database.get_tables())
    again = runner.invoke(args=["fp", "create-tables"])
    assert (again.exit_code, again.output) == (0, "all tables exist\n")
    db.database.close()


def test_create_tables_leaves_no_connection_open(app, db, library):
    assert app.test_cli_runner().invoke(args=["fp", "create-tables"]).exit_code == 0
    assert db.database.is_closed()


def test_drop_tables_asks_first(app, db, library):
    runner = app.test_cli_runner()
    runner.invoke(args=["fp", "create-tables"])
    refused = runner.invoke(args=["fp", "drop-tables"], input="n\n")
    assert refused.exit_code == 1
    assert "Drop the table of every model?" in refused.output
    assert "Aborted" in refused.output
    assert {"author", "book"} <= set(db.database.get_tables())

    accepted = runner.invoke(args=["fp", "drop-tables"], input="y\n")
    assert accepted.exit_code == 0
    assert accepted.output.endswith("dropped book\ndropped author\n")
    assert not {"author", "book"} & set(db.database.get_tables())
    db.database.close()


def test_drop_tables_yes_skips_the_question(app, db, library):
    runner = app.test_cli_runner()
    runner.invoke(args=["fp", "create-tables"])
    result = runner.invoke(args=["fp", "drop-tables", "--yes"])
    assert (result.exit_code, result.output) == (0, "dropped book\ndropped author\n")
    again = runner.invoke(args=["fp", "drop-tables", "--yes"])
    assert (again.exit_code, again.output) == (0, "no tables to drop\n")
    assert db.database.is_closed()


@pytest.mark.backends("sqlite")
def test_higher_layers_add_commands_to_the_group(app, db):
    @db.cli.command("hello")
    @click.argument("name")
    def hello(name: str) -> None:
        """Say hello (stands in for e.g. createsuperuser)."""
        click.echo(f"hello {name} from {db.database.database}")

    result = app.test_cli_runner().invoke(args=["fp", "hello", "you"])
    assert result.exit_code == 0
    assert result.output.startswith("hello you from ")
