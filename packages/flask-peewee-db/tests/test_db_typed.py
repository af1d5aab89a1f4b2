"""flask_peewee.db.typed: the typed accessors give exactly what peewee's own attributes give."""

from __future__ import annotations

from collections.abc import Iterator

import peewee
import pytest

from flask_peewee.db import typed


@pytest.fixture
def models() -> Iterator[tuple[type[peewee.Model], type[peewee.Model], peewee.SqliteDatabase]]:
    database = peewee.SqliteDatabase(":memory:")

    class Author(peewee.Model):
        name = peewee.CharField()

        class Meta:
            table_name = "author"

    class Book(peewee.Model):
        title = peewee.CharField()
        author = peewee.ForeignKeyField(Author, backref="books")

        class Meta:
            table_name = "book"

    database.bind([Author, Book])
    database.create_tables([Author, Book])
    yield Author, Book, database
    database.close()


def test_sort_models_puts_a_model_after_what_it_references(models) -> None:
    author, book, _database = models
    assert typed.sort_models([book, author]) == [author, book]
    assert typed.sort_models([book, author]) == list(peewee.sort_models([book, author]))


def test_does_not_exist_is_the_models_own_exception(models) -> None:
    author, _book, _database = models
    error = typed.does_not_exist(author)
    assert error is author.DoesNotExist
    assert issubclass(error, peewee.DoesNotExist)
    with pytest.raises(error):
        author.get_by_id(404)


def test_primary_key_and_instance_key(models) -> None:
    author, _book, _database = models
    assert typed.primary_key(author) is author._meta.primary_key
    assert typed.primary_key(author).name == "id"
    first = author.create(name="Ann")
    second = author.create(name="Bob")
    assert typed.pk_value(first) == first.id
    assert typed.pk_value(author(name="unsaved")) is None
    # the expression selects exactly this row
    assert [a.name for a in author.select().where(typed.pk_expr(second))] == ["Bob"]


def test_dirty_names_lists_the_fields_assigned_since_saving(models) -> None:
    author, _book, _database = models
    ann = author.create(name="Ann")
    assert typed.dirty_names(ann) == set()
    ann.name = "Anne"
    assert typed.dirty_names(ann) == {"name"}
    ann.save()
    assert typed.dirty_names(ann) == set()


def test_relation_ends_of_a_foreign_key(models) -> None:
    author, book, _database = models
    field = book._meta.fields["author"]
    assert typed.rel_model(field) is author
    assert typed.rel_field(field) is author._meta.primary_key


def test_query_internals(models) -> None:
    author, _book, _database = models
    plain = author.select()
    assert list(typed.query_returning(plain)) == list(author._meta.sorted_fields)
    narrowed = author.select(author.name)
    assert list(typed.query_returning(narrowed)) == [author.name]
    assert typed.query_order_by(plain) is None
    ordered = plain.order_by(author.name.desc())
    assert len(typed.query_order_by(ordered)) == 1


def test_driver_module_and_untyped(models) -> None:
    assert typed.driver_module("no_such_driver") is None
    assert typed.driver_module("sqlite3") is peewee.sqlite3
    value = object()
    assert typed.untyped(value) is value
