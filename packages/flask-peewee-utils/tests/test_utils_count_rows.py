"""count_rows: the same number as peewee's ``query.count()``, with a plain ``COUNT(*)`` where it can."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.db import Database
from flask_peewee.utils import PaginatedQuery, count_rows


@pytest.fixture
def shop(db: Database) -> SimpleNamespace:
    """Owners (3), items (each with an owner; some with a nullable shelf) and tags of items.

    Items: 12, owner ``a`` has 6, ``b`` 4, ``c`` 2; items 0-4 are on a shelf, the rest on none.
    Every item has two tags, so joining tags doubles the rows.
    """

    class Owner(db.Model):
        name = peewee.CharField(unique=True)

    class Shelf(db.Model):
        label = peewee.CharField()

    class Item(db.Model):
        owner = peewee.ForeignKeyField(Owner, backref="items")
        shelf = peewee.ForeignKeyField(Shelf, null=True, backref="items")
        name = peewee.CharField()
        price = peewee.IntegerField()

    class Tag(db.Model):
        item = peewee.ForeignKeyField(Item, backref="tags")
        word = peewee.CharField()

    db.create_tables()
    owners = [Owner.create(name=name) for name in ("a", "b", "c")]
    shelf = Shelf.create(label="top")
    spread = [0] * 6 + [1] * 4 + [2] * 2
    for i, which in enumerate(spread):
        item = Item.create(owner=owners[which], shelf=shelf if i < 5 else None, name=f"item{i}", price=i % 4)
        Tag.create(item=item, word="x")
        Tag.create(item=item, word="y")
    db.database.close()
    return SimpleNamespace(Owner=Owner, Shelf=Shelf, Item=Item, Tag=Tag)


@pytest.fixture
def statements(db: Database, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``with statements() as sql:`` lists the SQL run inside the block (the statements still run)."""
    database = db.database
    original = database.execute_sql

    @contextmanager
    def recorder() -> Iterator[list[str]]:
        seen: list[str] = []

        def execute_sql(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
            seen.append(sql)
            return original(sql, params, *args, **kwargs)

        monkeypatch.setattr(database, "execute_sql", execute_sql)
        try:
            yield seen
        finally:
            monkeypatch.setattr(database, "execute_sql", original)

    return recorder


def _count(query: Any, statements: Any) -> tuple[int, str]:
    """``count_rows(query)`` and the one statement it ran, after checking it equals ``query.count()``."""
    with statements() as sql:
        counted = count_rows(query)
    expected = query.select().count() if isinstance(query, type) else query.count()
    assert counted == expected
    assert len(sql) == 1
    return counted, sql[0]


def test_a_whole_table_is_a_plain_count(shop: SimpleNamespace, statements: Any) -> None:
    Item = shop.Item
    counted, sql = _count(Item.select().order_by(Item.name.desc()), statements)
    assert counted == 12
    assert sql.startswith("SELECT COUNT(*) FROM ")
    assert "JOIN" not in sql
    assert "ORDER BY" not in sql
    assert sql.count("SELECT") == 1  # no subquery


def test_a_model_class_counts_its_table(shop: SimpleNamespace, statements: Any) -> None:
    counted, sql = _count(shop.Owner, statements)
    assert counted == 3
    assert sql.count("SELECT") == 1


def test_a_filter_keeps_its_where(shop: SimpleNamespace, statements: Any) -> None:
    Item = shop.Item
    counted, sql = _count(Item.select().where(Item.price >= 2).order_by(Item.id), statements)
    assert counted == 6
    assert " WHERE " in sql
    assert "ORDER BY" not in sql
    assert sql.count("SELECT") == 1


def test_a_filter_across_the_foreign_key_keeps_that_join(shop: SimpleNamespace, statements: Any) -> None:
    Item, Owner = shop.Item, shop.Owner
    query = Item.select(Item, Owner).join(Owner).where(Owner.name == "b").order_by(Item.price.desc())
    counted, sql = _count(query, statements)
    assert counted == 4
    assert "JOIN" in sql
    assert "ORDER BY" not in sql
    assert sql.count("SELECT") == 1


def test_a_filter_through_an_alias_keeps_the_aliased_join(shop: SimpleNamespace, statements: Any) -> None:
    Item, Owner = shop.Item, shop.Owner
    owner = Owner.alias()
    query = (
        Item.select(Item, owner)
        .join(owner, peewee.JOIN.LEFT_OUTER, on=(Item.owner == owner.id))
        .where(owner.name == "c")
        .order_by(Item.id)
    )
    counted, sql = _count(query, statements)
    assert counted == 2
    assert "JOIN" in sql


def test_joins_that_cannot_change_the_count_are_dropped(shop: SimpleNamespace, statements: Any) -> None:
    Item, Owner, Shelf = shop.Item, shop.Owner, shop.Shelf
    # An INNER join along a non-null foreign key and a LEFT OUTER join along a nullable one, no WHERE on them.
    query = (
        Item.select(Item, Owner, Shelf)
        .join(Owner)
        .switch(Item)
        .join(Shelf, peewee.JOIN.LEFT_OUTER)
        .where(Item.price < 3)
        .order_by(Owner.name)
    )
    counted, sql = _count(query, statements)
    assert counted == 9
    assert "JOIN" not in sql
    assert "ORDER BY" not in sql
    assert sql.count("SELECT") == 1


def test_an_aliased_left_outer_join_without_a_filter_is_dropped(shop: SimpleNamespace, statements: Any) -> None:
    Item, Owner = shop.Item, shop.Owner
    owner = Owner.alias()
    query = Item.select(Item, owner).join(owner, peewee.JOIN.LEFT_OUTER, on=(Item.owner == owner.id))
    counted, sql = _count(query, statements)
    assert counted == 12
    assert "JOIN" not in sql


def test_an_inner_join_on_a_nullable_foreign_key_is_kept(shop: SimpleNamespace, statements: Any) -> None:
    Item, Shelf = shop.Item, shop.Shelf
    counted, sql = _count(Item.select(Item, Shelf).join(Shelf).order_by(Item.id), statements)
    assert counted == 5  # items without a shelf drop out
    assert "JOIN" in sql
    assert "ORDER BY" not in sql


def test_a_join_to_the_many_side_is_kept(shop: SimpleNamespace, statements: Any) -> None:
    Item, Tag = shop.Item, shop.Tag
    counted, sql = _count(Item.select(Item).join(Tag).order_by(Item.id), statements)
    assert counted == 24  # one row per tag
    assert "JOIN" in sql


def test_a_join_another_kept_join_needs_is_kept(shop: SimpleNamespace, statements: Any) -> None:
    Tag, Item, Owner = shop.Tag, shop.Item, shop.Owner
    # Tag -> Item (not filtered) -> Owner (filtered): the Item join carries the Owner join.
    query = Tag.select().join(Item).join(Owner).where(Owner.name == "a")
    counted, sql = _count(query, statements)
    assert counted == 12
    assert sql.count("JOIN") == 2


def test_a_subquery_in_the_where_is_counted_right(shop: SimpleNamespace, statements: Any) -> None:
    Item, Owner = shop.Item, shop.Owner
    wanted = Owner.select(Owner.id).where(Owner.name.in_(["a", "c"]))
    counted, _sql = _count(Item.select(Item, Owner).join(Owner).where(Item.owner.in_(wanted)), statements)
    assert counted == 8


def test_distinct_and_grouped_queries_fall_back_to_peewee(shop: SimpleNamespace, statements: Any) -> None:
    Item, Tag = shop.Item, shop.Tag
    distinct = Item.select(Item.price).distinct()
    counted, sql = _count(distinct, statements)
    assert counted == 4
    assert "_wrapped" in sql

    grouped = Item.select(Item.owner, peewee.fn.COUNT(Item.id)).group_by(Item.owner)
    counted, sql = _count(grouped, statements)
    assert counted == 3
    assert "_wrapped" in sql

    distinct_join = Item.select(Item.id).join(Tag).distinct()
    counted, _sql = _count(distinct_join, statements)
    assert counted == 12


def test_limited_queries_fall_back_to_peewee(shop: SimpleNamespace, statements: Any) -> None:
    Item = shop.Item
    counted, sql = _count(Item.select().order_by(Item.id).limit(5), statements)
    assert counted == 5
    assert "_wrapped" in sql


def test_compound_queries_fall_back_to_peewee(shop: SimpleNamespace, statements: Any) -> None:
    Item = shop.Item
    union = Item.select(Item.name).where(Item.price == 0) | Item.select(Item.name).where(Item.price == 1)
    counted, _sql = _count(union, statements)
    assert counted == 6


def test_a_plain_table_query_is_counted(db: Database, shop: SimpleNamespace, statements: Any) -> None:
    table = peewee.Table(shop.Item._meta.table_name, ("id", "price")).bind(db.database)
    counted, sql = _count(table.select(table.id).where(table.price >= 2).order_by(table.id), statements)
    assert counted == 6
    assert sql.startswith("SELECT COUNT(*) FROM ")
    assert "ORDER BY" not in sql


def test_an_empty_result_counts_zero(shop: SimpleNamespace, statements: Any) -> None:
    Item = shop.Item
    counted, _sql = _count(Item.select().where(Item.name == "nothing"), statements)
    assert counted == 0


def test_the_query_is_left_as_it_was(shop: SimpleNamespace) -> None:
    Item, Owner = shop.Item, shop.Owner
    query = Item.select(Item, Owner).join(Owner, peewee.JOIN.LEFT_OUTER).order_by(Item.id.desc())
    before = query.sql()
    assert count_rows(query) == 12
    assert query.sql() == before
    first = query.get()
    assert first.name == "item11"
    assert first.owner.name == "c"  # the join still fills the related object


def test_count_rows_refuses_what_is_not_a_query() -> None:
    with pytest.raises(TypeError, match="count_rows"):
        count_rows("Item")


def test_paginated_query_counts_with_count_rows(app: Flask, shop: SimpleNamespace, statements: Any) -> None:
    Item, Owner = shop.Item, shop.Owner
    query = Item.select(Item, Owner).join(Owner, peewee.JOIN.LEFT_OUTER).order_by(Item.id)
    with app.test_request_context("/?page=2"):
        pq = PaginatedQuery(query, 5)
        with statements() as sql:
            assert pq.get_count() == 12
            assert pq.get_pages() == 3
        assert len(sql) == 1
        assert sql[0].startswith("SELECT COUNT(*) FROM ")
        assert "JOIN" not in sql[0]
        assert [item.name for item in pq.get_list()] == [f"item{i}" for i in range(5, 10)]
