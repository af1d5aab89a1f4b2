"""The query counter and the outage helper of the public plugin (flask_peewee.db.testing)."""

from __future__ import annotations

import logging
from urllib.error import URLError
from urllib.request import urlopen

import peewee
import pytest

from flask_peewee.db.testing import QueryCounter, record_queries, serve, table_moved_away


@pytest.fixture
def item(db):
    class Item(db.Model):
        n = peewee.IntegerField()

    db.create_tables()
    yield Item
    db.database.close()


def test_count_queries_records_each_statement_in_order(item, count_queries):
    with count_queries() as queries:
        item.create(n=1)
        item.create(n=2)
        assert item.select().count() == 2
    assert isinstance(queries, QueryCounter)
    assert queries.count() == len(queries) == 3
    assert queries.count("INSERT") == 2
    assert queries.count("select") == 1
    assert queries[2].upper().startswith("SELECT")
    assert [sql.split()[0].upper() for sql in queries] == ["INSERT", "INSERT", "SELECT"]
    assert queries.statements == list(queries)


def test_nothing_is_recorded_outside_the_block_and_the_logger_is_restored(item):
    logger = logging.getLogger("peewee")
    level, handlers = logger.level, list(logger.handlers)
    with record_queries() as queries:
        pass
    item.create(n=1)
    assert queries.count() == 0
    assert logger.level == level
    assert logger.handlers == handlers


def test_the_logger_is_restored_when_the_block_raises(item):
    logger = logging.getLogger("peewee")
    handlers = list(logger.handlers)

    def failing_block() -> QueryCounter:
        with record_queries() as queries:
            item.create(n=1)
            raise RuntimeError(queries)

    with pytest.raises(RuntimeError) as raised:
        failing_block()
    assert raised.value.args[0].count("INSERT") == 1
    assert logger.handlers == handlers


def test_table_moved_away_makes_its_queries_fail_then_puts_it_back(db, item):
    table = item._meta.table_name
    with table_moved_away(db, table):
        with pytest.raises((peewee.OperationalError, peewee.ProgrammingError)):
            item.select().count()
        db.database.close()  # a failed statement may leave the connection's transaction aborted
    assert item.select().count() == 0
    assert table in db.database.get_tables()


def test_table_moved_away_takes_a_peewee_database_and_restores_after_an_error(db, item):
    table = item._meta.table_name
    with pytest.raises(KeyError), table_moved_away(db.database, table):
        raise KeyError("the test failed")
    item.create(n=1)
    assert item.select().count() == 1


def test_serve_answers_over_http_for_the_block_only(app):
    @app.get("/hello")
    def hello():
        return "hello from the served app"

    with serve(app) as base:
        assert base.startswith("http://127.0.0.1:")
        with urlopen(base + "/hello", timeout=10) as response:  # noqa: S310  # http://127.0.0.1 built above
            assert response.read() == b"hello from the served app"
    with pytest.raises(URLError):
        urlopen(base + "/hello", timeout=2)  # noqa: S310  # the same local URL
