"""A pytest plugin with the fixtures flask-peewee's own suites use, public for apps' tests too.

It is loaded automatically (entry point ``pytest11``) when flask-peewee-db is
installed. Every test that uses :func:`database_url` (directly or through
:func:`app`, :func:`db`, :func:`client`) runs once per database backend:

* ``sqlite`` always (a fresh file per test);
* ``postgres`` and ``mysql`` when their server answers. Each test session creates
  its own database on the server and drops it at the end, so runs never share state.

``FLASK_PEEWEE_TEST_DATABASES`` (e.g. ``sqlite,postgres,mysql``) selects the
backends; when it is set, every listed backend is required and an unreachable one
is an error. Unset, unreachable servers are skipped with a reason.
``FLASK_PEEWEE_TEST_POSTGRES_URL`` and ``FLASK_PEEWEE_TEST_MYSQL_URL`` point at the
servers (defaults: ``postgresql://postgres@127.0.0.1:5432/test`` and
``mysql://root@127.0.0.1:3306/test``).

Apps override ``app`` in their own ``conftest.py`` and keep the rest::

    @pytest.fixture
    def app(database_url):
        return create_app({"DATABASE": database_url, "TESTING": True})

``replica_cluster`` is a PostgreSQL primary with a streaming replica that the plugin starts
itself (once per session, from the server binaries of ``pg_config --bindir``), for apps that
configure ``FLASK_PEEWEE_DATABASE_REPLICAS``::

    @pytest.fixture
    def app(replica_cluster):
        return create_app({"DATABASE": replica_cluster.primary_url,
                           "FLASK_PEEWEE_DATABASE_REPLICAS": [replica_cluster.replica_url]})

``count_queries`` counts the SQL a block runs, to assert a query budget rather than a time::

    def test_detail_is_one_query(client, count_queries):
        with count_queries() as queries:
            client.get("/notes/1/")
        assert queries.count("SELECT") == 1

``fp_browser`` is a headless Chromium driven by Playwright, and :func:`serve` serves an app on
a free port for it, for end-to-end tests of what a person sees::

    def test_home_page(app, fp_browser):
        with serve(app) as base:
            page = fp_browser.new_page()
            page.goto(base + "/")
            assert page.title() == "Home"
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import peewee
import pytest
from flask import Flask
from werkzeug.serving import make_server

from flask_peewee.db._database import Database
from flask_peewee.db._replica_cluster import ReplicaCluster, UnavailableCluster
from flask_peewee.db._settings import CHROMIUM_EXECUTABLE, CI, TEST_DATABASES, TEST_MYSQL_URL, TEST_POSTGRES_URL

__all__ = [
    "BACKENDS",
    "CHROMIUM_ARGS",
    "Backend",
    "QueryCounter",
    "ReplicaCluster",
    "app",
    "client",
    "count_queries",
    "database_url",
    "db",
    "fp_backend",
    "fp_browser",
    "record_queries",
    "replica_cluster",
    "selected_backends",
    "serve",
    "table_moved_away",
]

BACKENDS = ("sqlite", "postgres", "mysql")
_SERVER_URLS = {"postgres": TEST_POSTGRES_URL, "mysql": TEST_MYSQL_URL}


def selected_backends() -> tuple[tuple[str, ...], bool]:
    """The backends to run and whether they are required (the variable was set)."""
    raw = (TEST_DATABASES.get(os.environ) or "").strip()
    if not raw:
        return BACKENDS, False
    names = tuple(dict.fromkeys(n.strip().lower() for n in raw.split(",") if n.strip()))
    aliases = {"postgresql": "postgres", "pg": "postgres", "mariadb": "mysql"}
    names = tuple(aliases.get(n, n) for n in names)
    unknown = [n for n in names if n not in BACKENDS]
    if unknown:
        raise pytest.UsageError(f"FLASK_PEEWEE_TEST_DATABASES: unknown backend(s) {unknown}; use {BACKENDS}")
    return names, True


def _server_url(name: str) -> str:
    return _SERVER_URLS[name].get(os.environ)


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def _admin_connection(name: str, url: str) -> Any:
    parts = urlsplit(url)
    if name == "postgres":
        import psycopg2

        conn = psycopg2.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            dbname=parts.path.lstrip("/") or "postgres",
            connect_timeout=3,
        )
        conn.autocommit = True
        return conn
    import pymysql

    return pymysql.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
        database=parts.path.lstrip("/") or None,
        connect_timeout=3,
        autocommit=True,
    )


@dataclass
class Backend:
    """One database backend of the test matrix, with the database this session made on it."""

    name: str
    server_url: str = ""
    database: str = ""
    url: str = ""
    error: str = ""
    drop_error: str = ""
    _admin: Any = field(default=None, repr=False)

    def start(self) -> None:
        """Connect to the server and create this session's database (or record why not)."""
        if self.name == "sqlite":
            return
        try:
            self._admin = _admin_connection(self.name, self.server_url)
        except Exception as exc:  # any driver error means the server does not answer
            self.error = f"{self.name} not reachable at {_safe(self.server_url)}: {_one_line(exc)}"
            return
        self.database = f"fp_test_{os.getpid()}_{secrets.token_hex(4)}"
        try:
            with self._admin.cursor() as cursor:
                if self.name == "postgres":
                    cursor.execute(f'CREATE DATABASE "{self.database}"')
                else:
                    cursor.execute(
                        f"CREATE DATABASE `{self.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                    )
        except Exception as exc:  # e.g. no CREATEDB privilege
            self.error = f"{self.name} at {_safe(self.server_url)} cannot create a test database: {_one_line(exc)}"
            self.database = ""
            self._close_admin()
            return
        self.url = _with_database(self.server_url, self.database)

    def stop(self) -> None:
        """Drop this session's database; a failure is recorded, never raised."""
        if self._admin is None:
            return
        try:
            if self.database:
                with self._admin.cursor() as cursor:
                    if self.name == "postgres":
                        cursor.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
                    else:
                        cursor.execute("SET SESSION lock_wait_timeout = 30")
                        cursor.execute(f"DROP DATABASE IF EXISTS `{self.database}`")
        except Exception as exc:
            self.drop_error = f"could not drop {self.name} database {self.database}: {exc}"
        finally:
            self._close_admin()

    def _close_admin(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            # Closing a broken admin connection must not fail the session.
            with contextlib.suppress(Exception):
                admin.close()

    def clear(self) -> None:
        """Drop every table in this session's database (between tests)."""
        if self.name == "sqlite" or not self.url:
            return
        from playhouse.db_url import connect

        database = connect(self.url)
        try:
            tables = database.get_tables()
            if not tables:
                return
            # A connection a test leaked with a lock would block forever: fail instead.
            if self.name == "postgres":
                database.execute_sql("SET lock_timeout = '30s'")
                quoted = ", ".join(f'"{t}"' for t in tables)
                database.execute_sql(f"DROP TABLE IF EXISTS {quoted} CASCADE")
            else:
                database.execute_sql("SET SESSION lock_wait_timeout = 30")
                database.execute_sql("SET FOREIGN_KEY_CHECKS = 0")
                for table in tables:
                    database.execute_sql(f"DROP TABLE IF EXISTS `{table}`")
                database.execute_sql("SET FOREIGN_KEY_CHECKS = 1")
        finally:
            database.close()


_BACKENDS_KEY = pytest.StashKey[dict[str, Backend]]()


def _one_line(exc: BaseException) -> str:
    """A driver error on one line (psycopg2 adds hints on further lines)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _safe(url: str) -> str:
    """``url`` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _backend(config: pytest.Config, name: str) -> Backend:
    started = config.stash.setdefault(_BACKENDS_KEY, {})
    backend = started.get(name)
    if backend is None:
        server = _server_url(name) if name != "sqlite" else ""
        backend = started[name] = Backend(name, server_url=server)
        backend.start()
    return backend


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "backends(*names): run this test only on the named database backends")
    config.stash[_BACKENDS_KEY] = {}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "fp_backend" not in metafunc.fixturenames:
        return
    names, _required = selected_backends()
    marker = metafunc.definition.get_closest_marker("backends")
    if marker is not None:
        unknown = [n for n in marker.args if n not in BACKENDS]
        if unknown:
            raise pytest.UsageError(f"@pytest.mark.backends: unknown backend(s) {unknown}; use {BACKENDS}")
        names = tuple(n for n in names if n in marker.args)
    metafunc.parametrize("fp_backend", names, indirect=True, scope="session")


def pytest_report_header(config: pytest.Config) -> str:
    names, required = selected_backends()
    how = "required (FLASK_PEEWEE_TEST_DATABASES)" if required else "those that answer"
    return f"flask-peewee test databases: {', '.join(names)} ({how})"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for backend in session.config.stash.get(_BACKENDS_KEY, {}).values():
        backend.stop()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    for backend in config.stash.get(_BACKENDS_KEY, {}).values():
        if backend.error:
            terminalreporter.write_line(f"flask-peewee: backend unavailable: {backend.error}", yellow=True)
        if backend.drop_error:
            terminalreporter.write_line(f"flask-peewee: {backend.drop_error}", red=True)


@pytest.fixture(scope="session")
def fp_backend(request: pytest.FixtureRequest) -> Backend:
    """The database backend of this test (sqlite, postgres or mysql)."""
    name = getattr(request, "param", "sqlite")
    backend = _backend(request.config, name)
    if backend.error:
        _, required = selected_backends()
        if required or (CI.get(os.environ) or "").lower() == "true":
            pytest.fail(f"required test database unavailable: {backend.error}", pytrace=False)
        pytest.skip(backend.error)
    return backend


@pytest.fixture
def database_url(fp_backend: Backend, tmp_path: Any) -> Iterator[str]:
    """A URL of an empty database on the current backend; its tables are dropped after the test."""
    if fp_backend.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    fp_backend.clear()
    yield fp_backend.url
    fp_backend.clear()


def _replica_required() -> bool:
    names, _required = selected_backends()
    return (CI.get(os.environ) or "").lower() == "true" and "postgres" in names


@pytest.fixture(scope="session")
def fp_replica_cluster() -> Iterator[ReplicaCluster]:
    """The session's PostgreSQL primary and streaming replica, started on first use and removed at the end."""
    names, _required = selected_backends()
    if "postgres" not in names:
        pytest.skip("the replica tests need PostgreSQL, which FLASK_PEEWEE_TEST_DATABASES leaves out")
    cluster = ReplicaCluster()
    try:
        cluster.start()
    except (UnavailableCluster, OSError, TimeoutError) as exc:
        message = f"PostgreSQL primary and replica could not be started: {exc}"
        if _replica_required():
            pytest.fail(f"required (CI=true): {message}", pytrace=False)
        pytest.skip(message)
    atexit.register(cluster.stop)  # an interrupted session stops them too
    try:
        yield cluster
    finally:
        cluster.stop()
        atexit.unregister(cluster.stop)


@pytest.fixture
def replica_cluster(fp_replica_cluster: ReplicaCluster) -> Iterator[ReplicaCluster]:
    """:class:`ReplicaCluster` with an empty test database (tables dropped before and after the test).

    ``primary_url`` and ``replica_url`` name that database on each server; ``sync()`` waits for
    the replica to catch up and ``with replay_paused():`` holds it behind the primary.
    """
    fp_replica_cluster.clear()
    yield fp_replica_cluster
    fp_replica_cluster.clear()


@pytest.fixture
def app(database_url: str, tmp_path: Any) -> Flask:
    """A Flask app configured for tests with ``DATABASE`` set to :func:`database_url`.

    Its ``root_path`` is the test's ``tmp_path``, so files it writes (``flask fp create``
    puts migrations in ``migrations/`` there) never land in the working directory.
    """
    app = Flask("flask_peewee_test_app", root_path=str(tmp_path))
    app.config.update(
        DATABASE=database_url,
        SECRET_KEY="test-secret-key-" + secrets.token_hex(8),
        TESTING=True,
    )
    return app


@pytest.fixture
def db(app: Flask) -> Iterator[Database]:
    """A :class:`~flask_peewee.db.Database` initialised on :func:`app`, closed after the test."""
    database = Database(app)
    yield database
    if not database.database.is_closed():
        database.database.close()


@pytest.fixture
def client(app: Flask) -> Any:
    """Flask's test client for :func:`app`."""
    return app.test_client()


class QueryCounter(logging.Handler):
    """The SQL statements peewee ran (it logs each one on the ``peewee`` logger at DEBUG).

    ``statements`` lists them in order; the counter also reads as that list (``len``, ``[i]``,
    iteration), and ``count(verb)`` counts those starting with ``verb`` (``"INSERT"``).
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.msg
        self.statements.append(message[0] if isinstance(message, tuple) else str(message))

    def count(self, verb: str | None = None) -> int:
        """How many statements ran (only those starting with ``verb``, e.g. ``"INSERT"``, when given)."""
        if verb is None:
            return len(self.statements)
        return sum(1 for sql in self.statements if sql.lstrip().upper().startswith(verb.upper()))

    def __len__(self) -> int:
        return len(self.statements)

    def __iter__(self) -> Iterator[str]:
        return iter(self.statements)

    def __getitem__(self, index: int) -> str:
        return self.statements[index]


@contextlib.contextmanager
def record_queries() -> Iterator[QueryCounter]:
    """Record every SQL statement peewee runs in the block (any database, any thread)."""
    logger = logging.getLogger("peewee")
    counter, level = QueryCounter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


@pytest.fixture
def count_queries() -> Callable[[], contextlib.AbstractContextManager[QueryCounter]]:
    """``with count_queries() as queries:`` records the block's SQL (:func:`record_queries`)."""
    return record_queries


@contextlib.contextmanager
def table_moved_away(database: Database | peewee.Database, table: str) -> Iterator[None]:
    """Rename ``table`` for the block, so every query of it fails in the database itself.

    For tests of what an app does when part of its database is unavailable; the table is
    renamed back afterwards, also when the block raised. ``database`` is a
    :class:`~flask_peewee.db.Database` or a peewee database.
    """
    bound = database.database if isinstance(database, Database) else database
    quote_open, quote_close = bound.quote[0], bound.quote[1]
    here, away = (f"{quote_open}{name}{quote_close}" for name in (table, f"{table}_away"))
    bound.connect(reuse_if_open=True)
    bound.execute_sql(f"ALTER TABLE {here} RENAME TO {away}")
    bound.close()
    try:
        yield
    finally:
        bound.connect(reuse_if_open=True)
        bound.execute_sql(f"ALTER TABLE {away} RENAME TO {here}")
        bound.close()


@contextlib.contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 in a thread for the block; yields its base URL.

    For browser tests (:func:`fp_browser`): the server answers requests concurrently, as a
    browser loading a page and its assets expects, and stops when the block ends.
    """
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()


#: Chromium's switches for a headless run in a container: no sandbox, GPU or background traffic.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def _browser_missing(reason: str) -> None:
    message = f"{reason}: pip install playwright and apt-get install chromium (or set PLAYWRIGHT_CHROMIUM_EXECUTABLE)"
    if (CI.get(os.environ) or "").lower() == "true":
        pytest.fail(f"required (CI=true): {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def fp_browser() -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``), shared by the tests of a module.

    It drives the system's Chromium (``PLAYWRIGHT_CHROMIUM_EXECUTABLE``, default
    ``/usr/bin/chromium``), never a browser Playwright downloads. Without Playwright or that
    executable the test is skipped with the reason; with ``CI=true`` it fails instead.
    """
    executable = CHROMIUM_EXECUTABLE.get(os.environ)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_missing("Playwright is not installed")
    if not (os.path.exists(executable) or shutil.which(executable)):
        _browser_missing(f"no Chromium at {executable}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()
