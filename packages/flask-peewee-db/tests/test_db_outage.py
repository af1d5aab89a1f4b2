"""Under faults: an unreachable database, an exhausted pool, connections the server killed.

Each answers a plain 503 with ``Retry-After`` (never a 500, never a hang), leaks no
connection, and the next request after the fault works without a restart. The faults touch
only this session's own database and connections.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import peewee
import pytest
from flask import Flask

from flask_peewee.db import Database
from flask_peewee.db.testing import Backend

SERVERS = pytest.mark.backends("postgres", "mysql")


def _admin(backend: Backend) -> Any:
    """A connection of our own to the server (not pooled, not the app's), in autocommit."""
    parts = urlsplit(backend.url)
    if backend.name == "postgres":
        import psycopg2

        conn = psycopg2.connect(
            host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres", dbname=backend.database
        )
        conn.autocommit = True
        return conn
    import pymysql

    return pymysql.connect(
        host=parts.hostname,
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
        database=backend.database,
        autocommit=True,
    )


def _server_connections(admin: Any, backend: Backend) -> list[int]:
    """Ids of the server connections to this session's database, ours excepted."""
    with admin.cursor() as cursor:
        if backend.name == "postgres":
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (backend.database,)
            )
        else:
            cursor.execute(
                "SELECT id FROM information_schema.processlist WHERE db = %s AND id <> CONNECTION_ID()",
                (backend.database,),
            )
        return [row[0] for row in cursor.fetchall()]


def _kill(admin: Any, backend: Backend, ids: list[int]) -> None:
    """Terminate these server connections (each one of this session's database)."""
    with admin.cursor() as cursor:
        for ident in ids:
            if backend.name == "postgres":
                cursor.execute("SELECT pg_terminate_backend(%s)", (ident,))
            else:
                with contextlib.suppress(Exception):  # already gone
                    cursor.execute(f"KILL CONNECTION {int(ident)}")


def _own_connection_id(database: peewee.Database, backend: Backend) -> int:
    sql = "SELECT pg_backend_pid()" if backend.name == "postgres" else "SELECT CONNECTION_ID()"
    return int(database.execute_sql(sql).fetchone()[0])


