"""Login throttling per username and per client address, in the database and in Redis."""

from __future__ import annotations

import secrets
import time

import pytest
from flask import Flask

from flask_peewee.auth import Auth
from flask_peewee.auth._throttle import _strategy
from flask_peewee.db import Database, ImproperlyConfigured

PASSWORD = "correct horse"


@pytest.fixture
def attempt(csrf_from):
    """``attempt(client, username, password, address)``: one login POST from ``address``."""

    def run(client, username="alice", password="wrong", address="10.0.0.1"):  # noqa: S107
        environ = {"REMOTE_ADDR": address}
        token = csrf_from(client)
        data = {"username": username, "password": password, "csrf_token": token}
        return client.post("/accounts/login/", data=data, environ_base=environ)

    return run


def test_username_is_refused_after_ten_failures(auth, client, user, attempt):
    for _ in range(10):
        assert attempt(client).status_code == 200
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 900
    page = response.get_data(as_text=True)
    assert "Too many login attempts. Please wait 15 minutes before trying again." in page
    assert "<form" in page
    assert client.get("/private/").status_code == 302


def test_username_limit_is_per_address_and_ignores_case(auth, client, user, attempt):
    for number in range(10):
        assert attempt(client, "ALICE" if number % 2 else "alice").status_code == 200
    assert attempt(client, password=PASSWORD).status_code == 429
    assert attempt(client, password=PASSWORD, address="10.0.2.1").status_code == 302


def test_nobody_can_lock_an_account_from_elsewhere(auth, client, user, attempt):
    """Failures from other addresses never refuse a correct password from an address without failures."""
    for number in range(150):
        attempt(client, address=f"10.1.{number // 200}.{number % 200}")
    assert attempt(client, password=PASSWORD, address="10.2.0.1").status_code == 302


def test_many_addresses_guessing_one_account_are_slowed(auth, client, user, attempt):
    """Past the account limit, an address with failures of its own is refused after its first."""
    for number in range(100):
        assert attempt(client, address=f"10.3.0.{number}").status_code == 200
    assert attempt(client, address="10.3.1.1").status_code == 200  # its first failure still counts
    assert attempt(client, password=PASSWORD, address="10.3.1.1").status_code == 429
    assert attempt(client, password=PASSWORD, address="10.3.1.2").status_code == 302


def test_address_is_refused_after_twenty_failures(auth, client, user, attempt):
    for number in range(20):
        assert attempt(client, f"user{number}").status_code == 200
    assert attempt(client, "alice", PASSWORD).status_code == 429
    assert attempt(client, "alice", PASSWORD, address="10.9.9.9").status_code == 302


def test_successful_login_resets_the_username_counter(auth, client, user, attempt):
    for _ in range(9):
        attempt(client)
    assert attempt(client, password=PASSWORD).status_code == 302
    for _ in range(10):
        assert attempt(client).status_code == 200
    assert attempt(client).status_code == 429


def test_successful_logins_do_not_use_up_the_address_limit(auth, client, user, attempt):
    for _ in range(25):
        assert attempt(client, password=PASSWORD).status_code == 302


def test_a_refusal_is_not_counted(auth, app, client, user, attempt):
    for _ in range(10):
        attempt(client)
    for _ in range(5):
        assert attempt(client).status_code == 429
    with app.app_context():
        counts = sorted(row.attempts for row in auth.login_throttle_model.select())
    auth.db.database.close()
    assert counts == [10, 10, 10]  # pair, address and username: the refusals added nothing


def test_window_expiry_lets_the_user_in_again(auth, app, client, user, attempt):
    for _ in range(11):
        attempt(client)
    assert attempt(client, password=PASSWORD).status_code == 429
    model = auth.login_throttle_model
    with app.app_context():
        model.update(window_start=int(time.time()) - 1000).execute()
    auth.db.database.close()
    assert attempt(client, password=PASSWORD).status_code == 302


