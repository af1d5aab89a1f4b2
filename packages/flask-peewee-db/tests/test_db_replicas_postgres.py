"""Read replicas on a real PostgreSQL primary and streaming replica (the plugin's ``replica_cluster``).

Where a read ran is asked of the connection that ran it: ``pg_is_in_recovery()`` is true only
on the replica. Lag is made by pausing the replica's replay.
"""

from __future__ import annotations

import logging
from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.db import Database, use_primary
from flask_peewee.db.testing import ReplicaCluster

ON_REPLICA = peewee.fn.pg_is_in_recovery()


def on_replica(db: Database) -> bool:
    """Whether a read on ``db`` runs on the replica (``SELECT pg_is_in_recovery()``, routed as reads are)."""
    return peewee.Select(columns=[ON_REPLICA]).bind(db.database).scalar()


def _make(cluster: ReplicaCluster, tmp_path: Any, *, pooled: bool = False, **config: Any):
    primary, replica = cluster.primary_url, cluster.replica_url
    if pooled:
        primary, replica = (url.replace("postgresql://", "postgres+pool://") for url in (primary, replica))
    app = Flask("pg_replicas", root_path=str(tmp_path))
    app.config.update(DATABASE=primary, FLASK_PEEWEE_DATABASE_REPLICAS=[replica], TESTING=True, **config)
    db = Database(app)

    class Note(db.Model):
        text = peewee.TextField()

    with use_primary():
        db.create_tables()
    db.database.close()
    cluster.sync()

    @app.route("/notes")
    def notes():
        return {"on_replica": on_replica(db), "count": Note.select().count()}

    @app.route("/notes/add", methods=["GET", "POST"])
    def add():
        before = on_replica(db)
        Note.create(text="added")
        return {"before": before, "on_replica": on_replica(db), "count": Note.select().count()}

    return app, db, Note


def test_reads_hit_the_replica_and_the_rest_the_primary(replica_cluster, tmp_path):
    _app, db, Note = _make(replica_cluster, tmp_path)
    assert on_replica(db) is True
    Note.create(text="written")
    assert on_replica(db) is False  # read-your-writes
    db.database.close()
    replica_cluster.sync()
    assert Note.select(ON_REPLICA).scalar() is True  # a model query, on the replica
    assert Note.select(ON_REPLICA).for_update().scalar() is False  # a locking read: the primary
    with db.database.atomic():
        assert Note.select(ON_REPLICA).scalar() is False
    with db.primary():
        assert Note.select(ON_REPLICA).scalar() is False
    assert Note.select(ON_REPLICA).scalar() is True
    db.database.close()


def test_read_your_writes_holds_while_the_replica_lags(replica_cluster, tmp_path):
    app, db, Note = _make(replica_cluster, tmp_path)
    client = app.test_client()
    Note.create(text="first")
    db.database.close()
    replica_cluster.sync()
    with replica_cluster.replay_paused():
        assert client.get("/notes").json == {"on_replica": True, "count": 1}
        # a GET that writes: its read before the write is the replica's, after it the primary's
        assert client.get("/notes/add").json == {"before": True, "on_replica": False, "count": 2}
        # the replica has not replayed that write: the next plain read really is behind
        assert client.get("/notes").json == {"on_replica": True, "count": 1}
        assert client.post("/notes/add").json == {"before": False, "on_replica": False, "count": 3}
        with use_primary():
            assert Note.select().count() == 3
        db.database.close()
    assert client.get("/notes").json == {"on_replica": True, "count": 3}  # replayed since


def test_a_lagging_replica_is_skipped(replica_cluster, tmp_path, caplog):
    app, db, Note = _make(replica_cluster, tmp_path, FLASK_PEEWEE_REPLICA_MAX_LAG=0)
    client = app.test_client()
    assert client.get("/notes").json["on_replica"] is True  # caught up: lag 0
    with replica_cluster.replay_paused(), caplog.at_level(logging.WARNING, logger="flask_peewee.db.replicas"):
        Note.create(text="unseen")
        db.database.close()
        assert client.get("/notes").json == {"on_replica": False, "count": 1}
    assert "behind (limit 0.0s); skipped until the unit of work ends" in caplog.text


def test_a_replica_that_is_down_is_skipped(replica_cluster, tmp_path, caplog):
    app = Flask("down", root_path=str(tmp_path))
    closed_port = replica_cluster.replica_port + 1 if replica_cluster.replica_port < 65535 else 1
    app.config.update(
        DATABASE=replica_cluster.primary_url,
        FLASK_PEEWEE_DATABASE_REPLICAS=[
            f"postgresql://postgres@127.0.0.1:{closed_port}/nowhere?connect_timeout=2",
            replica_cluster.replica_url,
        ],
    )
    db = Database(app)
    with caplog.at_level(logging.WARNING, logger="flask_peewee.db.replicas"):
        results = [db.database.execute(peewee.Select(columns=[ON_REPLICA])).fetchone()[0] for _ in range(3)]
    assert results == [True, True, True]  # the live replica serves; the dead one is left out
    assert len([r for r in caplog.records if "nowhere" in r.getMessage()]) == 1
    db.database.close()


@pytest.mark.parametrize("pooled", [False, True], ids=["plain", "pooled"])
def test_requests_with_connection_per_request(replica_cluster, tmp_path, pooled):
    app, db, _Note = _make(replica_cluster, tmp_path, pooled=pooled)
    client = app.test_client()
    assert [client.get("/notes").json["on_replica"] for _ in range(3)] == [True, True, True]
    assert client.post("/notes/add").json["on_replica"] is False
    assert db.database.is_closed()
    assert db.replicas[0].is_closed()
    if pooled:  # the connections went back to the pools, and are reused
        assert len(db.replicas[0]._connections) == 1
        db.database.close_all()
        db.replicas[0].close_all()