class _Proxy:
    """A TCP forwarder on 127.0.0.1 the test switches off (connections refused at once) and on."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.up = True
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.listener], [], [], 0.1)
            if not ready:
                continue
            client, _ = self.listener.accept()
            if not self.up:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()

    def _pipe(self, client: socket.socket, server: socket.socket) -> None:
        sockets = [client, server]
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select(sockets, [], [], 0.1)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (server if sock is client else client).sendall(data)
        except OSError:
            return
        finally:
            client.close()
            server.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.listener.close()


@pytest.fixture
def pooled_app(app: Flask, database_dict: Any) -> Iterator[tuple[Flask, Database]]:
    """The test app on a pool of one connection that waits up to 1 second for it."""
    app.config.update(DATABASE=database_dict(pooled=True, max_connections=1, timeout=1), PROPAGATE_EXCEPTIONS=False)
    db = Database(app)

    class Item(db.Model):
        n = peewee.IntegerField()

    db.create_tables()
    db.database.close()

    @app.route("/count")
    def count() -> str:
        return str(Item.select().count())

    yield app, db
    database: Any = db.database
    if not database.is_closed():
        database.close()
    database.close_all()


def _assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "Service Unavailable" in body
    assert "Traceback" not in body
    assert "Error" not in body


def test_pool_exhausted_answers_503_after_its_timeout_and_leaks_nothing(pooled_app, fp_backend):
    app, db = pooled_app
    held, release = threading.Event(), threading.Event()

    @app.route("/hold")
    def hold() -> str:
        held.set()  # this request has the pool's only connection
        release.wait(timeout=30)
        return "held"

    admin = _admin(fp_backend) if fp_backend.name != "sqlite" else None
    before = len(_server_connections(admin, fp_backend)) if admin else 0
    results: list[int] = []
    holder = threading.Thread(target=lambda: results.append(app.test_client().get("/hold").status_code))
    holder.start()
    try:
        assert held.wait(timeout=30)
        _assert_unavailable(app.test_client().get("/count"))  # waited for the pool's timeout, then gave up
    finally:
        release.set()
        holder.join(timeout=30)
    assert results == [200]
    assert app.test_client().get("/count").text == "0"  # the connection is back and reused
    pool: Any = db.database
    assert len(pool._in_use) == 0
    assert len(pool._connections) == 1
    if admin is not None:
        assert len(_server_connections(admin, fp_backend)) <= before + 1  # the pool's one connection
        admin.close()


def test_pool_wait_timeout_comes_from_the_config(app, database_dict):
    app.config["DATABASE"] = database_dict(pooled=True, max_connections=3, timeout=7)
    db = Database(app)
    pool: Any = db.database
    assert (pool._max_connections, pool._wait_timeout) == (3, 7)


@SERVERS
def test_connections_the_server_terminated_are_replaced_on_the_next_request(pooled_app, fp_backend):
    app, db = pooled_app
    client = app.test_client()
    assert client.get("/count").text == "0"
    admin = _admin(fp_backend)
    try:
        for _ in range(3):
            killed = _server_connections(admin, fp_backend)
            assert killed  # the pooled connection, idle between requests
            _kill(admin, fp_backend, killed)
            assert client.get("/count").text == "0"  # the dead connection is noticed and replaced
            assert not set(killed) & set(_server_connections(admin, fp_backend))
        pool: Any = db.database
        assert len(pool._in_use) == 0
        assert len(_server_connections(admin, fp_backend)) == 1
    finally:
        admin.close()


@SERVERS
def test_connection_lost_mid_request_answers_503_and_the_next_request_works(pooled_app, fp_backend):
    app, db = pooled_app
    admin = _admin(fp_backend)

    @app.route("/killed")
    def killed() -> str:
        _kill(admin, fp_backend, [_own_connection_id(db.database, fp_backend)])
        return str(db.database.execute_sql("SELECT 1").fetchone()[0])

    try:
        client = app.test_client()
        _assert_unavailable(client.get("/killed"))
        pool: Any = db.database
        assert len(pool._in_use) == 0
        assert len(pool._connections) == 0
        assert client.get("/count").text == "0"
        assert len(_server_connections(admin, fp_backend)) == 1
    finally:
        admin.close()


def _through(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    return urlunsplit((parts.scheme, f"{netloc[0]}@{host}" if len(netloc) == 2 else host, parts.path, "", ""))


@pytest.mark.parametrize("pooled", [False, True], ids=["plain", "pooled"])
def test_unreachable_database_answers_503_and_recovers_without_a_restart(tmp_path, fp_backend, database_url, pooled):
    proxy = None
    if fp_backend.name == "sqlite":
        folder = tmp_path / "later"
        url = f"sqlite:///{folder / 'app.db'}"  # its folder does not exist yet: the file cannot be opened
    else:
        parts = urlsplit(database_url)
        proxy = _Proxy(parts.hostname or "127.0.0.1", parts.port or (5432 if fp_backend.name == "postgres" else 3306))
        proxy.up = False
        url = _through(database_url, proxy.port)
    if pooled:
        scheme, rest = url.split("://", 1)
        url = f"{scheme}+pool://{rest}?max_connections=2&timeout=1"
    app = Flask("outage", root_path=str(tmp_path))
    app.config.update(DATABASE=url, PROPAGATE_EXCEPTIONS=False)
    db = Database(app)

    @app.route("/ping")
    def ping() -> str:
        return str(db.database.execute_sql("SELECT 1").fetchone()[0])

    try:
        client = app.test_client()
        _assert_unavailable(client.get("/ping"))
        _assert_unavailable(client.get("/ping"))
        if proxy is not None:
            proxy.up = True
        else:
            folder.mkdir()
        assert client.get("/ping").text == "1"
        assert db.database.is_closed()
    finally:
        database: Any = db.database
        if pooled:
            database.close_all()
        if proxy is not None:
            proxy.close()


def test_a_transaction_left_open_is_discarded_at_teardown(pooled_app):
    app, db = pooled_app

    @app.route("/forgot")
    def forgot() -> str:
        db.database.begin()  # never committed nor rolled back
        db.database.execute_sql("INSERT INTO item (n) VALUES (1)")
        return "ok"

    client = app.test_client()
    assert client.get("/forgot").text == "ok"
    pool: Any = db.database
    assert len(pool._in_use) == 0  # the pool's only connection is free again
    assert client.get("/count").text == "0"  # and the write was not committed


def test_the_apps_own_handler_wins(app, database_dict, tmp_path):
    app.config.update(DATABASE=f"sqlite:///{tmp_path / 'missing' / 'x.db'}", PROPAGATE_EXCEPTIONS=False)

    @app.errorhandler(peewee.OperationalError)
    def mine(exc: Exception) -> tuple[str, int]:
        return "mine", 502

    db = Database(app)

    @app.route("/ping")
    def ping() -> str:
        return str(db.database.execute_sql("SELECT 1").fetchone()[0])

    response = app.test_client().get("/ping")
    assert (response.status_code, response.text) == (502, "mine")


def test_tables_of_an_app_started_during_an_outage_are_created_once_it_is_back(tmp_path, caplog):
    from flask_peewee.db import create_tables_when_reachable

    folder = tmp_path / "later"
    app = Flask("started_during_outage", root_path=str(tmp_path))
    app.config.update(DATABASE=f"sqlite:///{folder / 'app.db'}", PROPAGATE_EXCEPTIONS=False)
    db = Database(app)

    class Thing(db.Model):
        name = peewee.CharField()

    @app.route("/things")
    def things() -> str:
        return str(Thing.select().count())

    with caplog.at_level("WARNING", logger="flask_peewee.db"):
        assert create_tables_when_reachable(app, db, [Thing]) is False  # no exception: the app starts
    assert "thing will be created on a later request" in caplog.text
    client = app.test_client()
    _assert_unavailable(client.get("/things"))
    folder.mkdir()
    assert client.get("/things").text == "0"  # the table was created by that request
    assert client.get("/things").text == "0"
    assert db.database.is_closed()
    assert create_tables_when_reachable(app, db, [Thing]) is True
