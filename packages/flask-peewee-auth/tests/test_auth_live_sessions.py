"""Logging out ends the session on the server: a copied session cookie replayed afterwards is refused."""

from __future__ import annotations

import datetime

import pytest
from flask import Flask

from flask_peewee.auth import Auth
from flask_peewee.auth.testing import log_in
from flask_peewee.utils.internal import Periodic, backend_name

PASSWORD = "correct horse"


def _copy_session(client, app):
    """A second browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _logout(client, csrf_from):
    token = csrf_from(client, "/accounts/logout/")
    return client.post("/accounts/logout/", data={"csrf_token": token})


def _rows(app, auth):
    with app.app_context():
        rows = list(auth.AuthSession.select())
    auth.db.database.close()
    return rows


def test_copied_cookie_is_refused_after_logout(app, auth, client, user, login, csrf_from):
    assert login(client).status_code == 302
    thief = _copy_session(client, app)
    assert thief.get("/private/").status_code == 200  # a copy works while the session lives
    assert _logout(client, csrf_from).status_code == 302
    response = thief.get("/private/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.headers["Location"]
    assert _rows(app, auth) == []


def test_a_login_records_one_row_without_the_session_id_itself(app, auth, client, user, login):
    login(client)
    login(client)  # logging in again in the same browser replaces its row
    rows = _rows(app, auth)
    assert len(rows) == 1
    assert rows[0].user_id == user.id
    assert len(rows[0].key) == 64
    assert rows[0].expires > datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def test_login_user_from_an_apps_own_view_is_recorded(app, auth, client, user, csrf_from):
    @app.route("/sso/", methods=["POST"])
    def sso():
        auth.login_user(auth.User.get(auth.User.username == "alice"))
        return "welcome"

    assert client.post("/sso/").get_data(as_text=True) == "welcome"
    thief = _copy_session(client, app)
    assert client.get("/private/").status_code == 200
    assert len(_rows(app, auth)) == 1
    _logout(client, csrf_from)
    assert thief.get("/private/").status_code == 302


def test_remember_me_restore_is_recorded(app, auth, client, user, login, csrf_from):
    app.config["FLASK_PEEWEE_REMEMBER_ME"] = True
    assert login(client, remember="y").status_code == 302
    client.delete_cookie("session")  # the browser closed; the remember-me cookie stays
    assert client.get("/private/").status_code == 200  # restored
    thief = _copy_session(client, app)
    assert len(_rows(app, auth)) == 2  # the closed browser's session and the restored one
    _logout(client, csrf_from)
    assert thief.get("/private/").status_code == 302
    assert len(_rows(app, auth)) == 1


def test_an_authenticated_request_costs_one_query(app, auth, client, user, login, count_queries):
    login(client)
    client.get("/private/")
    with count_queries() as counter:
        assert client.get("/private/").get_data(as_text=True) == "private page of alice"
    assert counter.count() == 1
    assert "fp_auth_session" in counter.statements[0]


def test_an_expired_session_is_refused(app, auth, client, user, login):
    login(client)
    with app.app_context():
        auth.AuthSession.update(expires=datetime.datetime(2000, 1, 1)).execute()
    auth.db.database.close()
    assert client.get("/private/").status_code == 302


def test_end_all_sessions_logs_out_every_device(app, auth, user, login):
    phone, laptop = app.test_client(), app.test_client()
    login(phone)
    login(laptop)
    with app.test_request_context():
        assert auth.end_all_sessions(user) == 2
    auth.db.database.close()
    assert phone.get("/private/").status_code == 302
    assert laptop.get("/private/").status_code == 302


def test_testing_log_in_records_a_session_that_logout_ends(app, auth, client, user, csrf_from):
    log_in(client, user)
    thief = _copy_session(client, app)
    assert thief.get("/private/").status_code == 200
    _logout(client, csrf_from)
    assert thief.get("/private/").status_code == 302


def test_session_table_is_created_at_init_app_and_by_create_tables(app, db):
    Auth(app, db)
    assert "fp_auth_session" in db.database.get_tables()
    db.database.execute_sql('DROP TABLE "fp_auth_session"'.replace('"', db.database.quote[0]))
    db.database.close()
    result = app.test_cli_runner().invoke(args=["fp", "create-tables"])
    assert result.exit_code == 0, result.output
    assert "fp_auth_session" in db.database.get_tables()
    db.database.close()


@pytest.mark.backends("sqlite")
def test_a_second_app_sees_the_logout_too(app, auth, client, user, login, csrf_from, database_url):
    """Two workers are two apps over one database: a logout in one ends the session in both."""
    login(client)
    other = Flask("other_worker")
    other.config.update(DATABASE=database_url, SECRET_KEY=app.secret_key)
    from flask_peewee.db import Database

    other_db = Database(other)
    other_auth = Auth(other, other_db)

    @other.route("/private/")
    @other_auth.login_required
    def private():
        return "other worker"

    replay = other.test_client()
    replay.set_cookie("session", client.get_cookie("session").value)
    assert replay.get("/private/").status_code == 200
    _logout(client, csrf_from)
    assert replay.get("/private/").status_code == 302
    other_db.database.close()


def test_expired_sessions_are_purged_once_every_so_many_logins(app, auth, client, user, new_user, login):
    new_user("bob")
    login(app.test_client(), "bob")
    with app.app_context():
        auth.AuthSession.update(expires=datetime.datetime(2000, 1, 1)).execute()
    auth.db.database.close()
    auth._live.purge_due = Periodic(2)
    login(app.test_client())  # the first login of the period leaves bob's expired row
    assert len(_rows(app, auth)) == 2
    login(client)  # the second purges it
    rows = _rows(app, auth)
    assert [row.user_id for row in rows] == [user.id, user.id]
    assert all(row.expires > datetime.datetime(2001, 1, 1) for row in rows)


def test_a_first_login_writes_its_session_in_one_statement(app, auth, client, user, login, count_queries):
    with count_queries() as statements:
        login(client)
    writes = [s for s in statements if s.split()[0].upper() in ("INSERT", "DELETE", "UPDATE")]
    assert len(writes) == 1
    assert writes[0].upper().startswith("INSERT")
    assert len(_rows(app, auth)) == 1


def test_a_login_over_a_live_session_ends_that_session(app, auth, client, user, login, count_queries):
    login(client)
    first = client.get_cookie("session").value
    login(client)  # the same browser logs in again: the earlier session's row goes
    assert len(_rows(app, auth)) == 1
    replay = app.test_client()
    replay.set_cookie("session", first)
    assert replay.get("/private/").status_code == 302


def test_a_login_commits_without_waiting_for_the_wal_on_postgres_and_a_logout_waits(
    app, auth, client, user, login, csrf_from, count_queries
):
    postgres = backend_name(auth.db) == "postgres"
    with count_queries() as statements:
        login(client)
    relaxed = [s for s in statements if "synchronous_commit" in s]
    assert relaxed == (["SET LOCAL synchronous_commit TO OFF"] if postgres else [])
    assert len(_rows(app, auth)) == 1
    token = csrf_from(client, "/accounts/logout/")
    with count_queries() as statements:
        assert client.post("/accounts/logout/", data={"csrf_token": token}).status_code == 302
    assert not [s for s in statements if "synchronous_commit" in s]
    assert _rows(app, auth) == []
