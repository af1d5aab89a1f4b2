"""The auth signals: logged in, login failed, logged out (views), user created and password changed (CLI)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import flask_peewee.auth
from flask_peewee.auth import (
    password_changed,
    user_created,
    user_logged_in,
    user_logged_out,
    user_login_failed,
)

from .conftest import PASSWORD

SIGNALS = (
    "object_changed",
    "object_created",
    "object_deleted",
    "password_changed",
    "user_created",
    "user_logged_in",
    "user_logged_out",
    "user_login_failed",
)


@contextlib.contextmanager
def subscribed(signal: Any) -> Iterator[list[tuple[Any, dict[str, Any]]]]:
    calls: list[tuple[Any, dict[str, Any]]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        calls.append((sender, kwargs))

    signal.connect(receiver)
    try:
        yield calls
    finally:
        signal.disconnect(receiver)


def test_the_signals_are_public_and_distinct() -> None:
    assert set(SIGNALS) <= set(flask_peewee.auth.__all__)
    assert len({id(getattr(flask_peewee.auth, name)) for name in SIGNALS}) == len(SIGNALS)


def test_login_logout_and_a_failed_login(app, auth, client, user, login, csrf_from) -> None:
    with subscribed(user_logged_in) as logged_in, subscribed(user_login_failed) as failed:
        assert login(client, "alice", "wrong").status_code == 200
        assert login(client, "nobody", "wrong").status_code == 200
        assert logged_in == []
        assert login(client).status_code == 302
    assert [(sender, kwargs) for sender, kwargs in failed] == [
        (app, {"username": "alice"}),
        (app, {"username": "nobody"}),
    ]
    [(sender, kwargs)] = logged_in
    assert sender is app
    assert kwargs == {"user": user}

    with subscribed(user_logged_out) as logged_out:
        token = csrf_from(client, "/accounts/logout/")
        assert client.post("/accounts/logout/", data={"csrf_token": token}).status_code == 302
        token = csrf_from(client, "/accounts/logout/")
        assert client.post("/accounts/logout/", data={"csrf_token": token}).status_code == 302  # nobody logged in
    assert [(sender, kwargs) for sender, kwargs in logged_out] == [(app, {"user": user}), (app, {"user": None})]


def test_a_logout_refused_for_its_token_sends_nothing(auth, client, user, login) -> None:
    login(client)
    with subscribed(user_logged_out) as logged_out:
        assert client.post("/accounts/logout/", data={"csrf_token": "forged"}).status_code == 200
    assert logged_out == []


def test_a_rehash_on_login_is_not_a_password_change(app, auth, client, user, login) -> None:
    app.config["FLASK_PEEWEE_PASSWORD_SCHEMES"] = ["sha256_crypt", "md5_crypt"]  # alice's md5 hash is now outdated
    with subscribed(password_changed) as changed:
        assert login(client).status_code == 302
    assert changed == []
    assert auth.User.get_by_id(user.id).password.startswith("$5$")


def test_createsuperuser_and_changepassword(app, auth) -> None:
    runner = app.test_cli_runner()
    with subscribed(user_created) as created, subscribed(password_changed) as changed:
        args = ["fp", "createsuperuser", "--username", "ops", "--password-stdin"]
        assert runner.invoke(args=args, input=f"{PASSWORD}\n").exit_code == 0
        assert runner.invoke(args=args, input=f"{PASSWORD}\n").exit_code == 1  # a duplicate: nothing sent
        assert changed == []
        result = runner.invoke(args=["fp", "changepassword", "ops", "--password-stdin"], input="new pw 2026\n")
        assert result.exit_code == 0, result.output
        assert runner.invoke(args=["fp", "changepassword", "ghost", "--password-stdin"], input="x\n").exit_code == 1
    [(sender, kwargs)] = created
    assert sender is app
    assert kwargs["source"] == "cli"
    assert kwargs["user"].username == "ops"
    [(sender, kwargs)] = changed
    assert sender is app
    assert kwargs["source"] == "cli"
    assert kwargs["user"].username == "ops"
    with app.app_context():
        stored = auth.User.get(auth.User.username == "ops")
        assert stored.check_password("new pw 2026")
        assert kwargs["user"].password == stored.password
    auth.db.database.close()


def test_a_throttled_login_sends_no_failure(app, auth, client, user, login) -> None:
    limit = app.config.get("FLASK_PEEWEE_LOGIN_THROTTLE_USERNAME_LIMIT", 10)
    with subscribed(user_login_failed) as failed, subscribed(user_logged_in) as logged_in:
        for _ in range(limit):
            assert login(client, "alice", "wrong").status_code == 200
        assert login(client, "alice", "wrong").status_code == 429  # refused before the password is checked
        assert login(client).status_code == 429  # the right password too, while throttled
    assert [kwargs for _sender, kwargs in failed] == [{"username": "alice"}] * limit
    assert logged_in == []
