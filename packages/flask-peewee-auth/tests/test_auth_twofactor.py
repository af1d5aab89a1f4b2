"""Two-factor authentication (TOTP): enrolment, the login in two steps, recovery codes, replays, throttling."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest
from flask import Flask

from flask_peewee.auth import Auth
from flask_peewee.auth._twofactor import PENDING
from flask_peewee.auth.testing import create_user, form_csrf_token, log_in
from flask_peewee.db import Database, ImproperlyConfigured, connection

PASSWORD = "correct horse"  # the password conftest gives its users
ENROL = "/accounts/two-factor/enrol/"
VERIFY = "/accounts/two-factor/verify/"
SETTINGS = "/accounts/two-factor/"


@pytest.fixture
def tf_auth(app: Flask, db: Database) -> Auth:
    """An Auth with two-factor authentication on, tables created."""
    app.config["FLASK_PEEWEE_AUTH_2FA"] = True
    auth = Auth(app, db)

    @app.route("/")
    def homepage() -> str:
        return "home page"

    @app.route("/private/")
    @auth.login_required
    def private() -> str:
        return f"private page of {auth.get_logged_in_user().username}"

    @app.route("/gated/")
    @auth.login_required
    def gated() -> Any:
        refusal = auth.second_factor_gate(auth.get_logged_in_user())
        return refusal if refusal is not None else "gated page"

    db.create_tables()
    db.database.close()
    return auth


@pytest.fixture
def alice(app: Flask, tf_auth: Auth) -> Any:
    return create_user(app, tf_auth, "alice", PASSWORD)


def _password_step(client: Any, username: str = "alice", password: str = PASSWORD, **extra: Any) -> Any:
    data = {"username": username, "password": password, "csrf_token": form_csrf_token(client, "/accounts/login/")}
    return client.post("/accounts/login/", data={**data, **extra})


def _post(client: Any, url: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": form_csrf_token(client, url), **data})


def _enrol(client: Any) -> tuple[str, list[str]]:
    """Enrol the logged-in user of ``client``: the secret and the recovery codes shown."""
    page = client.get(ENROL).get_data(as_text=True)
    secret = re.search(r'auth-two-factor-secret">([A-Z2-7]+)<', page).group(1)
    response = _post(client, ENROL, code=pyotp.TOTP(secret).now())
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    return secret, codes


def _code_of(secret: str, steps_ago: int = -1) -> str:
    """A code of ``secret`` (by default the next time step's: the enrolment used the current one)."""
    return pyotp.TOTP(secret).at(int(time.time()) - 30 * steps_ago)


@pytest.fixture
def enrolled(app: Flask, tf_auth: Auth, alice: Any) -> tuple[str, list[str]]:
    """alice with a second factor: ``(secret, recovery codes)``; the enrolling client is discarded."""
    client = app.test_client()
    log_in(client, alice)
    return _enrol(client)


def test_off_by_default_no_route_no_table(app: Flask, auth: Auth, user: Any, client: Any) -> None:
    assert client.get(SETTINGS).status_code == 404
    assert client.get(VERIFY).status_code == 404
    tables = {model._meta.table_name for model in auth.db.models}
    assert "fp_two_factor" not in tables
    assert "fp_two_factor_recovery" not in tables
    with connection(auth.db) as database:
        assert not database.table_exists("fp_two_factor")
    assert "reset-2fa" not in auth.db.cli.commands


def test_login_costs_no_query_when_off_and_one_indexed_lookup_when_on(
    app: Flask, tf_auth: Auth, alice: Any, count_queries: Any
) -> None:
    def login_statements() -> list[str]:
        client = app.test_client()
        token = form_csrf_token(client, "/accounts/login/")
        with count_queries() as queries:
            response = client.post(
                "/accounts/login/", data={"username": "alice", "password": PASSWORD, "csrf_token": token}
            )
        assert response.status_code == 302
        assert response.location == "/"
        return list(queries.statements)

    with_feature = login_statements()
    app.config["FLASK_PEEWEE_AUTH_2FA"] = False
    without = login_statements()
    assert not any("fp_two_factor" in sql for sql in without)
    assert len(with_feature) == len(without) + 1
    assert sum("fp_two_factor" in sql for sql in with_feature) == 1


def test_enrolment_shows_an_inline_svg_and_needs_a_right_code(app: Flask, tf_auth: Auth, alice: Any) -> None:
    client = app.test_client()
    log_in(client, alice)
    page = client.get(ENROL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html
    assert "no-store" in page.headers["Cache-Control"]
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    wrong = _post(client, ENROL, code="000000")
    assert wrong.status_code == 200
    assert "not valid" in wrong.get_data(as_text=True)
    with app.test_request_context(), connection(tf_auth.db):
        assert tf_auth.two_factor.factor_of(alice) is None
    secret, codes = _enrol(client)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    _model, recovery = tf_auth.two_factor.models
    with app.test_request_context(), connection(tf_auth.db):
        assert tf_auth.two_factor.factor_of(alice).secret == secret
        stored = [row.code_hash for row in recovery.select()]
    assert len(stored) == 10
    assert not set(codes) & set(stored)
    # the enrolling session passed the second factor; the settings page says it is on
    assert "is on" in client.get(SETTINGS).get_data(as_text=True)


def test_missing_csrf_token_changes_nothing(app: Flask, tf_auth: Auth, alice: Any) -> None:
    client = app.test_client()
    log_in(client, alice)
    secret = re.search(r'secret">([A-Z2-7]+)<', client.get(ENROL).get_data(as_text=True)).group(1)
    response = client.post(ENROL, data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    assert "expired" in response.get_data(as_text=True)
    with app.test_request_context(), connection(tf_auth.db):
        assert tf_auth.two_factor.factor_of(alice) is None


def test_the_half_logged_in_session_is_anonymous(app: Flask, tf_auth: Auth, enrolled: Any, client: Any) -> None:
    response = _password_step(client)
    assert response.status_code == 302
    assert response.location.startswith(VERIFY)
    with client.session_transaction() as session:
        assert set(session) == {PENDING}
    assert client.get("/private/").status_code == 302
    assert "/accounts/login/" in client.get("/private/").location
    assert client.get(SETTINGS).status_code == 302


def test_login_with_a_code_and_no_replay(app: Flask, tf_auth: Auth, enrolled: Any) -> None:
    secret, _codes = enrolled
    client = app.test_client()
    _password_step(client)
    code = _code_of(secret)
    response = _post(client, VERIFY, code=code, next="/private/")
    assert response.status_code == 302
    assert response.location == "/private/"
    assert client.get("/private/").get_data(as_text=True) == "private page of alice"
    # the same code again, in another login: refused
    other = app.test_client()
    _password_step(other)
    replay = _post(other, VERIFY, code=code)
    assert replay.status_code == 200
    assert "not valid" in replay.get_data(as_text=True)
    assert other.get("/private/").status_code == 302


def test_a_recovery_code_works_once(app: Flask, tf_auth: Auth, enrolled: Any) -> None:
    _secret, codes = enrolled
    client = app.test_client()
    _password_step(client)
    response = _post(client, VERIFY, code=codes[3].upper().replace("-", " "))
    assert response.status_code == 302
    assert client.get("/private/").status_code == 200
    with client.session_transaction() as session:
        assert ("warning", "You used a recovery code: 9 left.") in session["_flashes"]
    again = app.test_client()
    _password_step(again)
    assert _post(again, VERIFY, code=codes[3]).status_code == 200
    assert again.get("/private/").status_code == 302


def test_codes_go_through_the_login_throttle(app: Flask, tf_auth: Auth, enrolled: Any) -> None:
    app.config["FLASK_PEEWEE_LOGIN_THROTTLE_USERNAME_LIMIT"] = 3
    app.extensions.pop("flask_peewee.auth.throttle", None)  # built at init_app with the old limit
    secret, _codes = enrolled
    client = app.test_client()
    _password_step(client)
    for _ in range(3):
        assert _post(client, VERIFY, code="000000").status_code == 200
    refused = _post(client, VERIFY, code=_code_of(secret))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert client.get("/private/").status_code == 302


def test_an_expired_pending_login_starts_again(app: Flask, tf_auth: Auth, enrolled: Any, client: Any) -> None:
    _secret, _codes = enrolled
    _password_step(client)
    with client.session_transaction() as session:
        marker = list(session[PENDING])
        marker[1] = int(time.time()) - 1
        session[PENDING] = marker
    response = client.get(VERIFY)
    assert response.status_code == 302
    assert "/accounts/login/" in response.location
    assert client.get("/private/").status_code == 302


def test_a_password_change_voids_the_pending_login(app: Flask, tf_auth: Auth, enrolled: Any, alice: Any) -> None:
    _secret, _codes = enrolled
    client = app.test_client()
    _password_step(client)
    with connection(tf_auth.db):
        alice.set_password("another one")
        alice.save()
    response = client.get(VERIFY)  # the marker no longer matches the stored hash: dropped
    assert response.status_code == 302
    assert "/accounts/login/" in response.location
    assert client.get("/private/").status_code == 302
    with client.session_transaction() as session:
        assert PENDING not in session


def test_regenerate_and_switch_off_need_the_password(app: Flask, tf_auth: Auth, alice: Any) -> None:
    client = app.test_client()
    log_in(client, alice)
    _secret, old_codes = _enrol(client)
    other = app.test_client()
    log_in(other, alice)  # a session on another device: no proof of the second factor
    assert other.get(SETTINGS).status_code == 302  # it must enter a code first
    wrong = _post(client, SETTINGS, action="regenerate", password="nope")
    assert wrong.status_code == 200
    assert "Incorrect password" in wrong.get_data(as_text=True)
    fresh = _post(client, SETTINGS, action="regenerate", password=PASSWORD)
    new_codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", fresh.get_data(as_text=True))
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    off = _post(client, SETTINGS, action="disable", password=PASSWORD)
    assert off.status_code == 302
    assert "is off" in client.get(SETTINGS).get_data(as_text=True)
    assert other.get("/private/").status_code == 302  # switching off ended the other session
    with app.test_request_context(), connection(tf_auth.db):
        assert tf_auth.two_factor.factor_of(alice) is None
        assert tf_auth.two_factor.models[1].select().count() == 0


def test_enrolment_ends_the_other_sessions(app: Flask, tf_auth: Auth, alice: Any) -> None:
    client, other = app.test_client(), app.test_client()
    log_in(client, alice)
    log_in(other, alice)
    _enrol(client)
    assert client.get("/private/").status_code == 200
    assert other.get("/private/").status_code == 302


def test_remember_me_keeps_the_proof(app: Flask, tf_auth: Auth, enrolled: Any) -> None:
    app.config["FLASK_PEEWEE_REMEMBER_ME"] = True
    app.config["FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN"] = True
    secret, _codes = enrolled
    client = app.test_client()
    _password_step(client, remember="y")
    _post(client, VERIFY, code=_code_of(secret))
    assert client.get("/gated/").get_data(as_text=True) == "gated page"
    cookie = client.get_cookie("fp_remember")
    assert cookie is not None
    browser = app.test_client()  # the session is gone, the remember-me cookie stays
    browser.set_cookie("fp_remember", cookie.value)
    assert browser.get("/gated/").get_data(as_text=True) == "gated page"


def test_the_admin_gate(app: Flask, tf_auth: Auth, alice: Any) -> None:
    app.config["FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN"] = True
    client = app.test_client()
    log_in(client, alice)
    to_enrol = client.get("/gated/")
    assert to_enrol.status_code == 302
    assert to_enrol.location.startswith(ENROL)
    secret, _codes = _enrol(client)
    assert client.get("/gated/").status_code == 200
    unproven = app.test_client()
    log_in(unproven, alice)  # a login that never passed the second factor
    step_up = unproven.get("/gated/")
    assert step_up.status_code == 302
    assert step_up.location.startswith(VERIFY)
    done = _post(unproven, VERIFY, code=_code_of(secret), next="/gated/")
    assert done.status_code == 302
    assert done.location == "/gated/"
    assert unproven.get("/gated/").get_data(as_text=True) == "gated page"


def test_requiring_it_for_admins_needs_the_feature(app: Flask, db: Database) -> None:
    app.config["FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN"] = True
    with pytest.raises(ImproperlyConfigured, match="FLASK_PEEWEE_AUTH_2FA"):
        Auth(app, db)


def test_a_bad_pending_age_is_refused(app: Flask, db: Database) -> None:
    app.config.update(FLASK_PEEWEE_AUTH_2FA=True, FLASK_PEEWEE_AUTH_2FA_PENDING_AGE="5 minutes")
    with pytest.raises(ImproperlyConfigured, match="PENDING_AGE"):
        Auth(app, db)


def test_reset_2fa_command_is_audited_and_ends_sessions(app: Flask, tf_auth: Auth, alice: Any) -> None:
    client = app.test_client()
    log_in(client, alice)
    _enrol(client)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["fp", "reset-2fa", "alice"])
    assert result.exit_code == 0, result.output
    assert "Removed the second factor" in result.output
    assert client.get("/private/").status_code == 302
    with app.test_request_context(), connection(tf_auth.db):
        assert tf_auth.two_factor.factor_of(alice) is None
        entries = list(tf_auth.audit.query(model="fp_two_factor"))
    assert len(entries) == 1
    assert entries[0].action == "delete"
    assert entries[0].source == "cli"
    assert entries[0].get_changes()["secret"] == ["<hidden>", None]
    missing = runner.invoke(args=["fp", "reset-2fa", "nobody"])
    assert missing.exit_code != 0
    assert "No user named" in missing.output


def test_users_without_a_factor_log_in_with_the_password_only(app: Flask, tf_auth: Auth, alice: Any) -> None:
    client = app.test_client()
    response = _password_step(client)
    assert response.status_code == 302
    assert response.location == "/"
    assert client.get("/private/").status_code == 200
    assert client.get(VERIFY).status_code == 302  # nothing to verify: back to the login