def test_counters_are_shared_by_two_apps_on_one_database(auth, app, client, user, attempt, database_url):
    """Two worker processes are two apps over one database: the refusal holds in both."""
    for _ in range(10):
        attempt(client)
    other_app = Flask("other_worker")
    other_app.config.update(DATABASE=database_url, SECRET_KEY="other", FLASK_PEEWEE_PASSWORD_SCHEMES=["md5_crypt"])
    other_db = Database(other_app)
    Auth(other_app, other_db)
    response = attempt(other_app.test_client(), password=PASSWORD)
    other_db.database.close()
    assert response.status_code == 429


def test_limits_and_window_are_configurable(app, db, client, attempt, new_user_in):
    app.config.update(
        FLASK_PEEWEE_LOGIN_THROTTLE_USERNAME_LIMIT=3,
        FLASK_PEEWEE_LOGIN_THROTTLE_WINDOW=60,
    )
    new_user_in(Auth(app, db))
    for _ in range(3):
        attempt(client)
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert "1 minute" in response.get_data(as_text=True)


def test_throttling_can_be_disabled(app, db, client, attempt, new_user_in):
    app.config["FLASK_PEEWEE_LOGIN_THROTTLE_ENABLED"] = False
    new_user_in(Auth(app, db))
    for _ in range(12):
        attempt(client)
    assert attempt(client, password=PASSWORD).status_code == 302


def _throttle_statements(counter):
    return [sql.split()[0].upper() for sql in counter.statements if "fp_login_throttle" in sql]


def test_a_failure_is_one_select_and_one_upsert_and_a_success_one_select(
    auth, db, client, user, attempt, count_queries
):
    """Counting the three keys takes one statement where the database has an upsert (PostgreSQL, SQLite)."""
    counting = {"upsert": ["INSERT"], "mysql": ["INSERT", "INSERT", "INSERT"]}[_strategy(db.database)]
    with count_queries() as counter:
        assert attempt(client, password=PASSWORD).status_code == 302
    assert _throttle_statements(counter) == ["SELECT"]
    with count_queries() as counter:
        assert attempt(client).status_code == 200
    assert _throttle_statements(counter) == ["SELECT", *counting]
    with count_queries() as counter:
        assert attempt(client, password=PASSWORD).status_code == 302  # clears the pair's failure
    assert _throttle_statements(counter) == ["SELECT", "UPDATE"]


def _strategies(db):
    """This backend's own way of counting, then the fallbacks that can run on it."""
    native = _strategy(db.database)
    return [native, "update"]


def test_counts_after_a_success_start_a_new_window(auth, app, db, client, user, attempt, monkeypatch):
    """A success clears the username's counter in place; the next failure starts counting afresh at one."""
    model = auth.login_throttle_model
    for strategy in _strategies(db):
        monkeypatch.setattr("flask_peewee.auth._throttle._strategy", lambda database, chosen=strategy: chosen)
        with app.app_context():
            model.delete().execute()
        db.database.close()
        for _ in range(3):
            attempt(client)
        assert attempt(client, password=PASSWORD).status_code == 302
        with app.app_context():
            model.update(window_start=int(time.time()) - 600).execute()  # an old window, 5 minutes left
        db.database.close()
        attempt(client)
        with app.app_context():
            rows = {row.key[0]: (row.attempts, row.window_start) for row in model.select()}
        db.database.close()
        assert rows["p"][0] == 1, strategy
        assert rows["p"][1] >= int(time.time()) - 5, strategy  # a new window, not the cleared counter's old one
        assert rows["a"] == (4, rows["a"][1]), strategy  # 3 failures + this one; the success counted nothing
        assert rows["a"][1] <= int(time.time()) - 590, strategy  # the address keeps its running window
        assert rows["u"][0] == 4, strategy


def test_fallback_strategies_count_the_same(auth, app, db, client, user, attempt, monkeypatch):
    """Older SQLite (without RETURNING, or without upsert) and other databases give the same results."""
    for strategy in _strategies(db)[1:]:
        monkeypatch.setattr("flask_peewee.auth._throttle._strategy", lambda database, chosen=strategy: chosen)
        with app.app_context():
            auth.login_throttle_model.delete().execute()
        db.database.close()
        for _ in range(9):
            assert attempt(client).status_code == 200
        assert attempt(client, password=PASSWORD).status_code == 302
        for _ in range(10):
            assert attempt(client).status_code == 200
        response = attempt(client, password=PASSWORD)
        assert response.status_code == 429, strategy
        assert 1 <= int(response.headers["Retry-After"]) <= 900


