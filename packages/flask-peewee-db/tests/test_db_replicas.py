"""Read replicas: configuration, routing rules, failures; on SQLite files standing in for replicas.

Each "replica" here is a SQLite file holding other rows than the primary, so where a read
ran shows in what it returns. The streaming-replication tests on PostgreSQL are in
test_db_replicas_postgres.py.
"""

from __future__ import annotations

import logging
from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.db import Database, ImproperlyConfigured, use_primary
from flask_peewee.db.testing import record_queries


def _file_db(path: Any, label: str) -> str:
    """A SQLite file with a ``place`` table holding one row naming it; returns its URL."""
    database = peewee.SqliteDatabase(str(path))
    database.execute_sql("CREATE TABLE place (id INTEGER PRIMARY KEY, label TEXT)")
    database.execute_sql("INSERT INTO place (label) VALUES (?)", (label,))
    database.close()
    return f"sqlite:///{path}"


@pytest.fixture
def files(tmp_path):
    return {name: _file_db(tmp_path / f"{name}.db", name) for name in ("primary", "one", "two")}


def _make(files, tmp_path, replicas=("one",), **config: Any) -> tuple[Flask, Database, type[peewee.Model]]:
    app = Flask("replicas", root_path=str(tmp_path))
    app.config.update(
        DATABASE=files["primary"],
        FLASK_PEEWEE_DATABASE_REPLICAS=[files[name] for name in replicas],
        TESTING=True,
        **config,
    )
    db = Database(app)

    class Place(db.Model):
        label = peewee.TextField()

        class Meta:
            table_name = "place"

    @app.route("/where")
    def where():
        return Place.select().order_by(Place.id).first().label

    @app.route("/write-then-read", methods=["GET", "POST"])
    def write_then_read():
        before = Place.select().order_by(Place.id).first().label
        Place.create(label="new")
        after = Place.select().order_by(Place.id).first().label
        return f"{before},{after}"

    @app.route("/forced")
    def forced():
        with db.primary():
            inside = Place.select().first().label
        return f"{inside},{Place.select().first().label}"

    return app, db, Place


def _where(model: type[peewee.Model]) -> str:
    return model.select().order_by(model.id).first().label


def test_without_replicas_nothing_changes(tmp_path, files):
    app = Flask("plain", root_path=str(tmp_path))
    app.config.update(DATABASE=files["primary"])
    db = Database(app)
    assert type(db.database) is peewee.SqliteDatabase  # no routing class, no extra hook
    assert db.replicas == []
    assert len(app.before_request_funcs[None]) == 1
    assert len(app.teardown_request_funcs[None]) == 1
    with use_primary(), db.primary():  # usable anyway
        assert db.database.execute_sql("SELECT label FROM place").fetchone() == ("primary",)


def test_reads_go_to_the_replica_writes_and_transactions_to_the_primary(tmp_path, files):
    _app, db, Place = _make(files, tmp_path)
    assert [r.database for r in db.replicas] == [str(tmp_path / "one.db")]
    assert _where(Place) == "one"
    assert Place.select().count() == 1
    assert Place.get_by_id(1).label == "one"
    with db.primary():
        assert _where(Place) == "primary"
    with db.database.atomic():
        assert _where(Place) == "primary"
    assert next(iter(Place.raw("SELECT * FROM place"))).label == "primary"  # raw SQL may write: the primary
    assert _where(Place) == "one"
    Place.create(label="written")  # read-your-writes until the unit of work ends
    assert _where(Place) == "primary"
    assert Place.select().count() == 2
    db.database.close()
    assert _where(Place) == "one"
    db.database.execute_sql("UPDATE place SET label = 'primary' WHERE label = 'written'")  # raw write counts
    assert _where(Place) == "primary"
    db.database.close()


def test_use_primary_nests_and_decorates(tmp_path, files):
    _app, db, Place = _make(files, tmp_path)

    @use_primary()
    def from_primary():
        return _where(Place)

    with use_primary():
        with use_primary():
            assert _where(Place) == "primary"
        assert _where(Place) == "primary"
    assert from_primary() == "primary"
    assert _where(Place) == "one"
    db.database.close()


