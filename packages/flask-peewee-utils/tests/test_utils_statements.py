"""RowLookup: a hot one-row SELECT whose SQL is built once per database, the row read anew each time."""

from __future__ import annotations

import datetime

import peewee
import pytest

from flask_peewee.utils.internal import RowLookup


@pytest.fixture
def models(db):
    class Account(db.Model):
        name = peewee.CharField(unique=True)
        active = peewee.BooleanField(default=True)
        joined = peewee.DateTimeField()
        score = peewee.DecimalField(max_digits=6, decimal_places=2, default=0)

    class Deleted(db.Model):
        name = peewee.CharField()
        deleted = peewee.BooleanField(default=False)

        @classmethod
        def select(cls, *fields):
            return super().select(*fields).where(cls.deleted == False)  # noqa: E712 - SQL comparison

    db.create_tables()
    yield Account, Deleted
    db.database.close()


def test_the_row_is_the_one_peewee_reads(models):
    Account, _ = models
    joined = datetime.datetime(2024, 3, 1, 9, 30, 15)
    Account.create(name="ada", joined=joined, score="12.50")
    Account.create(name="bob", joined=joined, active=False)
    built = []

    def build(name, since):
        built.append(name)
        return Account.select().where(Account.name == name, Account.joined >= since).limit(1)

    lookup = RowLookup(Account, build, 2)
    found = lookup.first("ada", datetime.datetime(2024, 1, 1))
    expected = Account.get(Account.name == "ada")
    assert found == expected
    assert found.__data__ == expected.__data__  # converted by the fields: datetime, Decimal, bool
    assert isinstance(found.joined, datetime.datetime)
    assert not found.is_dirty()
    assert lookup.first("bob", datetime.datetime(2024, 1, 1)).active is False
    assert lookup.first("bob", datetime.datetime(2025, 1, 1)) is None
    assert lookup.first("nobody", datetime.datetime(2000, 1, 1)) is None
    assert len(built) == 1  # the SQL was built once, for the database, with slots


def test_the_found_row_saves_like_any_instance(models):
    Account, _ = models
    Account.create(name="ada", joined=datetime.datetime(2024, 3, 1))
    lookup = RowLookup(Account, lambda name: Account.select().where(Account.name == name).limit(1), 1)
    ada = lookup.first("ada")
    ada.active = False
    ada.save()
    assert Account.get(Account.name == "ada").active is False
    assert Account.select().count() == 1


def test_a_model_that_overrides_select_is_asked_every_time(models):
    _, Deleted = models
    Deleted.create(name="gone", deleted=True)
    Deleted.create(name="kept")
    built = []

    def build(name):
        built.append(name)
        return Deleted.select().where(Deleted.name == name).limit(1)

    lookup = RowLookup(Deleted, build, 1)
    assert lookup.first("gone") is None  # the override's condition applies
    assert lookup.first("kept").name == "kept"
    assert built == ["gone", "kept"]


def test_values_go_through_the_compared_fields_conversion(models):
    Account, _ = models
    ada = Account.create(name="ada", joined=datetime.datetime(2024, 3, 1))
    lookup = RowLookup(Account, lambda pk: Account.select().where(Account.id == pk).limit(1), 1)
    assert lookup.first(str(ada.id)) == ada  # "1" made an integer by the key field, as peewee does