@pytest.fixture
def new_user_in(app, db):
    def run(auth):
        db.create_tables()
        with app.app_context():
            user = auth.User(username="alice")
            user.set_password(PASSWORD)
            user.save()
        db.database.close()
        return user

    return run


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("FLASK_PEEWEE_LOGIN_THROTTLE_USERNAME_LIMIT", 0),
        ("FLASK_PEEWEE_LOGIN_THROTTLE_ADDRESS_LIMIT", "20"),
        ("FLASK_PEEWEE_LOGIN_THROTTLE_WINDOW", -5),
        ("FLASK_PEEWEE_LOGIN_THROTTLE_BACKEND", "memcached"),
    ],
)
@pytest.mark.backends("sqlite")
def test_bad_throttle_config_is_refused_at_init(app, db, key, value):
    app.config[key] = value
    with pytest.raises(ImproperlyConfigured, match=key):
        Auth(app, db)


def test_throttle_table_is_created_at_init_app(app, db):
    assert "fp_login_throttle" not in db.database.get_tables()
    Auth(app, db)
    assert "fp_login_throttle" in db.database.get_tables()
    assert "user" not in db.database.get_tables()  # the app creates its own tables, as the docs do
    db.database.close()


def test_throttle_table_is_created_by_fp_create_tables(app, db):
    auth = Auth(app, db)
    auth.login_throttle_model.drop_table()
    db.database.close()
    result = app.test_cli_runner().invoke(args=["fp", "create-tables"])
    assert result.exit_code == 0, result.output
    assert "fp_login_throttle" in result.output
    assert "fp_login_throttle" in db.database.get_tables()
    db.database.close()


def _redis_or_skip():
    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis server at 127.0.0.1:6379: {exc}")


@pytest.mark.backends("sqlite")
def test_redis_backend(app, db, client, attempt):
    _redis_or_skip()
    app.config["FLASK_PEEWEE_LOGIN_THROTTLE_BACKEND"] = "redis"
    auth = Auth(app, db)
    assert "fp_login_throttle" not in db.database.get_tables()
    db.create_tables()
    username = f"redis-{secrets.token_hex(6)}"
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    with app.app_context():
        user = auth.User(username=username)
        user.set_password(PASSWORD)
        user.save()
    db.database.close()
    for _ in range(9):
        assert attempt(client, username, address=address).status_code == 200
    assert attempt(client, username, PASSWORD, address=address).status_code == 302
    for _ in range(10):
        assert attempt(client, username, address=address).status_code == 200
    response = attempt(client, username, PASSWORD, address=address)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 900


@pytest.mark.backends("sqlite")
def test_redis_backend_without_the_package_fails_clearly_at_init(app, db, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "redis", None)
    app.config["FLASK_PEEWEE_LOGIN_THROTTLE_BACKEND"] = "redis"
    with pytest.raises(ImproperlyConfigured, match=r"flask-peewee-auth\[redis\]"):
        Auth(app, db)


def test_rows_that_read_as_zero_are_purged_every_so_many_failures(auth, app, db):
    """Usernames and addresses sprayed by an attacker do not stay in the table."""
    from flask_peewee.auth._throttle import _DatabaseStore
    from flask_peewee.utils.internal import Periodic

    model = auth.login_throttle_model
    store = _DatabaseStore(model)
    store.purge_due = Periodic(3)
    now = int(time.time())
    with app.app_context():
        model.insert_many(
            [("sprayed-1", 5, now - 1000), ("cleared", 0, now), ("live", 4, now - 10)],
            fields=[model.key, model.attempts, model.window_start],
        ).execute()
        store.hit(["a"], 900)
        store.hit(["a"], 900)
        assert model.select().count() == 4  # not due yet
        store.hit(["b"], 900)  # the third failure purges
        assert sorted(row.key for row in model.select()) == ["a", "b", "live"]
        assert store.counts(["a", "b", "live"], 900)[0][0] == 2
    db.database.close()
    assert _DatabaseStore.PURGE_EVERY > 1