def test_requests_read_from_the_replica_until_they_write(tmp_path, files):
    app, db, _Place = _make(files, tmp_path)
    client = app.test_client()
    assert client.get("/where").text == "one"
    assert client.get("/write-then-read").text == "one,primary"  # a GET that writes reads its write
    assert client.get("/where").text == "one"  # the next request reads from the replica again
    assert client.post("/write-then-read").text == "primary,primary"  # unsafe method: primary throughout
    assert client.get("/forced").text == "primary,one"
    assert db.database.is_closed()
    assert all(r.is_closed() for r in db.replicas)


def test_round_robin_and_random(tmp_path, files):
    _app, db, Place = _make(files, tmp_path, replicas=("one", "two"))
    assert [_where(Place) for _ in range(4)] == ["one", "two", "one", "two"]
    db.database.close()
    _app2, db2, Place2 = _make(files, tmp_path, replicas=("one", "two"), FLASK_PEEWEE_REPLICA_STRATEGY="random")
    assert {_where(Place2) for _ in range(40)} == {"one", "two"}
    db2.database.close()


def test_a_replica_that_is_down_is_skipped_logged_and_retried_later(tmp_path, files, caplog):
    files["down"] = f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}"
    _app, _db, Place = _make(files, tmp_path, replicas=("down", "one"), FLASK_PEEWEE_REPLICA_COOLDOWN=0)
    with caplog.at_level(logging.WARNING, logger="flask_peewee.db.replicas"):
        labels = [_where(Place) for _ in range(4)]
    assert labels == ["one"] * 4  # the down one is tried and skipped each time (no cooldown)
    assert "replica" in caplog.text
    assert "x.db" in caplog.text
    assert "failed" in caplog.text

    _app, _db, Place = _make(files, tmp_path, replicas=("down",), FLASK_PEEWEE_REPLICA_COOLDOWN=60)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="flask_peewee.db.replicas"):
        assert [_where(Place) for _ in range(3)] == ["primary"] * 3  # bounded: one try, then the primary
    assert len([r for r in caplog.records if "failed" in r.getMessage()]) == 1  # left out for the cooldown


def test_a_failing_read_on_the_replica_runs_once_on_the_primary(tmp_path, files, caplog):
    _app, db, Place = _make(files, tmp_path)
    replica = db.replicas[0]
    replica.execute_sql("DROP TABLE place")  # e.g. a table the replica has not replayed yet
    replica.close()
    with caplog.at_level(logging.WARNING, logger="flask_peewee.db.replicas"), record_queries() as queries:
        assert _where(Place) == "primary"
    assert len(queries) == 2
    assert "no such table" in caplog.text
    assert "left out for 30.0s" in caplog.text
    db.database.close()


def test_a_lagging_replica_is_skipped(tmp_path, files, caplog):
    lags = {"one": 12.0, "two": 0.5}

    class LagAware(Database):
        def replica_lag(self, replica):
            return lags[replica.database.rsplit("/", 1)[-1][:-3]]

    app = Flask("lag", root_path=str(tmp_path))
    app.config.update(
        DATABASE=files["primary"],
        FLASK_PEEWEE_DATABASE_REPLICAS=f"{files['one']}, {files['two']}",
        FLASK_PEEWEE_REPLICA_MAX_LAG="5",
    )
    db = LagAware(app)

    class Place(db.Model):
        label = peewee.TextField()

        class Meta:
            table_name = "place"

    with caplog.at_level(logging.WARNING, logger="flask_peewee.db.replicas"):
        assert {_where(Place) for _ in range(4)} == {"two"}
        db.database.close()
        lags["two"] = None  # unknown counts as too far behind
        assert _where(Place) == "primary"
    assert "12.0s behind" in caplog.text
    assert "an unknown time behind" in caplog.text
    db.database.close()


def test_pooled_primary_and_replica(tmp_path, files):
    pooled = {name: url.replace("sqlite://", "sqlite+pool://") for name, url in files.items()}
    app, db, _Place = _make(pooled, tmp_path)
    assert isinstance(db.database, peewee.SqliteDatabase)
    assert type(db.database).__name__.startswith("Routed")
    client = app.test_client()
    assert [client.get("/where").text for _ in range(3)] == ["one"] * 3
    assert client.post("/write-then-read").text == "primary,primary"
    assert db.database.is_closed()
    assert all(r.is_closed() for r in db.replicas)


