"""Keyset (seek) iteration on every backend: any ordering, NULLs last, backward, no OFFSET, float columns."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import peewee
import pytest

from flask_peewee.utils import (
    apply_ordering,
    iter_keyset,
    keyset_condition,
    keyset_key,
    keyset_order,
    keyset_values,
    parse_ordering,
)

SCORES = [3, None, 1, 3, 2, None, 1, 3, 2, 2, None, 5, 1]
RATINGS = [0.1, 0.3, 0.1, None, 0.7, 0.3, 0.1, 0.3, None, 0.7, 0.1, 0.3, 0.7]


@contextlib.contextmanager
def statements(database: peewee.Database) -> Iterator[list[str]]:
    """Every SQL statement run on ``database`` inside the block."""
    seen: list[str] = []
    original = database.execute_sql

    def spy(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        seen.append(sql)
        return original(sql, params, *args, **kwargs)

    database.execute_sql = spy  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del database.execute_sql


@pytest.fixture
def board(db: Any) -> SimpleNamespace:
    """13 entries by two authors, with a nullable score, a single-precision float and repeated titles."""

    class Author(db.Model):
        name = peewee.CharField()

    class Entry(db.Model):
        author = peewee.ForeignKeyField(Author, backref="entries")
        title = peewee.CharField()
        score = peewee.IntegerField(null=True)
        rating = peewee.FloatField(null=True)  # REAL on PostgreSQL, FLOAT on MariaDB

    db.create_tables()
    ann, bob = Author.create(name="ann"), Author.create(name="bob")
    for index, (score, rating) in enumerate(zip(SCORES, RATINGS, strict=True)):
        Entry.create(author=ann if index % 3 else bob, title=f"entry {index % 4}", score=score, rating=rating)
    db.database.close()
    return SimpleNamespace(Author=Author, Entry=Entry, db=db)


def _expected(entry: Any, ordering: str) -> list[int]:
    """The ids in ``ordering`` then id order, NULLs last in both directions (computed in Python)."""
    rows = list(entry.select())
    for part in reversed([*(p for p in ordering.split(",") if p), "id"]):
        name = part.lstrip("-")
        attr = "author_id" if name == "author" else name
        present = sorted(
            (r for r in rows if getattr(r, attr) is not None), key=lambda r: getattr(r, attr), reverse=part[0] == "-"
        )
        rows = present + [r for r in rows if getattr(r, attr) is None]
    return [r.id for r in rows]


ORDERINGS = ["", "score", "-score", "-score,title", "title,-rating", "rating", "-rating", "author,-id"]


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("batch_size", [1, 4, 13, 100])
def test_iter_keyset_visits_every_row_once_in_order(board: SimpleNamespace, ordering: str, batch_size: int) -> None:
    entry = board.Entry
    key = keyset_key(entry, parse_ordering(entry, ordering))
    with statements(board.db.database) as sql:
        ids = [row.id for row in iter_keyset(entry.select(), key, batch_size)]
    assert ids == _expected(entry, ordering)
    assert ids == [row.id for row in apply_ordering(entry.select(), [ordering, "id"])]
    assert len(sql) == len(SCORES) // batch_size + 1  # one query per batch, plus the one that finds the end
    assert not any("OFFSET" in s.upper() for s in sql)


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_walking_backward_gives_the_exact_reverse(board: SimpleNamespace, ordering: str) -> None:
    entry = board.Entry
    key = keyset_key(entry, parse_ordering(entry, ordering))
    expected = _expected(entry, ordering)
    last = entry.get_by_id(expected[-1])
    seen: list[int] = []
    values = keyset_values(key, last)
    while True:
        query = entry.select().where(keyset_condition(key, values, backward=True))
        page = list(query.order_by(*keyset_order(key, backward=True)).limit(3))
        seen.extend(row.id for row in page)
        if len(page) < 3:
            break
        values = keyset_values(key, page[-1])
    assert seen == list(reversed(expected[:-1]))


@pytest.mark.parametrize("rating", [0.1, 0.3, 0.7])
def test_single_precision_floats_compare_exactly(board: SimpleNamespace, rating: float) -> None:
    entry = board.Entry
    key = keyset_key(entry, [(entry.rating, False)])
    stored = [
        row for row in entry.select().order_by(entry.id) if row.rating is not None and abs(row.rating - rating) < 1e-6
    ]
    first = stored[0]
    after = entry.select().where(keyset_condition(key, keyset_values(key, first)))
    ids = {row.id for row in after}
    assert {row.id for row in stored[1:]} <= ids  # same rating, higher id: after, although the float was rounded
    assert first.id not in ids


def test_columns_give_tuples_of_joined_aliases(board: SimpleNamespace) -> None:
    entry, author = board.Entry, board.Author
    alias = author.alias()
    query = entry.select().join(alias, on=(entry.author == alias.id))
    key = keyset_key(entry, [(entry.title, True)])
    rows = list(iter_keyset(query, key, 5, columns=[entry.title, alias.name]))
    assert len(rows) == len(SCORES)
    assert [title for title, _name in rows] == sorted((r.title for r in entry.select()), reverse=True)
    assert {name for _title, name in rows} == {"ann", "bob"}
    assert all(len(row) == 2 for row in rows)


@pytest.mark.parametrize("ordering", ["", "-score,title"])
def test_key_columns_among_the_columns_are_read_once(board: SimpleNamespace, ordering: str) -> None:
    entry = board.Entry
    key = keyset_key(entry, parse_ordering(entry, ordering))
    columns = [entry.id, entry.title, entry.score]
    with statements(board.db.database) as sql:
        rows = list(iter_keyset(entry.select(), key, 4, columns=columns))
    assert [row[0] for row in rows] == _expected(entry, ordering)
    assert all(len(row) == 3 for row in rows)
    assert len(sql) == len(SCORES) // 4 + 1
    if not ordering:  # only the id is the key: it is selected once
        quoted = sql[0].upper().replace("`", '"')
        assert quoted.count('"ID"') == 2  # in the SELECT list and the ORDER BY


@pytest.mark.backends("sqlite")
def test_partial_selects_and_dicts_still_walk(board: SimpleNamespace) -> None:
    entry = board.Entry
    key = keyset_key(entry, [(entry.score, True)])
    titles = [row.title for row in iter_keyset(entry.select(entry.title), key, 4)]
    assert len(titles) == len(SCORES)
    dicts = list(iter_keyset(entry.select().dicts(), key, 4))
    assert [d["id"] for d in dicts] == _expected(entry, "-score")


@pytest.mark.backends("sqlite")
def test_key_drops_repeats_and_what_follows_the_primary_key(board: SimpleNamespace) -> None:
    entry = board.Entry
    assert keyset_key(entry) == [(entry.id, False)]
    pairs = [(entry.score, True), (entry.score, False), (entry.id, True), (entry.title, False)]
    assert keyset_key(entry, pairs) == [(entry.score, True), (entry.id, True)]


@pytest.mark.backends("sqlite")
def test_bad_arguments_are_clear_errors(board: SimpleNamespace, db: Any) -> None:
    class Pair(db.Model):
        left = peewee.IntegerField()
        right = peewee.IntegerField()

        class Meta:
            primary_key = peewee.CompositeKey("left", "right")

    entry = board.Entry
    key = keyset_key(entry)
    with pytest.raises(ValueError, match="single-column primary key"):
        keyset_key(Pair)
    with pytest.raises(ValueError, match="batch_size"):
        list(iter_keyset(entry.select(), key, 0))
    with pytest.raises(ValueError, match="needs 1 values"):
        keyset_condition(key, [1, 2])
    with pytest.raises(TypeError, match="tuple"):
        keyset_values(key, (1,))


@pytest.mark.backends("sqlite")
def test_nothing_comes_after_the_last_null(board: SimpleNamespace) -> None:
    entry = board.Entry
    key = [(entry.score, False)]  # a key of one nullable column: after NULL there is nothing
    assert list(entry.select().where(keyset_condition(key, [None]))) == []
    before = entry.select().where(keyset_condition(key, [None], backward=True))
    assert {row.score for row in before} == {1, 2, 3, 5}
