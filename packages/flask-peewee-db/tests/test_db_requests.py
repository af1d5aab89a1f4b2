"""A connection per request: opened when it starts, closed at teardown, pools given back."""

from __future__ import annotations

import datetime

import peewee
import pytest
from flask import Blueprint, Flask

from flask_peewee.db import Database, ImproperlyConfigured


def _record_connection_state(app: Flask, db: Database) -> list[bool]:
    """Record, for each request, whether a connection was open when the response was built."""
    seen: list[bool] = []

    @app.after_request
    def record(response):
        seen.append(not db.database.is_closed())
        return response

    return seen


def test_model_is_bound_and_usable_in_a_request(app, db, client):
    class Note(db.Model):
        message = peewee.TextField()
        created = peewee.DateTimeField(default=datetime.datetime.now)

    db.create_tables()
    db.database.close()  # the request hook opens and closes its own connection

    @app.route("/notes/<message>")
    def add(message):
        note = Note.create(message=message)
        return str(Note.select().count()) + ":" + str(note.id)

    seen = _record_connection_state(app, db)
    assert client.get("/notes/hello").text == "1:1"
    assert client.get("/notes/again").text == "2:2"
    assert seen == [True, True]
    assert db.database.is_closed()
    assert Note._meta.database is db.database


def test_connection_closed_when_the_view_raises(app, db, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    opened: list[bool] = []

    @app.route("/boom")
    def boom():
        opened.append(not db.database.is_closed())
        raise RuntimeError("boom")

    assert client.get("/boom").status_code == 500
    assert opened == [True]
    assert db.database.is_closed()


def test_a_streamed_response_closes_what_it_reopened(app, db, client):
    """Flask tears the request down before a streamed body runs; queries there reconnect, and are closed too."""
    from flask import Response, stream_with_context

    class Row(db.Model):
        n = peewee.IntegerField()

    db.create_tables()
    Row.insert_many([{"n": i} for i in range(3)]).execute()
    db.database.close()

    @app.route("/stream")
    def stream():
        def rows():
            for row in Row.select().order_by(Row.n):
                yield f"{row.n}\n"
            yield f"open={not db.database.is_closed()}\n"

        return Response(stream_with_context(rows()))

    response = client.get("/stream")
    assert response.text == "0\n1\n2\nopen=True\n"
    assert db.database.is_closed()

    # a connection that was open before the request is still left alone
    db.database.connect()
    outer = db.database.connection()
    assert client.get("/stream").text.endswith("open=True\n")
    assert db.database.connection() is outer
    db.database.close()


def test_connection_closed_after_a_404(app, db, client):
    assert client.get("/no/such/page").status_code == 404
    assert db.database.is_closed()


def test_an_open_connection_is_reused_and_left_open(app, db, client):
    @app.route("/conn")
    def conn():
        return str(id(db.database.connection()))

    db.database.connect(reuse_if_open=True)
    outer = db.database.connection()
    assert client.get("/conn").text == str(id(outer))
    assert not db.database.is_closed()
    assert db.database.connection() is outer
    db.database.close()


@pytest.mark.backends("sqlite")
def test_excluded_routes_open_no_connection(database_url):
    app = Flask(__name__)
    app.config["DATABASE"] = database_url
    db = Database(app, excluded_routes=["health"])

    @app.route("/health")
    def health():
        return "ok"

    @app.route("/work")
    def work():
        return "ok"

    seen = _record_connection_state(app, db)
    client = app.test_client()
    client.get("/health")
    client.get("/work")
    assert seen == [False, True]


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("setting", [["health", "ping"], "health, ping"])
def test_excluded_routes_from_config(database_url, setting):
    app = Flask(__name__)
    app.config.update(DATABASE=database_url, FLASK_PEEWEE_EXCLUDED_ROUTES=setting)
    db = Database(app)
    for name in ("health", "ping", "work"):
        app.add_url_rule(f"/{name}", name, lambda: "ok")

    seen = _record_connection_state(app, db)
    client = app.test_client()
    for name in ("health", "ping", "work"):
        client.get(f"/{name}")
    assert seen == [False, False, True]


@pytest.mark.backends("sqlite")
def test_bad_excluded_routes_setting_is_a_clear_error(database_url):
    app = Flask(__name__)
    app.config.update(DATABASE=database_url, FLASK_PEEWEE_EXCLUDED_ROUTES=5)
    with pytest.raises(ImproperlyConfigured, match="FLASK_PEEWEE_EXCLUDED_ROUTES must be a list"):
        Database(app)


@pytest.mark.backends("sqlite")
def test_static_files_never_open_a_connection(app, tmp_path):
    # Even with a configured exclusion list that does not name 'static'.
    app.config["FLASK_PEEWEE_EXCLUDED_ROUTES"] = ["health"]
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "site.css").write_text("body {}")
    (tmp_path / "bpstatic").mkdir()
    (tmp_path / "bpstatic" / "widget.js").write_text("1;")
    blueprint = Blueprint("widgets", __name__, static_folder=str(tmp_path / "bpstatic"), static_url_path="/wstatic")
    app.register_blueprint(blueprint, url_prefix="/widgets")
    db = Database(app)

    seen = _record_connection_state(app, db)
    client = app.test_client()
    css = client.get("/static/site.css")
    js = client.get("/widgets/wstatic/widget.js")
    assert (css.status_code, js.status_code) == (200, 200)
    css.close()
    js.close()
    assert seen == [False, False]


def test_pooled_database_gives_connections_back_and_reuses_them(app, database_dict):
    app.config["DATABASE"] = database_dict(pooled=True, max_connections=2)
    db = Database(app)

    class Hit(db.Model):
        n = peewee.IntegerField()

    db.create_tables()
    db.database.close()

    @app.route("/hit/<int:n>")
    def hit(n):
        Hit.create(n=n)
        return str(id(db.database.connection()))

    client = app.test_client()
    ids = {client.get(f"/hit/{n}").text for n in range(5)}
    pool = db.database
    assert len(ids) == 1  # the same pooled connection served every request
    assert len(pool._in_use) == 0
    assert len(pool._connections) == 1
    assert Hit.select().count() == 5
    pool.close()
    pool.close_all()


def test_pooled_connection_given_back_when_the_view_raises(app, database_dict):
    app.config.update(DATABASE=database_dict(pooled=True), PROPAGATE_EXCEPTIONS=False)
    db = Database(app)

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    assert app.test_client().get("/boom").status_code == 500
    assert len(db.database._in_use) == 0
    db.database.close_all()


def test_concurrent_requests_in_threads_get_their_own_connections(app, db):
    # What the old 'threadlocals' option asked for is always so: peewee keeps the
    # connection per thread (per greenlet once gevent has patched threading).
    import threading

    both_inside = threading.Barrier(2, timeout=10)

    @app.route("/conn")
    def conn():
        connection = db.database.connection()
        both_inside.wait()  # both requests hold their connection at the same time
        return str(id(connection))

    results: list[str] = []

    def fetch() -> None:
        results.append(app.test_client().get("/conn").text)

    threads = [threading.Thread(target=fetch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    assert len(results) == 2
    assert results[0] != results[1]


def test_create_table_accepts_the_docs_fail_silently(db):
    """Getting Started calls ``Note.create_table(fail_silently=True)``; it works without a warning."""

    class Note(db.Model):
        message = peewee.TextField()

    Note.create_table(fail_silently=True)
    Note.create_table(fail_silently=True)  # a second call is harmless, as documented
    Note.create(message="hi")
    assert Note.select().count() == 1
    assert "note" in db.database.get_tables()
    db.database.close()