def test_replicas_in_the_database_dict(tmp_path, files):
    app = Flask("dict", root_path=str(tmp_path))
    app.config["DATABASE"] = {
        "name": str(tmp_path / "primary.db"),
        "engine": "peewee.SqliteDatabase",
        "replicas": [files["one"], {"name": str(tmp_path / "two.db"), "engine": "peewee.SqliteDatabase"}],
    }
    db = Database(app)
    assert db.database_config == {}
    assert len(db.replicas) == 2
    assert db.database.execute_sql("SELECT label FROM place").fetchone() == ("primary",)  # raw: the primary
    db.database.close()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"FLASK_PEEWEE_DATABASE_REPLICAS": 3}, "FLASK_PEEWEE_DATABASE_REPLICAS must be a list"),
        ({"FLASK_PEEWEE_DATABASE_REPLICAS": [3]}, "each replica is a database URL"),
        ({"FLASK_PEEWEE_DATABASE_REPLICAS": ["nonsense"]}, "is not a database URL"),
        ({"FLASK_PEEWEE_DATABASE_REPLICAS": ["postgresql://h/x"]}, "not the same kind of database"),
        ({"FLASK_PEEWEE_REPLICA_STRATEGY": "nearest"}, "FLASK_PEEWEE_REPLICA_STRATEGY must be one of"),
        ({"FLASK_PEEWEE_REPLICA_MAX_LAG": "soon"}, "FLASK_PEEWEE_REPLICA_MAX_LAG must be a number"),
        ({"FLASK_PEEWEE_REPLICA_COOLDOWN": -1}, "FLASK_PEEWEE_REPLICA_COOLDOWN must be zero or more"),
        ({"FLASK_PEEWEE_REPLICA_COOLDOWN": None}, "FLASK_PEEWEE_REPLICA_COOLDOWN must be a number"),
    ],
)
def test_bad_replica_settings_are_refused(tmp_path, files, config, message):
    app = Flask("bad", root_path=str(tmp_path))
    app.config.update(DATABASE=files["primary"], FLASK_PEEWEE_DATABASE_REPLICAS=[files["one"]])
    app.config.update(config)
    with pytest.raises(ImproperlyConfigured, match=message):
        Database(app)


def test_replicas_listed_twice_or_as_the_primary_are_refused(tmp_path, files):
    app = Flask("twice", root_path=str(tmp_path))
    app.config.update(
        DATABASE={"name": str(tmp_path / "primary.db"), "engine": "peewee.SqliteDatabase", "replicas": [files["one"]]},
        FLASK_PEEWEE_DATABASE_REPLICAS=[files["two"]],
    )
    with pytest.raises(ImproperlyConfigured, match="list them in one place"):
        Database(app)
    primary = peewee.SqliteDatabase(str(tmp_path / "primary.db"))
    app = Flask("self", root_path=str(tmp_path))
    app.config.update(DATABASE=primary, FLASK_PEEWEE_DATABASE_REPLICAS=[primary])
    with pytest.raises(ImproperlyConfigured, match="cannot be the primary"):
        Database(app)


def test_a_second_app_with_other_replicas_is_refused(tmp_path, files):
    app, db, _Place = _make(files, tmp_path)
    same = Flask("same", root_path=str(tmp_path))
    same.config.update(app.config)
    db.init_app(same)  # same database, same replicas: fine
    other = Flask("other", root_path=str(tmp_path))
    other.config.update(app.config, FLASK_PEEWEE_DATABASE_REPLICAS=[files["two"]])
    with pytest.raises(ImproperlyConfigured, match="already bound to another database"):
        db.init_app(other)


def test_cli_commands_read_from_the_primary(tmp_path, files):
    app, db, Place = _make(files, tmp_path)
    seen: list[str] = []

    @db.cli.command("where")
    def where() -> None:
        seen.append(_where(Place))

    result = app.test_cli_runner().invoke(args=["fp", "where"])
    assert result.exit_code == 0, result.output
    assert seen == ["primary"]
    db.database.close()
