"""Every public method of the original flask-peewee's Auth and BaseUser is a real hook: an override is called."""

from __future__ import annotations

import functools

import peewee
import pytest
from flask import render_template_string

from flask_peewee.auth import Auth, BaseUser

PASSWORD = "correct horse"

#: The public methods of the original 4.0.1 ``Auth``, and how each is reached in the scenario
#: below: "hook" = the library calls it at the same point as the original did; "entry" = the
#: app calls it itself (the override is what the app calls). None is refused: all are honoured.
ORIGINAL_AUTH_METHODS = {
    "get_context_user": "hook",  # the template context processor
    "get_user_model": "hook",  # Auth() without user_model
    "get_model_admin": "hook",  # register_admin()
    "register_admin": "entry",
    "get_blueprint": "hook",  # Auth()
    "get_urls": "hook",  # configure_routes()
    "get_login_form": "hook",  # the login view
    "test_user": "hook",  # login_required and admin_required
    "login_required": "entry",
    "admin_required": "entry",
    "authenticate": "hook",  # the login view
    "login_user": "hook",  # the login view
    "logout_user": "hook",  # the logout view
    "get_logged_in_user": "hook",  # load_user, the decorators, the context processor
    "login": "hook",  # the view at /accounts/login/
    "logout": "hook",  # the view at /accounts/logout/
    "configure_routes": "hook",  # setup()
    "register_blueprint": "hook",  # setup()
    "load_user": "hook",  # before every request
    "register_handlers": "hook",  # setup()
    "register_context_processors": "hook",  # setup()
    "setup": "hook",  # init_app(), as the original's __init__ called it
}


def _recording(name, calls):
    base = getattr(Auth, name)

    @functools.wraps(base)
    def override(self, *args, **kwargs):
        calls.append(name)
        return base(self, *args, **kwargs)

    return override


class _FakeAdmin:
    """The part of an Admin that ``register_admin`` uses."""

    class model_admin_class:
        pass

    def __init__(self):
        self.registered = []

    def register(self, model, admin_class):
        self.registered.append((model, admin_class))


