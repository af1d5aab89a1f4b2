"""The "Your sessions" page while off (no route, no extra query or column), and the columns it adds, once
turned on, to the tables an earlier version created."""

from __future__ import annotations

import peewee

from flask_peewee.auth import Auth
from flask_peewee.auth._devices import add_missing_columns

PAGE = "/accounts/sessions/"


def test_off_by_default_no_route_and_no_extra_query(auth, app, client, user, login, count_queries):
    assert app.config.get("FLASK_PEEWEE_AUTH_SESSIONS_PAGE") is None
    assert login(client).status_code == 302
    assert client.get(PAGE).status_code == 404
    assert not any(rule.rule == PAGE for rule in app.url_map.iter_rules())
    with count_queries() as counter:
        for _ in range(3):
            assert client.get("/private/").status_code == 200
    assert counter.count() == 3  # one query per request: the session's user, nothing else
    assert not any("last_used" in sql or "user_agent" in sql for sql in counter.statements)


def test_off_no_device_column_is_written(app, db, client, user, login, count_queries, auth):
    app.config["FLASK_PEEWEE_REMEMBER_ME"] = True
    with count_queries() as counter:
        assert login(client, remember="y").status_code == 302
    writes = [sql for sql in counter.statements if sql.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert writes
    assert not any("user_agent" in sql or "last_used" in sql for sql in writes)


def _legacy_tables(db):
    """The two tables as an earlier version created them: without the page's columns."""

    class Legacy(peewee.Model):
        class Meta:
            database = db.database

    class OldSession(Legacy):
        key = peewee.CharField(max_length=64, unique=True)
        user_id = peewee.BigIntegerField(index=True)
        created = peewee.DateTimeField()
        expires = peewee.DateTimeField(index=True)

        class Meta:
            table_name = "fp_auth_session"

    class OldToken(Legacy):
        user_id = peewee.BigIntegerField(index=True)
        selector = peewee.CharField(max_length=32, unique=True)
        token_hash = peewee.CharField(max_length=64)
        fingerprint = peewee.CharField(max_length=64)
        created = peewee.DateTimeField()
        expires = peewee.DateTimeField()

        class Meta:
            table_name = "fp_remember_token"

    db.database.connect(reuse_if_open=True)
    db.database.drop_tables([OldSession, OldToken])
    db.database.create_tables([OldSession, OldToken])
    db.database.close()


def _columns(db, table):
    db.database.connect(reuse_if_open=True)
    names = {column.name for column in db.database.get_columns(table)}
    db.database.close()
    return names


def test_an_older_table_keeps_working_while_the_page_is_off(auth, app, db, client, user, login):
    app.config["FLASK_PEEWEE_REMEMBER_ME"] = True
    _legacy_tables(db)
    assert login(client, remember="y").status_code == 302
    assert client.get("/private/").status_code == 200
    client.delete_cookie("session")  # the browser closed: the remember-me cookie restores the login
    assert client.get("/private/").status_code == 200
    assert "last_used" not in _columns(db, "fp_auth_session")


def test_turning_the_page_on_adds_the_columns_an_older_table_lacks(app, db):
    app.config.update(FLASK_PEEWEE_AUTH_SESSIONS_PAGE=True, FLASK_PEEWEE_PASSWORD_SCHEMES=["md5_crypt"])
    _legacy_tables(db)
    auth = Auth(app, db)
    for table in ("fp_auth_session", "fp_remember_token"):
        assert {"last_used", "remote_addr", "user_agent"} <= _columns(db, table)
    db.database.connect(reuse_if_open=True)
    assert add_missing_columns(db.database, [auth.AuthSession, auth.RememberToken]) == []  # once only
    db.database.close()
