"""RowLookup and PreparedSelect: hot SELECTs whose SQL is built once per database, the rows read anew each time."""

from __future__ import annotations

import datetime
import decimal

import peewee
import pytest
from flask import Flask

from flask_peewee.db import Database
from flask_peewee.utils import count_rows, filter_query, parse_filters
from flask_peewee.utils.internal import (
    PreparedSelect,
    RowLookup,
    ShapePlans,
    Slot,
    Statement,
    backend_name,
    count_select,
    insert_row,
    slot_filters,
)


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


@pytest.fixture
def entries(db, models):
    """Entry rows with their account (a nullable foreign key to Account)."""
    Account, _ = models

    class Entry(db.Model):
        account = peewee.ForeignKeyField(Account, null=True)
        title = peewee.CharField()

    db.create_tables()
    ada = Account.create(name="ada", joined=datetime.datetime(2024, 3, 1), score="3.25")
    Entry.create(account=ada, title="first")
    Entry.create(account=None, title="orphan")
    return Account, Entry


def _by_id(Account, Entry, columns):
    """A PreparedSelect of an entry by id, its account joined with ``columns["now"]``; also the list of builds."""
    built = []

    def build(pk):
        built.append(pk)
        alias = Account.alias()
        query = Entry.select(Entry, *(getattr(alias, name) for name in columns["now"])).where(Entry.id == pk)
        return query.join(alias, peewee.JOIN.LEFT_OUTER, on=Entry.account == alias.id, attr="account").limit(1)

    return PreparedSelect(Entry, build, 1), built


def test_a_prepared_select_attaches_joined_rows_as_first_does(entries):
    Account, Entry = entries
    columns = {"now": ("id", "name", "score")}
    lookup, built = _by_id(Account, Entry, columns)
    first = Entry.get(Entry.title == "first")
    found = lookup.first("shape", str(first.id))  # "1" made an integer by the key field
    assert found.title == "first"
    assert not found.is_dirty()
    assert found.__data__ == first.__data__
    assert found.account.__data__ == {"id": first.account_id, "name": "ada", "score": decimal.Decimal("3.25")}
    assert lookup.first("shape", first.id + 100) is None
    orphan = lookup.first("shape", Entry.get(Entry.title == "orphan").id)
    assert orphan.title == "orphan"
    assert orphan.account is None
    assert len(built) == 1  # one build for three reads


def test_a_prepared_select_is_built_again_for_another_shape(entries):
    Account, Entry = entries
    columns = {"now": ("id", "name")}
    lookup, built = _by_id(Account, Entry, columns)
    pk = Entry.get(Entry.title == "first").id
    assert "joined" not in lookup.first(("id", "name"), pk).account.__data__
    columns["now"] = ("id", "name", "joined")
    assert lookup.first(("id", "name", "joined"), pk).account.joined == datetime.datetime(2024, 3, 1)
    assert "joined" not in lookup.first(("id", "name"), pk).account.__data__  # the first shape is kept
    assert len(built) == 2
    lookup.max_shapes = 2
    columns["now"] = ("id",)
    assert lookup.first(("id",), pk).account.__data__ == {"id": Entry.get_by_id(pk).account_id}
    assert len(built) == 3  # the cache was full: started afresh with this shape


def test_a_prepared_select_of_a_model_overriding_select_is_built_each_time(models):
    _, Deleted = models
    gone = Deleted.create(name="gone", deleted=True)
    kept = Deleted.create(name="kept")
    built = []

    def build(pk):
        built.append(pk)
        return Deleted.select().where(Deleted.id == pk).limit(1)

    lookup = PreparedSelect(Deleted, build, 1)
    assert lookup.first(None, gone.id) is None  # the override's condition applies
    assert lookup.first(None, kept.id).name == "kept"
    assert len(built) == 2


def test_a_prepared_select_reads_from_a_replica_like_the_query_would(tmp_path):
    urls = {}
    for name in ("primary", "replica"):
        database = peewee.SqliteDatabase(str(tmp_path / f"{name}.db"))
        database.execute_sql("CREATE TABLE place (id INTEGER PRIMARY KEY, label TEXT)")
        database.execute_sql("INSERT INTO place (label) VALUES (?)", (name,))
        database.close()
        urls[name] = f"sqlite:///{tmp_path / name}.db"
    app = Flask("replicas", root_path=str(tmp_path))
    app.config.update(DATABASE=urls["primary"], FLASK_PEEWEE_DATABASE_REPLICAS=[urls["replica"]], TESTING=True)
    db = Database(app)

    class Place(db.Model):
        label = peewee.TextField()

        class Meta:
            table_name = "place"

    lookup = PreparedSelect(Place, lambda pk: Place.select().where(Place.id == pk).limit(1), 1)
    with app.test_request_context("/"):
        assert lookup.first(None, 1).label == Place.select().first().label == "replica"
        with db.primary():
            assert lookup.first(None, 1).label == "primary"
        Place.create(label="written")  # read-your-writes: the rest of the unit of work reads the primary
        assert lookup.first(None, 1).label == "primary"


def _counting_inserts(monkeypatch):
    built = []
    original = peewee.Insert.__sql__

    def counting(self, ctx):
        built.append(self.table)
        return original(self, ctx)

    monkeypatch.setattr(peewee.Insert, "__sql__", counting)
    return built


