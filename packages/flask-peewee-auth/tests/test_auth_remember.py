"""Optional remember-me: the checkbox, the cookie, restoring (never fresh), rotation and every revocation."""

from __future__ import annotations

import datetime

import pytest
from wtforms import BooleanField

from flask_peewee.auth import Auth, LoginForm, RememberLoginForm
from flask_peewee.auth._remember import _COOKIE_SALT
from flask_peewee.db import ImproperlyConfigured
from flask_peewee.utils import sign

COOKIE = "fp_remember"


@pytest.fixture
def app(app):
    app.config["FLASK_PEEWEE_REMEMBER_ME"] = True
    return app


@pytest.fixture
def sensitive_view(app, auth):
    @app.route("/delete-account/")
    @auth.fresh_login_required
    def delete_account():
        return "sure?"


def _remember_cookie(client):
    cookie = client.get_cookie(COOKIE)
    return None if cookie is None else cookie.value


def _forget_session(client):
    """What a browser does when it closes: the session cookie is gone, the remember-me cookie stays."""
    client.delete_cookie("session")


def _tokens(app, auth):
    with app.app_context():
        rows = list(auth.RememberToken.select())
    auth.db.database.close()
    return rows


def _remembered_login(client, login):
    response = login(client, remember="y")
    assert response.status_code == 302
    assert _remember_cookie(client)
    return _remember_cookie(client)


def test_off_by_default(auth, app, client, user, login):
    app.config["FLASK_PEEWEE_REMEMBER_ME"] = False
    assert "Remember me" not in client.get("/accounts/login/").get_data(as_text=True)
    assert login(client, remember="y").status_code == 302
    assert _remember_cookie(client) is None
    assert _tokens(app, auth) == []
    _forget_session(client)
    assert client.get("/private/").status_code == 302


def test_checkbox_is_shown_when_enabled(auth, client):
    page = client.get("/accounts/login/").get_data(as_text=True)
    assert 'type="checkbox"' in page
    assert 'name="remember"' in page
    assert "Remember me" in page


def test_not_ticked_means_no_cookie(auth, app, client, user, login):
    assert login(client).status_code == 302
    assert _remember_cookie(client) is None
    assert _tokens(app, auth) == []


def test_ticked_sets_a_long_lived_httponly_cookie_and_stores_only_a_hash(auth, app, client, user, login):
    value = _remembered_login(client, login)
    cookie = client.get_cookie(COOKIE)
    assert cookie.http_only is True
    assert cookie.same_site == "Lax"
    assert cookie.secure is False
    days = (cookie.expires - datetime.datetime.now(datetime.timezone.utc)).days
    assert 29 <= days <= 30
    [token] = _tokens(app, auth)
    selector, validator, _signature_part = value.split(".")
    assert token.user_id == user.id
    assert token.selector == selector
    assert validator not in (token.token_hash, token.fingerprint)
    assert user.password not in token.fingerprint


def test_cookie_restores_the_login_and_is_rotated(auth, app, client, user, login):
    first = _remembered_login(client, login)
    _forget_session(client)
    response = client.get("/private/")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "private page of alice"
    second = _remember_cookie(client)
    assert second
    assert second != first
    [token] = _tokens(app, auth)
    assert token.selector == second.split(".")[0]
    # the session now holds the login: no further rotation on the next request
    assert client.get("/private/").status_code == 200
    assert _remember_cookie(client) == second


def test_a_used_token_does_not_work_twice(auth, app, client, user, login):
    first = _remembered_login(client, login)
    _forget_session(client)
    assert client.get("/private/").status_code == 200
    thief = app.test_client()
    thief.set_cookie(COOKIE, first)
    assert thief.get("/private/").status_code == 302
    assert _remember_cookie(thief) is None  # the useless cookie is deleted


def test_a_restored_login_is_not_fresh(auth, app, client, user, login, sensitive_view):
    _remembered_login(client, login)
    assert client.get("/delete-account/").status_code == 200
    _forget_session(client)
    assert client.get("/private/").status_code == 200
    assert client.get("/delete-account/").location == "/accounts/login/?next=/delete-account/"
    assert login(client, next="/delete-account/").location == "/delete-account/"
    assert client.get("/delete-account/").get_data(as_text=True) == "sure?"


def test_restoring_on_a_sensitive_view_first_is_not_fresh(auth, app, client, user, login, sensitive_view):
    _remembered_login(client, login)
    _forget_session(client)
    assert client.get("/delete-account/").location == "/accounts/login/?next=/delete-account/"
    assert client.get("/private/").status_code == 200  # but the user is logged in


def test_logout_revokes_the_token(auth, app, client, user, login, csrf_from):
    value = _remembered_login(client, login)
    token = csrf_from(client, "/accounts/logout/")
    assert client.post("/accounts/logout/", data={"csrf_token": token}).status_code == 302
    assert _remember_cookie(client) is None
    assert _tokens(app, auth) == []
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    assert other.get("/private/").status_code == 302


def test_logging_in_again_replaces_the_old_token(auth, app, client, user, login):
    _remembered_login(client, login)
    _forget_session(client)
    assert client.get("/private/").status_code == 200
    login(client)  # without ticking: the remembered token is revoked
    assert _remember_cookie(client) is None
    assert _tokens(app, auth) == []


