"""The public pytest plugin (flask_peewee.db.testing), run in inner pytest sessions with pytester."""

from __future__ import annotations

import pytest

from flask_peewee.db.testing import _admin_connection

pytest_plugins = ["pytester"]

CLOSED_PORT_URLS = {
    "postgres": "postgresql://postgres@127.0.0.1:1/test",
    "mysql": "mysql://root@127.0.0.1:1/test",
}

MATRIX_TESTS = """
import peewee


def test_write(db, fp_backend):
    class Item(db.Model):
        n = peewee.IntegerField()

    db.create_tables()
    Item.create(n=1)
    assert Item.select().count() == 1


def test_tables_were_dropped_after_the_previous_test(db):
    assert db.database.get_tables() == []


def test_app_and_client(app, client, db, tmp_path):
    app.add_url_rule("/", "index", lambda: "hi")
    assert client.get("/").text == "hi"
    assert app.root_path == str(tmp_path)
    assert app.testing
"""


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch):
    """Inner sessions start from no backend selection and outside CI, whatever the outer run uses."""
    monkeypatch.delenv("FLASK_PEEWEE_TEST_DATABASES", raising=False)
    monkeypatch.delenv("CI", raising=False)


def test_every_fixture_works_on_a_required_backend(pytester, monkeypatch, fp_backend):
    # The outer run has this backend, so the inner run can require it.
    monkeypatch.setenv("FLASK_PEEWEE_TEST_DATABASES", fp_backend.name)
    pytester.makepyfile(test_matrix=MATRIX_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([f"flask-peewee test databases: {fp_backend.name} (required*"])
    result.stdout.no_fnmatch_line("*backend unavailable*")


def test_matrix_parametrizes_every_answering_backend(pytester):
    pytester.makepyfile(
        """
        def test_url(database_url, fp_backend):
            assert database_url
        """
    )
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*test_url?sqlite?*", "*test_url?postgres?*", "*test_url?mysql?*"])
    result.stdout.fnmatch_lines(["flask-peewee test databases: sqlite, postgres, mysql (those that answer)"])


@pytest.mark.parametrize("name", ["postgres", "mysql"])
def test_listed_but_unreachable_backend_fails(pytester, monkeypatch, name):
    monkeypatch.setenv("FLASK_PEEWEE_TEST_DATABASES", f"sqlite,{name}")
    monkeypatch.setenv(f"FLASK_PEEWEE_TEST_{name.upper()}_URL", CLOSED_PORT_URLS[name])
    pytester.makepyfile("def test_url(database_url):\n    assert database_url\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([f"*required test database unavailable: {name} not reachable at*:1/test*"])


@pytest.mark.parametrize("name", ["postgres", "mysql"])
def test_unreachable_backend_is_skipped_with_a_reason_when_not_required(pytester, monkeypatch, name):
    monkeypatch.setenv(f"FLASK_PEEWEE_TEST_{name.upper()}_URL", CLOSED_PORT_URLS[name])
    pytester.makepyfile("def test_url(database_url):\n    assert database_url\n")
    result = pytester.runpytest("-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, skipped=1)
    result.stdout.fnmatch_lines(
        [
            f"flask-peewee: backend unavailable: {name} not reachable at*:1/test: *",
            f"SKIPPED*{name} not reachable at*",
        ]
    )


def test_unreachable_backend_fails_on_ci_even_when_not_listed(pytester, monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("FLASK_PEEWEE_TEST_POSTGRES_URL", CLOSED_PORT_URLS["postgres"])
    pytester.makepyfile("def test_url(database_url):\n    assert database_url\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)


def test_password_is_hidden_in_the_skip_reason(pytester, monkeypatch):
    monkeypatch.setenv("FLASK_PEEWEE_TEST_POSTGRES_URL", "postgresql://postgres:hunter2@127.0.0.1:1/test")
    pytester.makepyfile("def test_url(database_url):\n    assert database_url\n")
    result = pytester.runpytest("-rs", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*postgres not reachable at postgresql://postgres:***@127.0.0.1:1/test*"])
    result.stdout.no_fnmatch_line("*hunter2*")


@pytest.mark.backends("postgres", "mysql")
def test_session_databases_are_dropped_at_the_end(pytester, monkeypatch, fp_backend, tmp_path):
    monkeypatch.setenv("FLASK_PEEWEE_TEST_DATABASES", fp_backend.name)
    record = tmp_path / "database-name.txt"
    pytester.makepyfile(
        f"""
        def test_record(fp_backend, db):
            db.database.connect()
            assert db.database.database == fp_backend.database
            db.database.close()
            with open({str(record)!r}, "w") as fh:
                fh.write(fp_backend.database)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    name = record.read_text()
    assert name.startswith("fp_test_")
    admin = _admin_connection(fp_backend.name, fp_backend.server_url)
    try:
        with admin.cursor() as cursor:
            if fp_backend.name == "postgres":
                cursor.execute("SELECT datname FROM pg_database WHERE datname = %s", (name,))
            else:
                cursor.execute("SHOW DATABASES LIKE %s", (name,))
            assert cursor.fetchall() in ([], ())
    finally:
        admin.close()


def test_backends_marker_restricts_and_checks_names(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.backends("sqlite")
        def test_only_sqlite(fp_backend):
            assert fp_backend.name == "sqlite"
        """
    )
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)

    pytester.makepyfile(
        test_typo="""
        import pytest

        @pytest.mark.backends("postgress")
        def test_typo(fp_backend):
            pass
        """
    )
    typo = pytester.runpytest("test_typo.py", "-p", "no:cacheprovider")
    assert typo.ret != 0
    assert "postgress" in typo.stdout.str() + typo.stderr.str()


def test_selection_aliases_and_unknown_names(pytester, monkeypatch):
    pytester.makepyfile("def test_url(database_url):\n    assert database_url\n")
    monkeypatch.setenv("FLASK_PEEWEE_TEST_DATABASES", "SQLite, pg, mariadb")
    aliased = pytester.runpytest("-p", "no:cacheprovider")
    aliased.stdout.fnmatch_lines(["flask-peewee test databases: sqlite, postgres, mysql (required*"])
    aliased.assert_outcomes(passed=3)

    monkeypatch.setenv("FLASK_PEEWEE_TEST_DATABASES", "sqlite,oracle")
    unknown = pytester.runpytest("-p", "no:cacheprovider")
    assert unknown.ret != 0
    assert "unknown backend(s) ['oracle']" in unknown.stdout.str() + unknown.stderr.str()
