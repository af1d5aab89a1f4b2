"""Logging out ends the session on the server: a copied session cookie replayed afterwards is refused.

Every behaviour runs for both records (``record``): **listed** sessions (the sessions page on:
a row per live session) and **unlisted** ones (the default: a login writes nothing, a logout
records the end).
"""

from __future__ import annotations

import datetime

import pytest
from flask import Flask

from flask_peewee.auth import Auth, _sessions
from flask_peewee.auth._live_sessions import CLOCK_MARGIN, cutoff_name, now_us, session_key
from flask_peewee.auth.testing import log_in
from flask_peewee.utils.internal import Periodic, backend_name

PASSWORD = "correct horse"
WRITES = ("INSERT", "DELETE", "UPDATE", "REPLACE")


@pytest.fixture(params=["unlisted", "listed"])
def record(request):
    return request.param


@pytest.fixture
def app(app, record):
    if record == "listed":
        app.config["FLASK_PEEWEE_AUTH_SESSIONS_PAGE"] = True
    return app


def _copy_session(client, app):
    """A second browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _logout(client, csrf_from):
    token = csrf_from(client, "/accounts/logout/")
    return client.post("/accounts/logout/", data={"csrf_token": token})


def _rows(app, auth, model=None):
    with app.app_context():
        rows = list((model or auth.AuthSession).select())
    auth.db.database.close()
    return rows


def _ends(app, auth):
    return _rows(app, auth, auth.AuthSessionEnd)


def _stored(client):
    with client.session_transaction() as session:
        return session.get(_sessions.SESSION_ID), session.get(_sessions.SINCE)


def _writes(statements):
    return [s for s in statements if s.split()[0].upper() in WRITES]


def test_copied_cookie_is_refused_after_logout(app, auth, client, user, login, csrf_from, record):
    assert login(client).status_code == 302
    sid, since = _stored(client)
    thief = _copy_session(client, app)
    assert thief.get("/private/").status_code == 200  # a copy works while the session lives
    assert _logout(client, csrf_from).status_code == 302
    response = thief.get("/private/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.headers["Location"]
    assert _rows(app, auth) == []
    if record == "listed":
        assert since is None
        assert _ends(app, auth) == []
    else:  # the end is kept (by the id's hash) until the session would have expired
        [end] = _ends(app, auth)
        assert end.key == session_key(sid)
        assert end.before is None
        lifetime = app.permanent_session_lifetime
        expected = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=since) + lifetime + CLOCK_MARGIN
        assert abs(end.expires - expected) < datetime.timedelta(seconds=1)


def test_a_logged_out_copy_logging_out_again_is_harmless(app, auth, client, user, login, csrf_from):
    login(client)
    thief = _copy_session(client, app)
    assert _logout(client, csrf_from).status_code == 302
    assert _logout(thief, csrf_from).status_code == 302  # the end is recorded once, no error
    assert thief.get("/private/").status_code == 302


@pytest.mark.parametrize("record", ["unlisted"], indirect=True)
def test_an_unlisted_login_writes_nothing(app, auth, client, user, login, count_queries):
    with count_queries() as statements:
        assert login(client).status_code == 302
    assert _writes(statements) == []
    assert _rows(app, auth) == []
    assert _ends(app, auth) == []
    sid, since = _stored(client)
    assert sid
    assert abs(since - now_us()) < 60_000_000
    assert client.get("/private/").status_code == 200


@pytest.mark.parametrize("record", ["listed"], indirect=True)
def test_a_listed_login_records_one_row_without_the_session_id_itself(app, auth, client, user, login):
    login(client)
    login(client)  # logging in again in the same browser replaces its row
    rows = _rows(app, auth)
    assert len(rows) == 1
    assert rows[0].user_id == user.id
    assert rows[0].key == session_key(_stored(client)[0])
    assert rows[0].expires > datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def test_login_user_from_an_apps_own_view_is_recorded(app, auth, client, user, csrf_from, record):
    @app.route("/sso/", methods=["POST"])
    def sso():
        auth.login_user(auth.User.get(auth.User.username == "alice"))
        return "welcome"

    assert client.post("/sso/").get_data(as_text=True) == "welcome"
    thief = _copy_session(client, app)
    assert client.get("/private/").status_code == 200
    assert len(_rows(app, auth)) == (1 if record == "listed" else 0)
    _logout(client, csrf_from)
    assert thief.get("/private/").status_code == 302


def test_remember_me_restore_is_recorded(app, auth, client, user, login, csrf_from, record):
    app.config["FLASK_PEEWEE_REMEMBER_ME"] = True
    assert login(client, remember="y").status_code == 302
    client.delete_cookie("session")  # the browser closed; the remember-me cookie stays
    assert client.get("/private/").status_code == 200  # restored
    thief = _copy_session(client, app)
    if record == "listed":
        assert len(_rows(app, auth)) == 2  # the closed browser's session and the restored one
    else:
        assert _stored(client)[1] is not None
    _logout(client, csrf_from)
    assert thief.get("/private/").status_code == 302
    if record == "listed":
        assert len(_rows(app, auth)) == 1


def test_an_authenticated_request_costs_one_query(app, auth, client, user, login, count_queries, record):
    login(client)
    client.get("/private/")
    with count_queries() as counter:
        assert client.get("/private/").get_data(as_text=True) == "private page of alice"
    assert counter.count() == 1
    table = "fp_auth_session" if record == "listed" else "fp_auth_session_end"
    assert f"{table}{auth.db.database.quote[1]}" in counter.statements[0]


@pytest.mark.parametrize("record", ["listed"], indirect=True)
def test_an_expired_listed_session_is_refused(app, auth, client, user, login):
    login(client)
    with app.app_context():
        auth.AuthSession.update(expires=datetime.datetime(2000, 1, 1)).execute()
    auth.db.database.close()
    assert client.get("/private/").status_code == 302


@pytest.mark.parametrize("record", ["unlisted"], indirect=True)
def test_an_unlisted_session_ends_a_lifetime_after_its_login_whatever_its_cookie(app, auth, client, user, login):
    """A cookie re-signed at every request never outlives its login (nor the end recorded at its logout)."""
    login(client)
    lifetime_us = app.permanent_session_lifetime // datetime.timedelta(microseconds=1)
    with client.session_transaction() as session:  # as if the login was a lifetime ago
        session[_sessions.SINCE] = now_us() - lifetime_us + 2_000_000
    assert client.get("/private/").status_code == 200
    with client.session_transaction() as session:
        session[_sessions.SINCE] = now_us() - lifetime_us - 1
    assert client.get("/private/").status_code == 302


def test_end_all_sessions_logs_out_every_device(app, auth, user, login, record):
    phone, laptop = app.test_client(), app.test_client()
    login(phone)
    login(laptop)
    with app.test_request_context():
        assert auth.end_all_sessions(user) == (2 if record == "listed" else 0)
    auth.db.database.close()
    assert phone.get("/private/").status_code == 302
    assert laptop.get("/private/").status_code == 302
    again = app.test_client()
    assert login(again).status_code == 302  # a login after the cut-off lives
    assert again.get("/private/").status_code == 200


@pytest.mark.parametrize("record", ["unlisted"], indirect=True)
def test_the_cut_off_only_moves_later(app, auth, user, new_user):
    bob = new_user("bob")
    with app.test_request_context():
        auth.end_all_sessions(user)
        auth.end_all_sessions(bob)
        first = {end.key: end.before for end in auth.AuthSessionEnd.select()}
        auth.end_all_sessions(user)
        key = session_key(cutoff_name(user.id))
        moved = auth.AuthSessionEnd.get(auth.AuthSessionEnd.key == key).before
        assert moved >= first[key]
        cutoff = auth.AuthSessionEnd
        cutoff.update(before=moved + 10**9).where(cutoff.key == key).execute()  # a later one, from another worker
        auth.end_all_sessions(user)
        assert cutoff.get(cutoff.key == key).before == moved + 10**9
        assert len(first) == 2
    auth.db.database.close()


def test_testing_log_in_records_a_session_that_logout_ends(app, auth, client, user, csrf_from):
    log_in(client, user)
    thief = _copy_session(client, app)
    assert thief.get("/private/").status_code == 200
    _logout(client, csrf_from)
    assert thief.get("/private/").status_code == 302


def test_session_tables_are_created_at_init_app_and_by_create_tables(app, db):
    Auth(app, db)
    for table in ("fp_auth_session", "fp_auth_session_end"):
        assert table in db.database.get_tables()
        db.database.execute_sql(f'DROP TABLE "{table}"'.replace('"', db.database.quote[0]))
    db.database.close()
    result = app.test_cli_runner().invoke(args=["fp", "create-tables"])
    assert result.exit_code == 0, result.output
    assert {"fp_auth_session", "fp_auth_session_end"} <= set(db.database.get_tables())
    db.database.close()


@pytest.mark.backends("sqlite")
def test_a_second_app_sees_the_logout_too(app, auth, client, user, login, csrf_from, database_url):
    """Two workers are two apps over one database: a logout in one ends the session in both."""
    login(client)
    other = Flask("other_worker")
    other.config.update(DATABASE=database_url, SECRET_KEY=app.secret_key)
    other.config["FLASK_PEEWEE_AUTH_SESSIONS_PAGE"] = app.config.get("FLASK_PEEWEE_AUTH_SESSIONS_PAGE", False)
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


@pytest.mark.parametrize("record", ["listed"], indirect=True)
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


@pytest.mark.parametrize("record", ["unlisted"], indirect=True)
def test_expired_ends_are_purged_once_every_so_many_logouts(app, auth, user, login, csrf_from):
    auth._live.purge_due = Periodic(2)
    browsers = [app.test_client() for _ in range(3)]
    for browser in browsers:
        login(browser)
    _logout(browsers[0], csrf_from)
    with app.app_context():
        auth.AuthSessionEnd.update(expires=datetime.datetime(2000, 1, 1)).execute()
    auth.db.database.close()
    second = _stored(browsers[1])[0]
    _logout(browsers[1], csrf_from)  # the second logout of the period purges the first's expired end
    [end] = _ends(app, auth)
    assert end.key == session_key(second)
    assert end.expires > datetime.datetime(2001, 1, 1)
    assert browsers[2].get("/private/").status_code == 200


@pytest.mark.parametrize("record", ["listed"], indirect=True)
def test_a_first_listed_login_writes_its_session_in_one_statement(app, auth, client, user, login, count_queries):
    with count_queries() as statements:
        login(client)
    writes = _writes(statements)
    assert len(writes) == 1
    assert writes[0].upper().startswith("INSERT")
    assert len(_rows(app, auth)) == 1


def test_a_login_over_a_live_session_ends_that_session(app, auth, client, user, login, record):
    login(client)
    first = client.get_cookie("session").value
    login(client)  # the same browser logs in again: the earlier session ends
    assert len(_rows(app, auth)) == (1 if record == "listed" else 0)
    replay = app.test_client()
    replay.set_cookie("session", first)
    assert replay.get("/private/").status_code == 302
    assert client.get("/private/").status_code == 200


def test_an_unlisted_session_is_refused_while_the_sessions_page_is_on(app, auth, client, user, login, record):
    """The page lists every session that can log in: those it cannot list log in again."""
    login(client)
    app.config["FLASK_PEEWEE_AUTH_SESSIONS_PAGE"] = record == "unlisted"  # turned on, or off
    expected = 302 if record == "unlisted" else 200  # a listed session still needs (and has) its row
    assert client.get("/private/").status_code == expected
    again = app.test_client()
    login(again)
    assert again.get("/private/").status_code == 200


@pytest.mark.parametrize("record", ["listed"], indirect=True)
def test_a_listed_login_commits_without_waiting_for_the_wal_on_postgres_and_a_logout_waits(
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
    login(client)
    with count_queries() as statements:
        login(client)  # over a live session: ending that one must be durable, so the commit waits
    assert not [s for s in statements if "synchronous_commit" in s]
    assert len(_rows(app, auth)) == 1