def test_password_change_from_code_revokes_every_token(auth, app, client, user, login):
    value = _remembered_login(client, login)
    laptop = app.test_client()
    _remembered_login(laptop, login)
    assert len(_tokens(app, auth)) == 2
    with app.app_context():
        user.set_password("a brand new password")
        user.save()
    auth.db.database.close()
    for browser in (client, laptop):
        _forget_session(browser)
        assert browser.get("/private/").status_code == 302
    assert _tokens(app, auth) == []
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    assert other.get("/private/").status_code == 302


def test_changepassword_command_revokes_tokens(auth, app, client, user, login):
    _remembered_login(client, login)
    result = app.test_cli_runner().invoke(
        args=["fp", "changepassword", "alice", "--password-stdin"], input="new password\n"
    )
    assert result.exit_code == 0, result.output
    assert _tokens(app, auth) == []


def test_deactivated_user_is_not_restored(auth, app, client, user, login):
    _remembered_login(client, login)
    with app.app_context():
        auth.User.update(active=False).where(auth.User.id == user.id).execute()
    auth.db.database.close()
    _forget_session(client)
    assert client.get("/private/").status_code == 302
    assert _tokens(app, auth) == []


def test_expired_token_is_refused_and_deleted(auth, app, client, user, login):
    _remembered_login(client, login)
    with app.app_context():
        auth.RememberToken.update(expires=datetime.datetime(2000, 1, 1)).execute()
    auth.db.database.close()
    _forget_session(client)
    assert client.get("/private/").status_code == 302
    assert _tokens(app, auth) == []


def test_tampered_cookies_are_refused(auth, app, client, user, login):
    value = _remembered_login(client, login)
    selector, validator, signature = value.split(".")
    for bad in (f"{selector}.{validator}x.{signature}", "garbage", "a.b.c", "." * 300, f"{value}.extra"):
        browser = app.test_client()
        browser.set_cookie(COOKIE, bad)
        assert browser.get("/private/").status_code == 302, bad
        assert _remember_cookie(browser) is None
    assert len(_tokens(app, auth)) == 1  # a cookie with a bad signature cannot touch anyone's tokens


def test_a_wrong_validator_for_a_real_selector_revokes_the_users_tokens(auth, app, client, user, login):
    value = _remembered_login(client, login)
    selector = value.split(".")[0]
    with app.test_request_context():
        forged = sign(f"{selector}.guessed", salt=_COOKIE_SALT)
    browser = app.test_client()
    browser.set_cookie(COOKIE, forged)
    assert browser.get("/private/").status_code == 302
    assert _tokens(app, auth) == []


def test_deleting_the_user_keeps_the_table_working(auth, app, client, user, login):
    _remembered_login(client, login)
    with app.app_context():
        auth.User.delete().execute()
    auth.db.database.close()
    _forget_session(client)
    assert client.get("/private/").status_code == 302
    assert _tokens(app, auth) == []


def test_cookie_flags_follow_the_session_cookie_settings(auth, app, client, user, login):
    app.config.update(
        SESSION_COOKIE_SECURE=True, SESSION_COOKIE_SAMESITE="Strict", FLASK_PEEWEE_REMEMBER_ME_DURATION=3600
    )
    client = app.test_client()
    response = login(client, remember="y")
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}="))
    assert "Secure" in header
    assert "HttpOnly" in header
    assert "SameSite=Strict" in header
    expires = client.get_cookie(COOKIE, domain="localhost").expires
    assert 0 < (expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds() <= 3600


def test_a_login_form_with_a_remember_field_turns_it_on(app, db, client, login):
    app.config["FLASK_PEEWEE_REMEMBER_ME"] = False

    class MyLoginForm(LoginForm):
        remember = BooleanField("Keep me signed in")

    class MyAuth(Auth):
        def get_login_form(self):
            return MyLoginForm

    auth = MyAuth(app, db)
    db.create_tables()

    @app.route("/private/")
    @auth.login_required
    def private():
        return "private"

    with app.app_context():
        user = auth.User(username="alice")
        user.set_password("correct horse")
        user.save()
    db.database.close()
    assert "Keep me signed in" in client.get("/accounts/login/").get_data(as_text=True)
    assert login(client, remember="y").status_code == 302
    _forget_session(client)
    assert client.get("/private/").get_data(as_text=True) == "private"


def test_get_login_form_follows_the_setting(auth, app):
    with app.app_context():
        assert auth.get_login_form() is RememberLoginForm
        app.config["FLASK_PEEWEE_REMEMBER_ME"] = False
        assert auth.get_login_form() is LoginForm


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("FLASK_PEEWEE_REMEMBER_ME_DURATION", 0),
        ("FLASK_PEEWEE_REMEMBER_ME_DURATION", "30 days"),
        ("FLASK_PEEWEE_REMEMBER_ME_COOKIE_NAME", ""),
        ("FLASK_PEEWEE_REMEMBER_ME_COOKIE_NAME", "bad name;"),
    ],
)
def test_bad_settings_are_refused_at_init_app(app, db, key, value):
    app.config[key] = value
    with pytest.raises(ImproperlyConfigured, match=key):
        Auth(app, db)


@pytest.mark.backends("sqlite")
def test_duration_may_be_a_timedelta(app, db, client, login):
    app.config["FLASK_PEEWEE_REMEMBER_ME_DURATION"] = datetime.timedelta(days=2)
    auth = Auth(app, db)
    db.create_tables()
    with app.app_context():
        user = auth.User(username="alice")
        user.set_password("correct horse")
        user.save()
    db.database.close()
    login(client, remember="y")
    days = (client.get_cookie(COOKIE).expires - datetime.datetime.now(datetime.timezone.utc)).days
    assert days == 1  # just under two days from now
