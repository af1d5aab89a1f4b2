"""HTTP Basic's verified-credentials cache: a repeated client skips the hash, nothing else changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from playhouse.db_url import connect

from flask_peewee.auth import Auth
from flask_peewee.rest import RestAPI, UserAuthentication
from flask_peewee.utils import _passwords, get_credentials_cache, make_password

from .conftest import PASSWORD, basic


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every stored hash the single verification function checks, in order."""
    calls: list[str] = []
    real = _passwords.verify

    def counting(raw, enc, context):
        calls.append(enc)
        return real(raw, enc, context)

    monkeypatch.setattr(_passwords, "verify", counting)
    return calls


@pytest.fixture
def api(app: Flask, auth: Auth, models: Any, users: Any) -> RestAPI:
    """An API whose writes need HTTP Basic credentials of an active user; the docs' Note registered."""
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note)
    return api


@pytest.fixture
def post(client: Any, api: RestAPI) -> Callable[..., int]:
    """``post(username, password)``: create a note with those HTTP Basic credentials; the status."""

    def send(username: str = "admin", password: str = PASSWORD) -> int:
        response = client.post("/api/note/", json={"message": "hi"}, headers=basic(username, password))
        return int(response.status_code)

    return send


@pytest.fixture
def elsewhere(database_url: str, auth: Auth) -> Callable[..., None]:
    """``elsewhere(username, **fields)``: update a user through another connection, as another worker would."""

    def update(username: str, **fields: Any) -> None:
        other = connect(database_url)
        try:
            with other.bind_ctx([auth.User]):
                auth.User.update(**fields).where(auth.User.username == username).execute()
        finally:
            other.close()

    return update


@pytest.fixture
def clock(app: Flask) -> Clock:
    """The app's credentials cache, reading the time from a clock the test moves."""
    with app.app_context():
        cache = get_credentials_cache()
    assert cache is not None
    cache.clock = clock = Clock()
    return clock


def test_a_repeated_client_pays_one_verification(post, verifications):
    assert post() == 200
    assert len(verifications) == 1
    assert post() == 200
    assert post() == 200
    assert len(verifications) == 1


def test_a_hit_still_looks_the_user_up(app, auth, post, verifications, count_queries):
    app.config["FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS"] = 0
    with count_queries() as uncached:
        assert post() == 200
    app.config["FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS"] = 60
    assert post() == 200  # verified and stored
    verifications.clear()
    with count_queries() as hit:
        assert post() == 200
    assert verifications == []
    assert len(hit) == len(uncached)  # the same statements: lookup, throttle read, insert, audit
    user_table = auth.User._meta.table_name
    assert sum(user_table in sql and sql.lstrip().upper().startswith("SELECT") for sql in hit) == 1


def test_a_password_changed_by_another_worker_applies_at_once(app, post, elsewhere, verifications):
    assert post() == 200
    with app.app_context():
        new_hash = make_password("changed")
    elsewhere("admin", password=new_hash)
    verifications.clear()
    assert post() == 401  # the old password against the new hash: verified, and refused
    assert verifications == [new_hash]
    assert post("admin", "changed") == 200


def test_a_user_deactivated_elsewhere_is_refused_at_once(post, elsewhere):
    assert post() == 200
    elsewhere("admin", active=False)
    assert post() == 401


def test_entries_expire(post, clock, verifications):
    assert post() == 200
    clock.now += 59
    assert post() == 200
    assert len(verifications) == 1
    clock.now += 1  # 60 seconds after the verification
    assert post() == 200
    assert len(verifications) == 2
    clock.now += 30
    assert post() == 200  # stored again by the last verification
    assert len(verifications) == 2


def test_the_lifetime_comes_from_the_config(app, post, clock, verifications):
    app.config["FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS"] = 5
    assert post() == 200
    clock.now += 4
    assert post() == 200
    clock.now += 1
    assert post() == 200
    assert len(verifications) == 2


def test_zero_seconds_verifies_every_request(app, post, verifications):
    app.config["FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS"] = 0
    for _ in range(3):
        assert post() == 200
    assert len(verifications) == 3


def test_wrong_passwords_and_unknown_users_cost_one_verification_each(post, verifications, users):
    assert post() == 200  # the right password is cached now
    for _ in range(2):
        verifications.clear()
        assert post("admin", "wrong") == 401
        assert verifications == [users.admin.password]
        verifications.clear()
        assert post("nobody", "admin") == 401  # the dummy verification
        assert len(verifications) == 1
        assert verifications != [users.admin.password]


def test_the_throttle_still_counts_and_refuses(auth, post, verifications):
    assert post() == 200
    assert [post("admin", f"guess {i}") for i in range(11)] == [401] * 10 + [429]
    verifications.clear()
    assert post() == 429  # the right, cached password waits like any other
    assert verifications == []
    with auth.db.database.connection_context():
        assert auth.login_throttle_model.select().count() > 0


def test_a_hit_is_audited_as_the_user(auth, post):
    assert post() == 200
    assert post() == 200
    with auth.db.database.connection_context():
        entries = list(auth.audit.query(action="add"))
    assert [entry.username for entry in entries] == ["admin", "admin"]


def test_other_users_and_passwords_miss(post, make_user, verifications):
    make_user("other", password="admin")  # the same password, another user and hash
    assert post() == 200
    assert post("other", "admin") == 200
    assert post("coleifer", "admin") == 200
    assert len(verifications) == 3


def test_login_without_the_scope_verifies_every_time(app, auth, post, verifications):
    assert post() == 200  # cached for HTTP Basic
    verifications.clear()
    with app.test_request_context("/accounts/login/", method="POST"):
        assert auth.authenticate("admin", "admin")
        assert auth.authenticate("admin", "admin")
    assert len(verifications) == 2  # the login form's path is not cached