def test_insert_row_builds_its_statement_once_per_columns(models, monkeypatch):
    Account, _ = models
    built = _counting_inserts(monkeypatch)
    joined = datetime.datetime(2024, 3, 1, 9, 30, 15)
    for name in ("ada", "bob"):
        insert_row(Account, Account(name=name, joined=joined, score="1.5").__data__)
    assert len(built) == 1
    assert [(a.name, a.joined, a.score, a.active) for a in Account.select().order_by(Account.id)] == [
        ("ada", joined, decimal.Decimal("1.50"), True),
        ("bob", joined, decimal.Decimal("1.50"), True),
    ]
    insert_row(Account, {"name": "cy", "joined": joined, "active": False, "score": 0})  # other columns: built again
    assert len(built) == 2
    assert Account.get(Account.name == "cy").active is False


def test_insert_row_returns_the_stored_row_as_peewee_does(models, db):
    Account, _ = models
    if backend_name(db.database) == "mysql":
        pytest.skip("MySQL and MariaDB have no INSERT ... RETURNING of peewee's (save() reads the row back)")
    joined = datetime.datetime(2024, 3, 1, 9, 30, 15)
    data = Account(name="ada", joined=joined, score="12.5").__data__
    row = insert_row(Account, data, returning=True)
    again = insert_row(Account, {**data, "name": "bob"}, returning=True)
    stored = Account.get(Account.name == "ada")
    assert row == tuple(stored.__data__[f.name] for f in Account._meta.sorted_fields)
    assert isinstance(row[3], datetime.datetime)  # id, name, active, joined, score
    assert again[0] == row[0] + 1


def test_insert_row_leaves_a_row_missing_a_default_to_peewee(db, monkeypatch):
    numbers = iter(range(100))

    class Ticket(db.Model):
        title = peewee.CharField()
        number = peewee.IntegerField(default=lambda: next(numbers))

    db.create_tables([Ticket])
    built = _counting_inserts(monkeypatch)
    insert_row(Ticket, {"title": "a"})
    insert_row(Ticket, {"title": "b"})
    first, second = (t.number for t in Ticket.select().order_by(Ticket.id))
    assert second == first + 1  # the default is called for each row, never frozen in a statement
    assert len(built) == 3  # a plan tried once, then peewee's own insert each time


def test_insert_row_honours_a_model_overriding_insert(db):
    inserted = []

    class Logged(db.Model):
        title = peewee.CharField()

        @classmethod
        def insert(cls, *args, **kwargs):
            inserted.append(kwargs)
            return super().insert(*args, **kwargs)

    db.create_tables([Logged])
    insert_row(Logged, {"title": "a"})
    insert_row(Logged, {"title": "b"})
    assert [row["title"] for row in inserted] == ["a", "b"]
    assert Logged.select().count() == 2


def test_a_statement_runs_a_select_and_its_count_with_each_calls_values(entries):
    _, Entry = entries
    query = Entry.select().where(Entry.title != Slot(0)).order_by(Entry.id)
    rows = Statement.prepare(query.limit(10).offset(Slot(1)), [0, 1])
    counting = Statement.prepare(count_select(query), [0])
    database = Statement.database_of(Entry)
    assert [e.title for e in rows.rows(rows.execute(database, ["nothing", 0]))] == ["first", "orphan"]
    assert [e.title for e in rows.rows(rows.execute(database, ["first", 0]))] == ["orphan"]
    assert rows.rows(rows.execute(database, ["nothing", 5])) == []
    assert Statement.scalar(counting.execute(database, ["first"])) == 1
    assert Statement.scalar(counting.execute(database, ["nothing"])) == count_rows(Entry.select()) == 2
    assert Statement.prepare(query, [0, 1]) is None  # slot 1 is not in the query: not prepared
    assert Statement.prepare(Entry.select().where((Entry.title == Slot(0)) | (Entry.title == Slot(0))), [0]) is None


def test_slotted_filters_give_one_statement_per_shape_run_with_each_requests_values(models):
    Account, _ = models
    joined = datetime.datetime(2024, 1, 1)
    for name in ("ann", "bob", "cy"):
        Account.create(name=name, joined=joined)
    args = [{"name__in": ["ann", "bob"]}, {"name__in": ["cy", "nobody"]}, {"name__in": ["ann"]}]
    slotted = [slot_filters(parse_filters(Account, a)) for a in args]
    assert slotted[0].shape == slotted[1].shape == (("name__in", "in", 2),)
    assert slotted[2].shape == (("name__in", "in", 1),)  # as many slots as values: another shape
    plans = ShapePlans()
    database = Statement.database_of(Account)
    built = []

    def build(filters):
        built.append(filters)
        return Statement.prepare(filter_query(Account.select(), filters).order_by(Account.name), range(2))

    names = []
    for item in slotted[:2]:
        rows = plans.get(database, Account, item.shape, lambda item=item: build(item.filters))
        names.append([a.name for a in rows.rows(rows.execute(database, item.values))])
    assert names == [["ann", "bob"], ["cy"]]
    assert len(built) == 1  # the second request of the shape ran the kept statement
    is_null = slot_filters(parse_filters(Account, {"name__is": "null"}))
    assert is_null.values == []
    assert is_null.shape == (("name__is", "null"),)
    assert slot_filters(parse_filters(Account, {"name__like": "a%"})) is None  # a pattern is rewritten in Python


def test_shape_plans_stay_bounded_per_owner():
    class Owner:
        pass

    plans, owner, database = ShapePlans(limit=3), Owner(), Owner()
    for key in range(10):
        assert plans.get(database, owner, key, lambda key=key: f"plan {key}") == f"plan {key}"
    assert len(plans._plans[database][owner]) <= 3
    assert plans.get(database, owner, 9, lambda: "rebuilt") == "plan 9"  # kept
    assert plans.get(database, Owner(), 9, lambda: "another owner") == "another owner"
