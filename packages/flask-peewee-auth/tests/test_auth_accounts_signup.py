"""Sign-up: uniqueness as form errors (race-safe), the throttle, and the optional confirmation by mail."""

from __future__ import annotations

import pytest

from flask_peewee.db import connection

PASSWORD = "correct horse"


@pytest.fixture
def app(app, smtp_inbox):
    app.config.update(smtp_inbox.config, FLASK_PEEWEE_SIGNUP=True)
    return app


def _signup(client, csrf_from, username="dave", email="dave@example.com", password=PASSWORD, **extra):
    token = csrf_from(client, "/accounts/signup/")
    data = {"username": username, "email": email, "password": password, "confirm": password, "csrf_token": token}
    return client.post("/accounts/signup/", data={**data, **extra})


def test_signup_without_confirmation_logs_the_new_user_in(app, auth, client, csrf_from):
    page = client.get("/accounts/login/")
    assert 'href="/accounts/signup/"' in page.text
    response = _signup(client, csrf_from)
    assert response.status_code == 302
    assert client.get("/private/").text == "private page of dave"
    with app.app_context(), connection(auth.db):
        user = auth.User.get(auth.User.username == "dave")
        assert (user.email, user.active, user.admin) == ("dave@example.com", True, False)
        assert user.check_password(PASSWORD)
        [entry] = auth.audit.query(model=auth.User, pk=user.id)
        assert (entry.action, entry.source, entry.user_id) == ("add", "signup", user.id)
        assert entry.get_changes()["password"] == [None, "<hidden>"]


def test_taken_username_and_email_are_form_errors(app, auth, user, client, csrf_from):
    response = _signup(client, csrf_from, username="alice", email="ALICE@example.com")
    assert response.status_code == 200
    assert "This username is already taken." in response.text
    assert "An account with this email address already exists." in response.text
    with app.app_context(), connection(auth.db):
        assert auth.User.select().count() == 1


def test_a_race_on_the_username_is_a_form_error_not_a_500(app, auth, user, client, csrf_from, monkeypatch):
    from flask_peewee.auth import _accounts

    monkeypatch.setattr(_accounts, "username_taken", lambda model, username: False)  # lose the race
    response = _signup(client, csrf_from, username="alice", email="other@example.com")
    assert response.status_code == 200
    assert "This username is already taken." in response.text
    with app.app_context(), connection(auth.db):
        assert auth.User.select().count() == 1
        assert auth.AuditEntry.select().count() == 0  # rolled back with the insert


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"password": "short"}, "The password must be at least 8 characters long."),
        ({"confirm": "something else"}, "The two passwords differ."),
        ({"email": "no-at-sign"}, "Enter a valid email address."),
        ({"username": "two words"}, "Usernames cannot contain spaces."),
        ({"username": "x" * 300}, "Field cannot be longer than 255 characters."),
        ({"username": "nul\x00"}, "Contains characters that are not allowed."),
        ({"csrf_token": "forged"}, "The form has expired"),
    ],
)
@pytest.mark.backends("sqlite")
def test_bad_input_is_shown_on_the_form(app, auth, client, csrf_from, fields, error):
    data = {"username": "dave", "email": "dave@example.com", "password": PASSWORD, "confirm": PASSWORD}
    data.update(fields)
    if "confirm" not in fields and "password" in fields:
        data["confirm"] = fields["password"]
    response = _signup(client, csrf_from, **data)
    assert response.status_code == 200
    assert error in response.text
    with app.app_context(), connection(auth.db):
        assert auth.User.select().count() == 0


def test_signups_are_throttled_per_address(app, auth, client, csrf_from):
    app.config["FLASK_PEEWEE_LOGIN_THROTTLE_USERNAME_LIMIT"] = 2
    app.extensions.pop("flask_peewee.auth.throttle", None)  # read again with this limit
    assert _signup(client, csrf_from, username="u1", email="u1@example.com").status_code == 302
    client.post("/accounts/logout/", data={"csrf_token": csrf_from(client, "/accounts/logout/")})
    assert _signup(client, csrf_from, username="u2", email="u2@example.com").status_code == 302
    client.post("/accounts/logout/", data={"csrf_token": csrf_from(client, "/accounts/logout/")})
    response = _signup(client, csrf_from, username="u3", email="u3@example.com")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    with app.app_context(), connection(auth.db):
        assert auth.User.select().count() == 2


@pytest.fixture
def confirming(app):
    app.config["FLASK_PEEWEE_SIGNUP_CONFIRM"] = True
    return app


def test_signup_with_confirmation_by_the_mailed_link(confirming, auth, client, csrf_from, login, smtp_inbox, link_of):
    app = confirming
    response = _signup(client, csrf_from)
    assert response.status_code == 200
    assert "We sent a link to dave@example.com" in response.text
    assert login(client, "dave", PASSWORD).status_code == 200  # inactive until confirmed
    [message] = smtp_inbox.wait(1)
    assert (message["To"], message["Subject"]) == ("dave@example.com", "Confirm your account")
    path = link_of(message)
    assert path.startswith("/accounts/signup/confirm/")
    response = client.get(path)
    assert response.status_code == 302
    assert response.location == "/accounts/login/"
    assert login(client, "dave", PASSWORD).status_code == 302
    with app.app_context(), connection(auth.db):
        user = auth.User.get(auth.User.username == "dave")
        assert user.active is True
        sources = [e.source for e in auth.audit.query(model=auth.User, pk=user.id)]
        assert sources == ["signup-confirm", "signup"]
    assert client.get("/accounts/signup/confirm/bogus/").status_code == 400


def test_confirmation_link_is_refused_once_the_account_changed(
    confirming, auth, client, csrf_from, smtp_inbox, link_of
):
    app = confirming
    _signup(client, csrf_from)
    path = link_of(smtp_inbox.wait(1)[0])
    with app.app_context(), connection(auth.db):
        user = auth.User.get(auth.User.username == "dave")
        user.email = "someone-else@example.com"
        user.save()
    assert client.get(path).status_code == 400
    with app.app_context(), connection(auth.db):
        assert auth.User.get(auth.User.username == "dave").active is False


def test_user_model_without_email_is_refused_at_init_app(app, db):
    import peewee

    from flask_peewee.auth import Auth, BaseUser
    from flask_peewee.db import ImproperlyConfigured

    class Member(db.Model, BaseUser):
        username = peewee.CharField(unique=True)
        password = peewee.CharField()

    class MemberAuth(Auth):
        def get_user_model(self):
            return Member

    with pytest.raises(ImproperlyConfigured, match="lacks email"):
        MemberAuth(app, db)


@pytest.mark.backends("sqlite")
def test_bad_token_lifetime_is_refused_at_init_app(app, db):
    from flask_peewee.auth import Auth
    from flask_peewee.db import ImproperlyConfigured

    app.config["FLASK_PEEWEE_CONFIRM_TOKEN_AGE"] = 0
    with pytest.raises(ImproperlyConfigured, match="FLASK_PEEWEE_CONFIRM_TOKEN_AGE"):
        Auth(app, db)


@pytest.mark.backends("sqlite")
def test_mail_without_a_sender_is_refused_at_init_app(app, db):
    from flask_peewee.auth import Auth
    from flask_peewee.db import ImproperlyConfigured

    app.config.update(FLASK_PEEWEE_SIGNUP_CONFIRM=True)
    del app.config["MAIL_DEFAULT_SENDER"]
    with pytest.raises(ImproperlyConfigured, match="MAIL_DEFAULT_SENDER"):
        Auth(app, db)