def test_every_original_auth_method_overridden_in_a_subclass_is_called(app, db, csrf_from):
    calls: list[str] = []
    RecordingAuth = type("RecordingAuth", (Auth,), {name: _recording(name, calls) for name in ORIGINAL_AUTH_METHODS})
    auth = RecordingAuth(app, db)

    @app.route("/private/")
    @auth.login_required
    def private():
        return render_template_string("hello {{ user.username }}")

    @app.route("/secret/")
    @auth.admin_required
    def secret():
        return "secret"

    db.create_tables()
    with app.app_context():
        user = auth.User(username="alice", email="alice@example.com", admin=True)
        user.set_password(PASSWORD)
        user.save()
    db.database.close()
    client = app.test_client()
    token = csrf_from(client)
    response = client.post("/accounts/login/", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/private/").get_data(as_text=True) == "hello alice"
    assert client.get("/secret/").get_data(as_text=True) == "secret"
    token = csrf_from(client, "/accounts/logout/")
    assert client.post("/accounts/logout/", data={"csrf_token": token}).status_code == 302
    fake = _FakeAdmin()
    auth.register_admin(fake)
    assert fake.registered[0][0] is auth.User

    not_called = [name for name in ORIGINAL_AUTH_METHODS if name not in calls]
    assert not_called == []


def test_an_original_style_register_handlers_override_using_self_app(app, db, client):
    seen = []

    class MyAuth(Auth):
        def register_handlers(self):
            super().register_handlers()
            self.app.before_request(lambda: seen.append("mine"))

    MyAuth(app, db)
    client.get("/accounts/login/")
    assert seen == ["mine"]


def test_an_original_style_setup_override_runs_at_init(app, db, client):
    class MyAuth(Auth):
        def setup(self):
            super().setup()
            self.app.add_url_rule("/hello/", "hello", lambda: "hello from setup")

    MyAuth(app, db)
    assert client.get("/hello/").get_data(as_text=True) == "hello from setup"


def test_user_model_password_hooks_are_called(app, db, csrf_from):
    calls: list[str] = []

    class Member(db.Model, BaseUser):
        username = peewee.CharField(unique=True)
        password = peewee.CharField()
        active = peewee.BooleanField(default=True)

        def set_password(self, password):
            calls.append("set_password")
            super().set_password(password)

        def check_password(self, password):
            calls.append("check_password")
            return password == "let me in" or super().check_password(password)

    class MemberAuth(Auth):
        def get_user_model(self):
            return Member

    auth = MemberAuth(app, db)
    db.create_tables()
    with app.app_context():
        member = Member(username="bob")
        member.set_password(PASSWORD)
        member.save()
    db.database.close()
    client = app.test_client()
    token = csrf_from(client)
    response = client.post("/accounts/login/", data={"username": "bob", "password": "let me in", "csrf_token": token})
    assert response.status_code == 302  # the override decided
    result = app.test_cli_runner().invoke(
        args=["fp", "changepassword", "bob", "--password-stdin"], input="n3w pw! 2026\n"
    )
    assert result.exit_code == 0, result.output
    db.database.close()
    assert calls == ["set_password", "check_password", "set_password"]
    assert auth.User is Member


class _NoSetupAuth(Auth):
    """The original's own test idiom: an Auth whose ``setup`` registers nothing."""

    def setup(self):
        pass


def test_a_setup_override_that_does_nothing_registers_nothing(app, auth, client, user, login):
    # as in the original's tests: a second Auth, made after the app served requests, whose
    # setup() is overridden to do nothing, neither clashes with the app's Auth nor changes the app
    assert login(client).status_code == 302
    rules_before = sorted(str(rule) for rule in app.url_map.iter_rules())
    hooks_before = {key: list(value) for key, value in app.before_request_funcs.items()}

    quiet = _NoSetupAuth(app, auth.db)
    other_table = _NoSetupAuth(app, auth.db, db_table="peewee_users")

    assert quiet.User._meta.table_name == "user"
    assert other_table.User._meta.table_name == "peewee_users"
    assert quiet.app is app
    assert sorted(str(rule) for rule in app.url_map.iter_rules()) == rules_before
    assert {key: list(value) for key, value in app.before_request_funcs.items()} == hooks_before
    assert app.extensions["flask_peewee.auth"] == {"auth": auth}
    assert client.get("/private/").get_data(as_text=True) == "private page of alice"


def test_an_original_style_setup_override_without_super_registers_everything(app, db, csrf_from):
    # the original's setup() body written out in an app's override: the views work, with their
    # CSRF token, and the app's own addition runs
    class MyAuth(Auth):
        def setup(self):
            self.configure_routes()
            self.register_blueprint()
            self.register_handlers()
            self.register_context_processors()
            self.app.add_url_rule("/hello/", "hello", lambda: "hello from setup")

    auth = MyAuth(app, db)
    db.create_tables()
    with app.app_context():
        user = auth.User(username="alice", email="alice@example.com")
        user.set_password(PASSWORD)
        user.save()
    db.database.close()
    client = app.test_client()
    assert client.get("/hello/").get_data(as_text=True) == "hello from setup"
    token = csrf_from(client)
    response = client.post("/accounts/login/", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert app.extensions["flask_peewee.auth"] == {"auth": auth}


def test_a_second_auth_with_the_same_name_is_refused_when_it_registers(app, auth):
    from flask_peewee.db import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="An Auth named 'auth' is already registered"):
        Auth(app, auth.db)
    assert app.extensions["flask_peewee.auth"] == {"auth": auth}
    other = Auth(app, auth.db, name="members", prefix="/members")
    assert app.extensions["flask_peewee.auth"] == {"auth": auth, "members": other}
    assert "members.login" in app.view_functions
